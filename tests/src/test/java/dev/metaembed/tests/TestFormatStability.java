package dev.metaembed.tests;

import dev.metaembed.lucene.codec.MetaEmbedCodec;
import dev.metaembed.lucene.codec.MetaEmbedField;
import dev.metaembed.lucene.codec.MetaEmbedVectorValues;
import dev.metaembed.lucene.codec.MetaEmbedVectorsFormat;
import dev.metaembed.lucene.codec.VectorStorage;
import dev.metaembed.lucene.search.LateInteractionQuery;
import dev.metaembed.lucene.search.MaxSim;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
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

/**
 * A small index written by a released format version, checked in under {@code
 * tests/src/test/resources/format/v<version>/index.zip}, must stay readable: this test unzips it,
 * checks that {@code .mvm}/{@code .mvd} carry that version in their codec headers, compares every
 * vector of every live document bit for bit with the documents regenerated from the fixed seed
 * ({@link #SEED}; no expected values are stored), runs {@link LateInteractionQuery} exact and
 * approximate at several budgets against brute-force {@link MaxSim} over those vectors, and runs
 * CheckIndex.
 *
 * <p>The index: {@link MetaEmbedCodec}, four MetaEmbed fields, one per {@link VectorStorage} and
 * each with another similarity ({@code page_float32} COSINE, {@code page_bfloat16} EUCLIDEAN,
 * {@code page_int8} DOT_PRODUCT, {@code page_bit} MAXIMUM_INNER_PRODUCT), {@value #DIM}
 * components, 1..{@value #MAX_VECTORS} vectors per document; {@value #DOCS} documents in three
 * segments, every field missing from some documents, five documents deleted.
 *
 * <p><b>When the format changes</b> so that this build cannot read what the previous one wrote
 * unchanged, bump {@code MetaEmbedVectorsFormat.VERSION_CURRENT} (and keep reading the old version
 * in the reader), then write the new version's resource with
 *
 * <pre>
 * ./mvnw -o -q -B test -pl tests -am -Dtest=TestFormatStability -Dmetaembed.format.regenerate=true
 * </pre>
 *
 * which writes {@code tests/src/test/resources/format/v<VERSION_CURRENT>/index.zip} (from the
 * {@code tests} directory, where surefire runs) and checks it; add the version to {@link
 * #CHECKED_IN}. Keep the old directories: every checked-in version must still read back. Never
 * regenerate an old version's resource; if the generator below must change, keep the old one for
 * the old resources.
 */
public class TestFormatStability extends LuceneTestCase {
  /** Versions with a checked-in index; must include {@code VERSION_CURRENT}. */
  static final int[] CHECKED_IN = {1};

  static final long SEED = 0x4D657461456D6264L; // "MetaEmbd"
  static final int DIM = 16;
  static final int MAX_VECTORS = 8;
  static final int DOCS = 50;
  static final String[] FIELDS = {"page_float32", "page_bfloat16", "page_int8", "page_bit"};
  private static final int K = 5;

  /** Expected stored form per field: storage and similarity of each field in {@link #FIELDS}. */
  static ReferenceDocs[] fields() {
    return new ReferenceDocs[] {
      new ReferenceDocs(DIM, MAX_VECTORS, VectorSimilarityFunction.COSINE, VectorStorage.FLOAT32),
      new ReferenceDocs(DIM, MAX_VECTORS, VectorSimilarityFunction.EUCLIDEAN, VectorStorage.BFLOAT16),
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

  /** Writes the index: three segments (documents 0..19, 20..34, 35..49), then the deletes. */
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
        "format version "
            + current
            + " has no checked-in index: see this class's Javadoc",
        Arrays.stream(CHECKED_IN).anyMatch(v -> v == current));
    Path regenerated = null;
    if (Boolean.getBoolean("metaembed.format.regenerate")) {
      regenerated = Paths.get("src/test/resources/format/v" + current, "index.zip");
      regenerate(regenerated);
    }
    for (int version : CHECKED_IN) {
      Path dir = createTempDir("format-v" + version);
      String resource = "/format/v" + version + "/index.zip";
      try (InputStream zip =
          regenerated != null && version == current
              ? Files.newInputStream(regenerated) // not yet copied to the class path
              : TestFormatStability.class.getResourceAsStream(resource)) {
        assertNotNull("missing resource " + resource, zip);
        unzip(zip, dir);
      }
      try (Directory index = FSDirectory.open(dir)) {
        checkIndex(index, version);
      }
    }
  }

  private void checkIndex(Directory dir, int version) throws IOException {
    int ownFiles = 0;
    for (String file : dir.listAll()) {
      if (file.endsWith(".mvm") || file.endsWith(".mvd")) {
        assertEquals(file + ": format version", version, headerVersion(dir, file));
        ownFiles++;
      }
    }
    assertEquals("three segments, .mvm and .mvd each", 6, ownFiles);
    ReferenceDocs[] fields = fields();
    float[][][][] docs = corpus(fields);
    try (DirectoryReader reader = DirectoryReader.open(dir)) {
      assertEquals(3, reader.leaves().size());
      assertEquals(DOCS - 5, reader.numDocs());
      assertVectors(reader, fields, docs);
      assertSearches(reader, fields, docs);
    }
    TestUtil.checkIndex(dir); // throws unless clean
  }

  /** Every vector of every live document, bit for bit, and no vectors where none were indexed. */
  private static void assertVectors(
      DirectoryReader reader, ReferenceDocs[] fields, float[][][][] docs) throws IOException {
    int checked = 0;
    for (LeafReaderContext context : reader.leaves()) {
      LeafReader leaf = context.reader();
      Bits live = leaf.getLiveDocs();
      StoredFields stored = leaf.storedFields();
      for (int f = 0; f < fields.length; f++) {
        MetaEmbedVectorValues values = MetaEmbedVectorValues.get(leaf, FIELDS[f]);
        assertNotNull(FIELDS[f], values);
        assertEquals(fields[f].storage(), values.storage());
        assertEquals(fields[f].type().vectorSimilarityFunction(), values.similarityFunction());
        assertEquals(DIM, values.dimension());
        assertEquals(MAX_VECTORS, values.maxVectors());
        for (int doc = 0; doc < leaf.maxDoc(); doc++) {
          if (live != null && live.get(doc) == false) {
            continue;
          }
          int i = Integer.parseInt(stored.document(doc).get(ReferenceDocs.ID));
          assertFalse("document " + i + " was deleted", deleted(i));
          String what = "document " + i + " field " + FIELDS[f];
          if (docs[i][f] == null) {
            assertFalse(what + " has vectors", values.advanceExact(doc));
            continue;
          }
          assertTrue(what + " has no vectors", values.advanceExact(doc));
          float[][] want = fields[f].stored(docs[i][f]);
          float[][] got = values.vectors(MAX_VECTORS);
          assertEquals(what + " vector count", want.length, got.length);
          for (int v = 0; v < want.length; v++) {
            assertTrue(what + " vector " + v, Arrays.equals(want[v], got[v]));
          }
          checked++;
        }
      }
    }
    assertTrue("vectors checked: " + checked, checked > 120);
  }

  /** Exact and approximate searches, several budgets, against brute-force MaxSim. */
  private static void assertSearches(
      DirectoryReader reader, ReferenceDocs[] fields, float[][][][] docs) throws IOException {
    IndexSearcher searcher = new IndexSearcher(reader);
    int[] idOf = new int[reader.maxDoc()];
    for (LeafReaderContext context : reader.leaves()) {
      StoredFields stored = context.reader().storedFields();
      for (int doc = 0; doc < context.reader().maxDoc(); doc++) {
        idOf[context.docBase + doc] = Integer.parseInt(stored.document(doc).get(ReferenceDocs.ID));
      }
    }
    Random random = new Random(SEED + 1);
    for (int f = 0; f < fields.length; f++) {
      for (int q = 0; q < 3; q++) {
        float[][] query = fields[f].randomVectors(random);
        int[][] budgets = {{query.length, MAX_VECTORS}, {1, 1}, {Math.min(2, query.length), 3}};
        for (int[] budget : budgets) {
          float[] brute = new float[DOCS];
          List<Float> ranked = new ArrayList<>();
          for (int i = 0; i < DOCS; i++) {
            if (deleted(i) == false && docs[i][f] != null) {
              float[][] doc = fields[f].stored(docs[i][f]);
              VectorSimilarityFunction similarity = fields[f].type().vectorSimilarityFunction();
              brute[i] =
                  MaxSim.score(query, budget[0], doc, Math.min(budget[1], doc.length), similarity);
              ranked.add(brute[i]);
            }
          }
          ranked.sort((a, b) -> Float.compare(b, a));
          var builder = LateInteractionQuery.builder(FIELDS[f], query).k(K).budget(budget[0], budget[1]);
          String what = FIELDS[f] + " query " + q + " budget " + Arrays.toString(budget);
          assertHits(what + " exact", searcher.search(builder.exact().build(), K), brute, ranked, idOf);
          // segments this small have no HNSW graph: the approximate path scores every candidate
          var approximate = LateInteractionQuery.builder(FIELDS[f], query).k(K).budget(budget[0], budget[1]);
          assertHits(what + " approximate", searcher.search(approximate.candidates(50).build(), K), brute, ranked, idOf);
        }
      }
    }
  }

  private static void assertHits(
      String what, TopDocs hits, float[] brute, List<Float> ranked, int[] idOf) {
    assertEquals(what + ": hits", Math.min(K, ranked.size()), hits.scoreDocs.length);
    for (int h = 0; h < hits.scoreDocs.length; h++) {
      ScoreDoc hit = hits.scoreDocs[h];
      float want = brute[idOf[hit.doc]];
      float tolerance = 1e-5f * Math.max(1f, Math.abs(want));
      assertEquals(what + ": score of document " + idOf[hit.doc], want, hit.score, tolerance);
      assertEquals(what + ": score at rank " + h, ranked.get(h), hit.score, tolerance);
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

  /** Writes the current version's index into {@code zip} (see the class Javadoc). */
  private static void regenerate(Path zip) throws IOException {
    Path tmp = createTempDir("format-regenerate");
    try (Directory dir = FSDirectory.open(tmp)) {
      write(dir);
    }
    Files.createDirectories(zip.getParent());
    try (OutputStream out = Files.newOutputStream(zip);
        ZipOutputStream zipOut = new ZipOutputStream(out)) {
      List<Path> files;
      try (var list = Files.list(tmp)) {
        files = list.filter(p -> p.getFileName().toString().equals("write.lock") == false).sorted().toList();
      }
      for (Path file : files) {
        zipOut.putNextEntry(new ZipEntry(file.getFileName().toString()));
        Files.copy(file, zipOut);
        zipOut.closeEntry();
      }
    }
    System.out.println("TestFormatStability: wrote " + zip.toAbsolutePath() + " (" + Files.size(zip) + " bytes)");
  }

  private static void unzip(InputStream zip, Path dir) throws IOException {
    try (ZipInputStream in = new ZipInputStream(zip)) {
      for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
        Files.copy(in, dir.resolve(entry.getName()));
      }
    }
  }
}
