package dev.metaembed.tests;

import dev.metaembed.lucene.codec.MetaEmbedCodec;
import dev.metaembed.lucene.codec.MetaEmbedField;
import dev.metaembed.lucene.codec.MetaEmbedFieldInfo;
import dev.metaembed.lucene.codec.MetaEmbedVectorValues;
import dev.metaembed.lucene.codec.MetaEmbedVectorsFormat;
import dev.metaembed.lucene.codec.VectorStorage;
import dev.metaembed.lucene.search.LateInteractionQuery;
import dev.metaembed.lucene.search.MaxSim;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.IntPredicate;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.hnsw.HnswGraphProvider;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.CodecReader;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.SegmentCommitInfo;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.tests.util.TestUtil;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.hnsw.HnswGraph;

/**
 * Indexes written by released format versions, checked in under {@code
 * tests/src/test/resources/format/<directory>/index.zip} ({@link #CHECKED_IN}), must stay readable:
 * this test unzips each, checks that every {@code .mvm}/{@code .mvd} carries that version in its
 * codec header, compares every vector of every live document bit for bit with the documents
 * regenerated from a fixed seed (no expected values are stored), checks which segments have an
 * HNSW graph and that the graphs are real (nodes, levels, neighbours; a graph search visits fewer
 * vectors than the segment holds), runs {@link LateInteractionQuery} exact and approximate at
 * several budgets against brute-force {@link MaxSim} over those vectors, and runs CheckIndex.
 *
 * <p>Two corpora:
 *
 * <ul>
 *   <li><b>small</b> ({@code v<version>}, from {@link #write}): {@link MetaEmbedCodec}, four
 *       MetaEmbed fields, one per {@link VectorStorage} and each with another similarity ({@code
 *       page_float32} COSINE, {@code page_bfloat16} EUCLIDEAN, {@code page_int8} DOT_PRODUCT,
 *       {@code page_bit} MAXIMUM_INNER_PRODUCT), {@value #DIM} components, 1..{@value
 *       #MAX_VECTORS} vectors per document; {@value #DOCS} documents in three segments, every field
 *       missing from some documents, five documents deleted. Too small for a graph: every
 *       segment is searched exhaustively (checked).
 *   <li><b>graph</b> ({@code v<version>-graph}, from {@link GraphCorpus}): one field, 16
 *       components, 1..4 vectors, 1,500 documents in three segments of 700, 700 and 100 (the
 *       field in 98 %), 23 deleted. Lucene builds a graph only for a segment of at least 648
 *       vectors, so the first two segments have one and the third has none (checked).
 * </ul>
 *
 * <p>The checked-in indexes:
 *
 * <ul>
 *   <li>{@code v0-graph}: format version 0 ({@code VERSION_START}, FLOAT32 storage only), graph
 *       corpus with field {@code page}, FLOAT32, DOT_PRODUCT. Written by the version 0 code, commit
 *       {@code 598ef49eb191898ba4a70e2b9370ec338dfe9857} (the parent of {@code 08b6402}, which
 *       introduced version 1), with {@link GraphCorpus#main} compiled against that commit's codec,
 *       from the root of a checkout of this code (JDK 25, nothing installed into {@code ~/.m2}):
 *       <pre>
 * git worktree add --detach /tmp/v0tree 598ef49eb191898ba4a70e2b9370ec338dfe9857
 * (cd /tmp/v0tree &amp;&amp; ./mvnw -B -o -q -pl lucene-metaembed-codec compile)   # no install
 * LUCENE=~/.m2/repository/org/apache/lucene/lucene-core/10.5.0/lucene-core-10.5.0.jar
 * OLD=/tmp/v0tree/lucene-metaembed-codec/target/classes
 * javac -d /tmp/v0gen -cp $LUCENE:$OLD tests/src/test/java/dev/metaembed/tests/GraphCorpus.java
 * java -cp /tmp/v0gen:$OLD:$LUCENE dev.metaembed.tests.GraphCorpus \
 *     tests/src/test/resources/format/v0-graph/index.zip /tmp/v0index
 * git worktree remove /tmp/v0tree
 * </pre>
 *   <li>{@code v1}: format version 1, small corpus.
 *   <li>{@code v1-graph}: format version 1, graph corpus with field {@code page_int8}, INT8,
 *       EUCLIDEAN.
 *   <li>{@code v1-metaembed104}: format version 1, small corpus, written under the versioned codec
 *       name {@code MetaEmbed104}. The three above carry the name {@code MetaEmbed} (before names
 *       were versioned) and read through {@code UnversionedMetaEmbedCodec}.
 * </ul>
 *
 * <p>Each entry names the codec its segments carry (checked). When Lucene's default codec moves
 * on, {@code MetaEmbedCodec.NAME} moves with it (docs/CODEC.md, "Upgrading Lucene"): add a small
 * index under the new name as well; the old ones stay.
 *
 * <p><b>When the format changes</b> so that this build cannot read what the previous one wrote
 * unchanged, bump {@code MetaEmbedVectorsFormat.VERSION_CURRENT} (and keep reading the old version
 * in the reader), add a small and a graph entry for the new version to {@link #CHECKED_IN}, then
 * write the new version's resources with
 *
 * <pre>
 * ./mvnw -o -q -B test -pl tests -am -Dtest=TestFormatStability -Dmetaembed.format.regenerate=true
 * </pre>
 *
 * which writes every {@link #CHECKED_IN} resource of {@code VERSION_CURRENT} that does not exist
 * yet under {@code tests/src/test/resources/format/} (from the {@code tests} directory, where
 * surefire runs; an existing one is never overwritten) and checks it. Keep the old directories:
 * every checked-in version must still read back. Never regenerate an old version's resource; if a
 * generator must change, keep the old one for the old resources ({@link GraphCorpus} must keep
 * compiling against the version 0 code).
 */
public class TestFormatStability extends LuceneTestCase {
  /**
   * One checked-in index: its format version, the codec name its segments carry, its directory
   * under {@code format/}, and its corpus.
   */
  record CheckedIn(int version, String codec, String directory, Corpus corpus) {}

  static final long SEED = 0x4D657461456D6264L; // "MetaEmbd"
  static final int DIM = 16;
  static final int MAX_VECTORS = 8;
  static final int DOCS = 50;
  static final String[] FIELDS = {"page_float32", "page_bfloat16", "page_int8", "page_bit"};
  private static final int K = 5;

  /** Graph candidates per segment of the approximate searches of the graph corpus. */
  private static final int GRAPH_CANDIDATES = 20;

  /** The codec name before it carried the Lucene codec's version; read by {@code UnversionedMetaEmbedCodec}. */
  private static final String UNVERSIONED = "MetaEmbed";

  /** Checked-in indexes; {@code VERSION_CURRENT} must have a small and a graph one. */
  static final CheckedIn[] CHECKED_IN = {
    new CheckedIn(
        0,
        UNVERSIONED,
        "v0-graph",
        graphCorpus(
            new String[] {"page"},
            new ReferenceDocs[] {
              graphField(VectorSimilarityFunction.DOT_PRODUCT, VectorStorage.FLOAT32)
            })),
    new CheckedIn(1, UNVERSIONED, "v1", smallCorpus()),
    new CheckedIn(
        1,
        UNVERSIONED,
        "v1-graph",
        graphCorpus(
            new String[] {"page_int8"},
            new ReferenceDocs[] {
              graphField(VectorSimilarityFunction.EUCLIDEAN, VectorStorage.INT8)
            })),
    new CheckedIn(1, "MetaEmbed104", "v1-metaembed104", smallCorpus()),
  };

  /**
   * What a checked-in index holds: whether it is the graph corpus, field names and their expected
   * stored form, every document's vectors per field (null: the document lacks the field), the
   * deleted documents, the segments (exclusive document ends), the seed of the queries, and how to
   * write it again.
   */
  record Corpus(
      boolean graph,
      String[] names,
      ReferenceDocs[] fields,
      float[][][][] docs,
      IntPredicate deleted,
      int[] segmentEnds,
      long querySeed,
      Writer writer) {
    int liveDocs() {
      int live = 0;
      for (int i = 0; i < docs.length; i++) {
        live += deleted.test(i) ? 0 : 1;
      }
      return live;
    }

    /** 1..maxVectors query vectors valid for field {@code f}. */
    float[][] query(Random random, int f) {
      return fields[f].randomVectors(random);
    }
  }

  /** Writes a corpus's index into an empty directory. */
  interface Writer {
    void write(Directory dir) throws IOException;
  }

  static Corpus smallCorpus() {
    ReferenceDocs[] fields = fields();
    return new Corpus(
        false,
        FIELDS,
        fields,
        corpus(fields),
        TestFormatStability::deleted,
        new int[] {20, 35, DOCS},
        SEED + 1,
        TestFormatStability::write);
  }

  static ReferenceDocs graphField(VectorSimilarityFunction similarity, VectorStorage storage) {
    return new ReferenceDocs(GraphCorpus.DIM, GraphCorpus.MAX_VECTORS, similarity, storage);
  }

  static Corpus graphCorpus(String[] names, ReferenceDocs[] fields) {
    VectorSimilarityFunction[] similarities = new VectorSimilarityFunction[fields.length];
    FieldType[] types = new FieldType[fields.length];
    for (int f = 0; f < fields.length; f++) {
      types[f] = fields[f].type();
      similarities[f] = types[f].vectorSimilarityFunction();
    }
    return new Corpus(
        true,
        names,
        fields,
        GraphCorpus.corpus(similarities),
        GraphCorpus::deleted,
        GraphCorpus.SEGMENT_ENDS,
        GraphCorpus.SEED + 1,
        dir -> GraphCorpus.write(dir, names, types, similarities));
  }

  /** Expected stored form per field: storage and similarity of each field in {@link #FIELDS}. */
  static ReferenceDocs[] fields() {
    return new ReferenceDocs[] {
      new ReferenceDocs(DIM, MAX_VECTORS, VectorSimilarityFunction.COSINE, VectorStorage.FLOAT32),
      new ReferenceDocs(
          DIM, MAX_VECTORS, VectorSimilarityFunction.EUCLIDEAN, VectorStorage.BFLOAT16),
      new ReferenceDocs(DIM, MAX_VECTORS, VectorSimilarityFunction.DOT_PRODUCT, VectorStorage.INT8),
      new ReferenceDocs(
          DIM, MAX_VECTORS, VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT, VectorStorage.BIT)
    };
  }

  /** Vectors of document {@code i} per field (null: the document lacks the field), from the seed. */
  static float[][][][] corpus(ReferenceDocs[] fields) {
    Random random = new Random(SEED);
    float[][][][] docs = new float[DOCS][fields.length][][];
    for (int i = 0; i < DOCS; i++) {
      for (int f = 0; f < fields.length; f++) {
        docs[i][f] = (i + f) % 7 == 3 ? null : fields[f].randomVectors(random);
      }
    }
    return docs;
  }

  static boolean deleted(int i) {
    return i % 11 == 5; // 5, 16, 27, 38, 49: one or two per segment
  }

  /** Writes the small index: three segments (documents 0..19, 20..34, 35..49), then the deletes. */
  static void write(Directory dir) throws IOException {
    ReferenceDocs[] fields = fields();
    float[][][][] docs = corpus(fields);
    IndexWriterConfig iwc =
        new IndexWriterConfig()
            .setCodec(new MetaEmbedCodec())
            .setUseCompoundFile(false)
            .setMergePolicy(NoMergePolicy.INSTANCE)
            .setMaxBufferedDocs(IndexWriterConfig.DISABLE_AUTO_FLUSH)
            .setRAMBufferSizeMB(64);
    try (IndexWriter writer = new IndexWriter(dir, iwc)) {
      for (int i = 0; i < DOCS; i++) {
        Document doc = new Document();
        doc.add(new StringField(ReferenceDocs.ID, Integer.toString(i), Field.Store.YES));
        for (int f = 0; f < fields.length; f++) {
          if (docs[i][f] != null) {
            doc.add(new MetaEmbedField(FIELDS[f], docs[i][f], fields[f].type()));
          }
        }
        writer.addDocument(doc);
        if (i == 19 || i == 34) {
          writer.commit();
        }
      }
      writer.commit();
      for (int i = 0; i < DOCS; i++) {
        if (deleted(i)) {
          writer.deleteDocuments(new Term(ReferenceDocs.ID, Integer.toString(i)));
        }
      }
      writer.commit();
    }
  }

  public void testCheckedInIndexesReadBack() throws Exception {
    int current = MetaEmbedVectorsFormat.VERSION_CURRENT;
    assertTrue(
        "format version " + current + " has no small and graph index: see this class's Javadoc",
        Arrays.stream(CHECKED_IN).filter(c -> c.version() == current).count() >= 2);
    boolean regenerate = Boolean.getBoolean("metaembed.format.regenerate");
    for (CheckedIn checkedIn : CHECKED_IN) {
      Path dir = createTempDir("format-" + checkedIn.directory());
      String resource = "/format/" + checkedIn.directory() + "/index.zip";
      InputStream zip;
      Path written = Paths.get("src/test/resources/format", checkedIn.directory(), "index.zip");
      if (regenerate && checkedIn.version() == current && Files.exists(written) == false) {
        regenerate(checkedIn.corpus(), written);
        zip = Files.newInputStream(written); // not yet copied to the class path
      } else {
        zip = TestFormatStability.class.getResourceAsStream(resource);
      }
      assertNotNull("missing resource " + resource, zip);
      try (zip) {
        unzip(zip, dir);
      }
      try (Directory index = FSDirectory.open(dir)) {
        checkIndex(index, checkedIn);
      }
    }
  }

  private void checkIndex(Directory dir, CheckedIn checkedIn) throws IOException {
    Corpus corpus = checkedIn.corpus();
    int segments = corpus.segmentEnds().length;
    int ownFiles = 0;
    for (String file : dir.listAll()) {
      if (file.endsWith(".mvm") || file.endsWith(".mvd")) {
        assertEquals(
            checkedIn.directory() + " " + file + ": format version",
            checkedIn.version(),
            headerVersion(dir, file));
        ownFiles++;
      }
    }
    assertEquals(checkedIn.directory() + ": .mvm and .mvd per segment", 2 * segments, ownFiles);
    for (SegmentCommitInfo info : SegmentInfos.readLatestCommit(dir)) {
      assertEquals(
          checkedIn.directory() + " " + info.info.name + ": codec",
          checkedIn.codec(),
          info.info.getCodec().getName());
    }
    try (DirectoryReader reader = DirectoryReader.open(dir)) {
      assertEquals(segments, reader.leaves().size());
      assertEquals(corpus.docs().length, reader.maxDoc());
      assertEquals(corpus.liveDocs(), reader.numDocs());
      for (LeafReaderContext leaf : reader.leaves()) {
        for (FieldInfo info : leaf.reader().getFieldInfos()) {
          if (MetaEmbedFieldInfo.isMetaEmbed(info)) { // what inspect prints per segment
            assertEquals(
                checkedIn.directory() + " " + info.name,
                checkedIn.version(),
                MetaEmbedFieldInfo.formatVersion(leaf.reader(), info.name));
          }
        }
      }
      assertVectors(reader, corpus);
      assertGraphs(reader, corpus, checkedIn.directory());
      assertSearches(reader, corpus);
    }
    TestUtil.checkIndex(dir); // throws unless clean
  }

  /** Every vector of every live document, bit for bit, and no vectors where none were indexed. */
  private static void assertVectors(DirectoryReader reader, Corpus corpus) throws IOException {
    ReferenceDocs[] fields = corpus.fields();
    float[][][][] docs = corpus.docs();
    int checked = 0;
    int want = 0;
    for (LeafReaderContext context : reader.leaves()) {
      LeafReader leaf = context.reader();
      Bits live = leaf.getLiveDocs();
      StoredFields stored = leaf.storedFields();
      for (int f = 0; f < fields.length; f++) {
        String name = corpus.names()[f];
        MetaEmbedVectorValues values = MetaEmbedVectorValues.get(leaf, name);
        assertNotNull(name, values);
        assertEquals(fields[f].storage(), values.storage());
        assertEquals(fields[f].type().vectorSimilarityFunction(), values.similarityFunction());
        assertEquals(fields[f].dimension(), values.dimension());
        assertEquals(fields[f].maxVectors(), values.maxVectors());
        for (int doc = 0; doc < leaf.maxDoc(); doc++) {
          if (live != null && live.get(doc) == false) {
            continue;
          }
          int i = Integer.parseInt(stored.document(doc).get(ReferenceDocs.ID));
          assertFalse("document " + i + " was deleted", corpus.deleted().test(i));
          String what = "document " + i + " field " + name;
          if (docs[i][f] == null) {
            assertFalse(what + " has vectors", values.advanceExact(doc));
            continue;
          }
          want++;
          assertTrue(what + " has no vectors", values.advanceExact(doc));
          float[][] expected = fields[f].stored(docs[i][f]);
          float[][] got = values.vectors(fields[f].maxVectors());
          assertEquals(what + " vector count", expected.length, got.length);
          for (int v = 0; v < expected.length; v++) {
            assertTrue(what + " vector " + v, Arrays.equals(expected[v], got[v]));
          }
          checked++;
        }
      }
    }
    int indexed = 0;
    for (int i = 0; i < docs.length; i++) {
      for (int f = 0; f < fields.length; f++) {
        indexed += corpus.deleted().test(i) || docs[i][f] == null ? 0 : 1;
      }
    }
    assertEquals("documents with vectors checked", indexed, want);
    assertEquals(indexed, checked);
  }

  /**
   * A segment has an HNSW graph exactly when Lucene's threshold says so, and a graph is real: one
   * node per document with the field, at least two levels, every node linked to valid neighbours,
   * and a search for 5 neighbours visits fewer vectors than the segment holds (a segment without
   * a graph is searched exhaustively and visits every live one).
   */
  private static void assertGraphs(DirectoryReader reader, Corpus corpus, String what)
      throws IOException {
    Random random = new Random(corpus.querySeed() - 1);
    List<Boolean> graphs = new ArrayList<>();
    for (LeafReaderContext context : reader.leaves()) {
      LeafReader leaf = context.reader();
      int s = context.ord;
      int first = s == 0 ? 0 : corpus.segmentEnds()[s - 1];
      for (int f = 0; f < corpus.names().length; f++) {
        String name = corpus.names()[f];
        String where = what + " segment " + s + " field " + name;
        int withField = 0;
        int liveWithField = 0;
        for (int i = first; i < corpus.segmentEnds()[s]; i++) {
          if (corpus.docs()[i][f] != null) {
            withField++;
            liveWithField += corpus.deleted().test(i) ? 0 : 1;
          }
        }
        boolean expectGraph =
            withField
                > (int) (Math.log(withField) * Lucene99HnswVectorsFormat.HNSW_GRAPH_THRESHOLD);
        graphs.add(expectGraph);
        HnswGraph graph = graph(leaf, name);
        assertNotNull(where + ": no graph reader", graph);
        float[] target = corpus.query(random, f)[0];
        TopDocs nearest =
            leaf.searchNearestVectors(
                name,
                target,
                K,
                AcceptDocs.fromLiveDocs(leaf.getLiveDocs(), leaf.maxDoc()),
                Integer.MAX_VALUE);
        long visited = nearest.totalHits.value();
        assertEquals(where + ": neighbours found", K, nearest.scoreDocs.length);
        if (expectGraph == false) {
          assertEquals(where + ": graph nodes", 0, graph.size());
          assertEquals(where + ": exhaustive search visits", liveWithField, visited);
          continue;
        }
        assertEquals(where + ": graph nodes", withField, graph.size());
        assertTrue(where + ": graph levels " + graph.numLevels(), graph.numLevels() >= 2);
        long edges = 0;
        for (int level = 0; level < graph.numLevels(); level++) {
          HnswGraph.NodesIterator nodes = graph.getNodesOnLevel(level);
          assertTrue(where + ": no nodes on level " + level, nodes.size() > 0);
          while (nodes.hasNext()) {
            int node = nodes.nextInt();
            graph.seek(level, node);
            int neighbours = 0;
            for (int n = graph.nextNeighbor();
                n != DocIdSetIterator.NO_MORE_DOCS;
                n = graph.nextNeighbor()) {
              assertTrue(where + ": neighbour " + n, n >= 0 && n < graph.size() && n != node);
              neighbours++;
            }
            assertTrue(
                where + ": node " + node + " on level " + level + " has no neighbours",
                neighbours > 0);
            edges += neighbours;
          }
        }
        assertTrue(
            where + ": graph search visited " + visited + " of " + withField, visited < withField);
        System.out.printf(
            Locale.ROOT,
            "TestFormatStability: %s: graph of %d nodes, %d levels, %d edges; search for %d visited %d%n",
            where,
            graph.size(),
            graph.numLevels(),
            edges,
            K,
            visited);
      }
    }
    for (int s = 0; s < graphs.size(); s++) {
      boolean want = corpus.graph() && s / corpus.names().length < 2;
      assertEquals(what + ": graph in segment " + s / corpus.names().length, want, graphs.get(s));
    }
  }

  /** The HNSW graph of {@code field} in the segment of {@code leaf}, through the codec's reader. */
  private static HnswGraph graph(LeafReader leaf, String field) throws IOException {
    KnnVectorsReader vectors = ((CodecReader) leaf).getVectorReader();
    if (vectors instanceof PerFieldKnnVectorsFormat.FieldsReader perField) {
      vectors = perField.getFieldReader(field);
    }
    return vectors instanceof HnswGraphProvider provider ? provider.getGraph(field) : null;
  }

  /** Exact and approximate searches, several budgets, against brute-force MaxSim. */
  private static void assertSearches(DirectoryReader reader, Corpus corpus) throws IOException {
    IndexSearcher searcher = new IndexSearcher(reader);
    ReferenceDocs[] fields = corpus.fields();
    float[][][][] docs = corpus.docs();
    int[] idOf = new int[reader.maxDoc()];
    for (LeafReaderContext context : reader.leaves()) {
      StoredFields stored = context.reader().storedFields();
      for (int doc = 0; doc < context.reader().maxDoc(); doc++) {
        idOf[context.docBase + doc] = Integer.parseInt(stored.document(doc).get(ReferenceDocs.ID));
      }
    }
    boolean graphCorpus = corpus.graph();
    int queries = graphCorpus ? 20 : 3;
    Random random = new Random(corpus.querySeed());
    for (int f = 0; f < fields.length; f++) {
      String name = corpus.names()[f];
      int maxVectors = fields[f].maxVectors();
      int found = 0;
      int searched = 0;
      float[][][] stored = new float[docs.length][][]; // what the index returns, per document
      for (int i = 0; i < docs.length; i++) {
        stored[i] = docs[i][f] == null ? null : fields[f].stored(docs[i][f]);
      }
      for (int q = 0; q < queries; q++) {
        float[][] query = corpus.query(random, f);
        int[][] budgets = {{query.length, maxVectors}, {1, 1}, {Math.min(2, query.length), 3}};
        for (int[] budget : budgets) {
          float[] brute = new float[docs.length];
          List<Float> ranked = new ArrayList<>();
          for (int i = 0; i < docs.length; i++) {
            if (corpus.deleted().test(i) == false && stored[i] != null) {
              float[][] doc = stored[i];
              VectorSimilarityFunction similarity = fields[f].type().vectorSimilarityFunction();
              brute[i] =
                  MaxSim.score(query, budget[0], doc, Math.min(budget[1], doc.length), similarity);
              ranked.add(brute[i]);
            }
          }
          ranked.sort((a, b) -> Float.compare(b, a));
          String what = name + " query " + q + " budget " + Arrays.toString(budget);
          var exact = LateInteractionQuery.builder(name, query).k(K).budget(budget[0], budget[1]);
          assertHits(
              what + " exact",
              searcher.search(exact.exact().build(), K),
              brute,
              ranked,
              idOf,
              true);
          var approximate =
              LateInteractionQuery.builder(name, query).k(K).budget(budget[0], budget[1]);
          if (graphCorpus == false) {
            // segments this small have no HNSW graph: the approximate path scores every candidate
            assertHits(
                what + " approximate",
                searcher.search(approximate.candidates(50).build(), K),
                brute,
                ranked,
                idOf,
                true);
            continue;
          }
          // a graph: every hit must carry its true score; the top K may miss some of the best
          TopDocs hits = searcher.search(approximate.candidates(GRAPH_CANDIDATES).build(), K);
          assertHits(what + " approximate", hits, brute, ranked, idOf, false);
          if (budget[0] == 1 && budget[1] == 1) {
            // the score is then the graph's own similarity of vector 0: recall measures the graph
            float kth = ranked.get(K - 1);
            for (ScoreDoc hit : hits.scoreDocs) {
              found += brute[idOf[hit.doc]] >= kth ? 1 : 0;
            }
            searched += K;
          }
        }
      }
      if (graphCorpus) {
        double recall = (double) found / searched;
        System.out.printf(
            Locale.ROOT,
            "TestFormatStability: %s approximate, budget (1, 1), %d candidates per segment: recall@%d %.3f over %d queries%n",
            name,
            GRAPH_CANDIDATES,
            K,
            recall,
            searched / K);
        assertTrue(
            name + ": approximate recall@" + K + " at budget (1, 1): " + recall, recall >= 0.9);
      }
    }
  }

  /**
   * K hits (or all there are), each with its brute-force score, in descending order; with {@code
   * complete}, the scores at each rank are the brute-force top K.
   */
  private static void assertHits(
      String what, TopDocs hits, float[] brute, List<Float> ranked, int[] idOf, boolean complete) {
    assertEquals(what + ": hits", Math.min(K, ranked.size()), hits.scoreDocs.length);
    for (int h = 0; h < hits.scoreDocs.length; h++) {
      ScoreDoc hit = hits.scoreDocs[h];
      float want = brute[idOf[hit.doc]];
      float tolerance = 1e-5f * Math.max(1f, Math.abs(want));
      assertEquals(what + ": score of document " + idOf[hit.doc], want, hit.score, tolerance);
      if (complete) {
        assertEquals(what + ": score at rank " + h, ranked.get(h), hit.score, tolerance);
      } else if (h > 0) {
        assertTrue(what + ": order at rank " + h, hit.score <= hits.scoreDocs[h - 1].score);
      }
    }
  }

  /** The version in the file's {@code CodecUtil} index header. */
  private static int headerVersion(Directory dir, String file) throws IOException {
    try (IndexInput in = dir.openInput(file, IOContext.READONCE)) {
      assertEquals(file, CodecUtil.CODEC_MAGIC, CodecUtil.readBEInt(in));
      String codec = in.readString();
      assertTrue(file + ": codec " + codec, codec.startsWith("MetaEmbedVectorsFormat"));
      return CodecUtil.readBEInt(in);
    }
  }

  /** Writes {@code corpus} with the current code into {@code zip} (see the class Javadoc). */
  private static void regenerate(Corpus corpus, Path zip) throws IOException {
    Path tmp = createTempDir("format-regenerate");
    try (Directory dir = FSDirectory.open(tmp)) {
      corpus.writer().write(dir);
    }
    GraphCorpus.zip(tmp, zip);
    System.out.println(
        "TestFormatStability: wrote " + zip.toAbsolutePath() + " (" + Files.size(zip) + " bytes)");
  }

  private static void unzip(InputStream zip, Path dir) throws IOException {
    try (ZipInputStream in = new ZipInputStream(zip)) {
      for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
        Files.copy(in, dir.resolve(entry.getName()));
      }
    }
  }
}
