package dev.metaembed.tests;

import com.carrotsearch.randomizedtesting.RandomizedContext;
import com.carrotsearch.randomizedtesting.annotations.Timeout;
import dev.metaembed.lucene.codec.MetaEmbedCodec;
import dev.metaembed.lucene.codec.MetaEmbedVectorValues;
import dev.metaembed.lucene.codec.MetaEmbedVectorsFormat;
import dev.metaembed.lucene.codec.VectorStorage;
import dev.metaembed.lucene.search.LateInteractionQuery;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.CheckIndex;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexFormatTooNewException;
import org.apache.lucene.index.IndexFormatTooOldException;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.LogDocMergePolicy;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.SegmentCommitInfo;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FilterDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.store.MMapDirectory;
import org.apache.lucene.store.NoLockFactory;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.util.Bits;

/**
 * Damages every file {@code MetaEmbedVectorsFormat} writes in a whole index and checks that the
 * damage is always detected and never turns into a silent wrong answer or an unrelated exception.
 *
 * <p>The index: {@link MetaEmbedCodec}, one MetaEmbed field {@code page} with a random {@link
 * VectorStorage}, similarity and shape, some documents without the field (sparse doc-id set),
 * three or more segments (one of them merged), deletes, no compound files. For every segment,
 * every file {@link MetaEmbedVectorsFormat} writes: its own {@code .mvm} and {@code .mvd}, and the
 * HNSW graph files {@code .vec .vex .vem .vemf} (the codec sets the format for all vector fields
 * without a per-field wrapper, so the names carry no suffix: {@code _0.mvm}, {@code _0.vex}; the
 * test takes them from each segment's file list and requires all six). Each file gets byte flips
 * (one in the codec header, several in the body, one in the footer) and truncations (in the
 * header, the body and the footer), one at a time: the index is read with that one file replaced
 * by its damaged copy.
 *
 * <p><b>The guarantee tested</b>, for every damaged copy:
 *
 * <ol>
 *   <li><b>Detection.</b> The damage is reported by at least one of: {@code DirectoryReader.open},
 *       {@code checkIntegrity()} of every leaf, or {@link CheckIndex} (status not clean). Open and
 *       {@code checkIntegrity} may only fail with {@link CorruptIndexException}; {@link
 *       IndexFormatTooOldException}/{@link IndexFormatTooNewException} are accepted only when the
 *       damaged byte lies in the file's codec header (it is read as the version number). A file
 *       cut inside its header ends in an {@link EOFException} in the reader, which Lucene's
 *       {@code SegmentCoreReaders} reports as {@link CorruptIndexException}.
 *   <li><b>Searches never misbehave.</b> When the index opens, {@link LateInteractionQuery}
 *       searches (exact and approximate, several budgets) and reading every document's vectors
 *       either fail with an {@link IOException} (usually {@link CorruptIndexException} or {@link
 *       EOFException}) or return results. Nothing else: no {@code ArrayIndexOutOfBounds}, {@code
 *       NegativeArraySize}, {@code OutOfMemoryError}, {@code IllegalArgumentException}, NPE,
 *       assertion or endless loop (the class has a {@link Timeout}). One exception, not ours:
 *       Lucene's HNSW reader does not validate what it reads from its own data files, and tests
 *       run with {@code -ea}, so a damaged {@code .vec} or {@code .vex} may trip Lucene's own
 *       assertions during a search (a finite distance in {@code VectorUtil}, a node or level in
 *       range in {@code OffHeapHnswGraph.seek} or {@code HnswGraphSearcher}). An {@link
 *       AssertionError} thrown inside {@code org.apache.lucene} is accepted for graph files, and
 *       for {@code .mvd} only the one of {@code VectorUtil} (EUCLIDEAN scoring of queries the lane
 *       kernels do not take passes the decoded floats to Lucene's {@code
 *       VectorUtil.squareDistance}, which asserts a finite result; a
 *       damaged exponent byte can overflow it, e.g. seed {@code FC37C0FD8B7A9006:C0BABD0B49140DE};
 *       without -ea the score is not finite and the damage is still reported by {@code
 *       checkIntegrity}). Each is counted in the summary by where it was thrown.
 *   <li><b>Wrong results only with detection.</b> Lucene verifies data-file checksums only in
 *       {@code checkIntegrity}, CheckIndex and merges, so a search may read a damaged float of
 *       {@code .mvd} or {@code .vec} before anyone checks it: results may be wrong, but only for
 *       damage that {@code checkIntegrity} (or open) reports. If nothing reported the damage, the
 *       searches must return exactly the undamaged index's hits and scores, and every vector
 *       must match bit for bit.
 * </ol>
 *
 * <p>Prints a summary (tried / detected by which mechanism, per file type, flips vs truncations)
 * with the seed. The default run damages about 120 copies of an index of ~900 documents (one
 * segment large enough for Lucene to build an HNSW graph) plus 48 in {@link
 * #testDamagedVectorStartsAreReportedAsCorruption} (both read in memory, {@code
 * ByteBuffersDirectory}) and about 70 read through {@code MMapDirectory} in {@link
 * #testDamageThroughMMapDirectoryIsDetected}, runs CheckIndex on every copy nothing else
 * flagged and on one in eight of the others, and one query set. Longer: {@code
 * -Dmetaembed.corruption.flips=N} byte flips in each file's body (default 2), {@code
 * -Dmetaembed.corruption.checkindex=all} (CheckIndex with slow checks on every copy, three query
 * sets) and {@code -Dtests.iters=N} for more random indexes, e.g. {@code ./mvnw -o -q -B test -pl
 * tests -am -Dtest=TestCorruptionDetection -Dtests.iters=5 -Dmetaembed.corruption.flips=20
 * -Dmetaembed.corruption.checkindex=all}.
 */
@Timeout(millis = 20 * 60 * 1000)
public class TestCorruptionDetection extends LuceneTestCase {
  private static final String FIELD = ReferenceDocs.FIELD;

  /** Our own files first, then the graph format's. */
  private static final List<String> EXTENSIONS = List.of("mvm", "mvd", "vec", "vex", "vem", "vemf");

  private static final int FOOTER = 16;
  private static final boolean CHECK_INDEX_ALWAYS =
      "all".equals(System.getProperty("metaembed.corruption.checkindex"));

  private Map<String, float[][]> expected; // id → stored vectors; empty array: no vectors
  private List<Query> queries;
  private List<TopDocs> baseline;
  private List<String[]> ids; // per leaf of the undamaged index: doc → id

  /** The folder of an index on disk: damaged copies are then whole folders read by MMapDirectory. */
  private Path onDisk;

  public void testDamageIsDetectedAndNeverMisread() throws Exception {
    int bodyFlips = Integer.getInteger("metaembed.corruption.flips", 2);
    Tally tally = new Tally();
    try (Directory source = new ByteBuffersDirectory()) { // in memory: hundreds of opens
      String description = prepare(source, true);
      List<String> files = formatFiles(source);
      boolean graph = false;
      for (String file : files) {
        graph |=
            file.endsWith(".vex") && source.fileLength(file) > headerLength(source, file) + FOOTER;
      }
      assertTrue("some segment has an HNSW graph", graph);
      for (String file : files) {
        long length = source.fileLength(file);
        long header = headerLength(source, file);
        long body = length - header - FOOTER; // 0 for a file with nothing to say (an empty .vex)
        List<Long> flips = new ArrayList<>();
        flips.add(random().nextLong(header));
        for (int i = 0; i < bodyFlips && body > 0; i++) {
          flips.add(header + random().nextLong(body));
        }
        flips.add(length - FOOTER + random().nextInt(FOOTER));
        for (long at : flips) {
          check(source, file, at, false, header, tally);
        }
        List<Long> cuts = new ArrayList<>();
        cuts.add(random().nextLong(header));
        if (body > 0) {
          cuts.add(header + random().nextLong(body));
        }
        cuts.add(length - FOOTER + random().nextInt(FOOTER));
        for (long at : cuts) {
          check(source, file, at, true, header, tally);
        }
      }
      report(description, tally);
    }
  }

  /**
   * Flips each of the last 16 bytes of every {@code .mvd} body, the end of the field's vector-start
   * table (with enough documents, only the last starts; with few, the doc-id set before them too): a damaged start once made a negative vector count that
   * reached {@code MaxSimScorer} as an {@link IllegalArgumentException}; now the reader checks
   * every count and reports {@link CorruptIndexException}.
   */
  public void testDamagedVectorStartsAreReportedAsCorruption() throws Exception {
    Tally tally = new Tally();
    try (Directory source = new ByteBuffersDirectory()) { // in memory: hundreds of opens
      String description = prepare(source, false);
      for (String file : formatFiles(source)) {
        if (file.endsWith(".mvd")) {
          long header = headerLength(source, file);
          long end = source.fileLength(file) - FOOTER;
          for (long at = Math.max(header, end - 16); at < end; at++) {
            check(source, file, at, false, header, tally);
          }
        }
      }
      report(description, tally);
    }
  }

  /**
   * The same promises read through {@link MMapDirectory}, the directory real indexes use, with its
   * {@code prefetch} (madvise) path, which approximate searches take for their candidates'
   * prefixes: the index is written to disk, and each damaged copy is a folder of hard links to the
   * undamaged files plus the damaged one. Fewer damages than the in-memory test: a byte flip in
   * the header, one in the body and one in the footer of every file, and a cut in its body.
   */
  public void testDamageThroughMMapDirectoryIsDetected() throws Exception {
    Tally tally = new Tally();
    onDisk = createTempDir("mmap-source");
    try (Directory source = new MMapDirectory(onDisk)) {
      String description = prepare(source, true);
      for (String file : formatFiles(source)) {
        long length = source.fileLength(file);
        long header = headerLength(source, file);
        long body = length - header - FOOTER;
        check(source, file, random().nextLong(header), false, header, tally);
        if (body > 0) {
          check(source, file, header + random().nextLong(body), false, header, tally);
          check(source, file, header + random().nextLong(body), true, header, tally);
        }
        check(source, file, length - FOOTER + random().nextInt(FOOTER), false, header, tally);
      }
      report(description + ", MMapDirectory", tally);
    }
  }

  /** Builds the index in {@code source}, checks it and records the undamaged answers. */
  private String prepare(Directory source, boolean withGraph) throws IOException {
    String description = buildIndex(source, withGraph);
    try (DirectoryReader reader = DirectoryReader.open(source)) {
      assertTrue("several segments", reader.leaves().size() >= 3);
      assertTrue("deletes", reader.hasDeletions());
      ids = new ArrayList<>();
      for (LeafReaderContext context : reader.leaves()) {
        StoredFields stored = context.reader().storedFields();
        String[] leafIds = new String[context.reader().maxDoc()];
        for (int doc = 0; doc < leafIds.length; doc++) {
          leafIds[doc] = stored.document(doc).get(ReferenceDocs.ID);
        }
        ids.add(leafIds);
      }
      assertTrue("the undamaged index holds the reference vectors", vectorsMatch(reader));
      baseline = search(reader);
    }
    return description;
  }

  private void report(String description, Tally tally) {
    String seed = RandomizedContext.current().getRunnerSeedAsString();
    System.out.println(getTestName() + " seed=" + seed + " index: " + description + "\n" + tally);
    assertTrue(tally.tried > 0);
    assertEquals("every damaged copy detected", tally.tried, tally.detected);
  }

  /** Damages one copy of {@code source} and checks the three promises of the class Javadoc. */
  private void check(
      Directory source, String file, long at, boolean truncate, long header, Tally tally)
      throws IOException {
    String what =
        file
            + (truncate ? " truncated to " : " byte flipped at ")
            + at
            + " of "
            + source.fileLength(file);
    String extension = file.substring(file.lastIndexOf('.') + 1);
    boolean ownFile = extension.equals("mvm") || extension.equals("mvd");
    List<String> mechanisms = new ArrayList<>();
    Throwable searchFailure = null;
    boolean sameAnswers = false;
    try (Directory copy = withDamage(source, file, at, truncate)) {
      DirectoryReader opened = null;
      try {
        opened = DirectoryReader.open(copy);
      } catch (CorruptIndexException e) {
        mechanisms.add("open");
      } catch (IndexFormatTooOldException | IndexFormatTooNewException e) {
        if (at >= header || truncate) {
          throw new AssertionError(what + ": version error outside the header", e);
        }
        mechanisms.add("open(version)");
      } catch (Throwable t) {
        throw new AssertionError(what + ": unrelated exception at open", t);
      }
      if (opened != null) {
        try (DirectoryReader reader = opened) {
          for (LeafReaderContext leaf : reader.leaves()) {
            try {
              leaf.reader().checkIntegrity();
            } catch (CorruptIndexException e) {
              mechanisms.add("checkIntegrity");
              break;
            } catch (Throwable t) {
              throw new AssertionError(what + ": unrelated exception in checkIntegrity", t);
            }
          }
          try {
            sameAnswers = sameTopDocs(baseline, search(reader)) && vectorsMatch(reader);
          } catch (IOException e) {
            searchFailure = e;
          } catch (AssertionError e) {
            if (ownFile ? thrownByVectorUtil(e) == false : thrownByLucene(e) == false) {
              throw new AssertionError(what + ": search or vector read threw " + e, e);
            }
            searchFailure = e; // Lucene's own -ea check on a value read from a data file
          } catch (Throwable t) {
            throw new AssertionError(what + ": search or vector read threw " + t, t);
          }
        }
      }
      // CheckIndex is the slow part: run it when nothing else saw the damage, and on a sample
      // (all with -Dmetaembed.corruption.checkindex=all) where it must agree
      if (mechanisms.isEmpty() || CHECK_INDEX_ALWAYS || random().nextInt(8) == 0) {
        boolean clean = runCheckIndex(copy);
        if (mechanisms.isEmpty() == false) {
          assertFalse(what + ": " + mechanisms + " saw it, CheckIndex did not", clean);
          tally.checkIndexAgreed++;
        } else if (clean == false) {
          mechanisms.add("CheckIndex");
        }
      }
    }
    if (mechanisms.isEmpty()) {
      tally.count(extension, truncate, "UNDETECTED");
      assertNull(what + ": undetected, but reading failed", searchFailure);
      assertTrue(what + ": undetected, and searches or vectors differ", sameAnswers);
      return;
    }
    tally.detected++;
    tally.count(extension, truncate, mechanisms.get(0));
    if (searchFailure != null) {
      String where =
          searchFailure instanceof AssertionError
              ? " in "
                  + searchFailure.getStackTrace()[0].getClassName().replaceAll(".*\\.", "")
                  + "."
                  + searchFailure.getStackTrace()[0].getMethodName()
                  + " ("
                  + extension
                  + ")"
              : "";
      tally.searchFailures.merge(searchFailure.getClass().getSimpleName() + where, 1, Integer::sum);
    } else if (mechanisms.get(0).startsWith("open") == false) {
      tally.searchFailures.merge(
          sameAnswers ? "(ran, same answers)" : "(ran, answers differ)", 1, Integer::sum);
    }
  }

  /** Lucene's {@code VectorUtil} asserts (with -ea) that the distance it computed is finite. */
  private static boolean thrownByVectorUtil(Throwable t) {
    StackTraceElement[] trace = t.getStackTrace();
    return trace.length > 0 && trace[0].getClassName().equals("org.apache.lucene.util.VectorUtil");
  }

  private static boolean thrownByLucene(Throwable t) {
    StackTraceElement[] trace = t.getStackTrace();
    return trace.length > 0 && trace[0].getClassName().startsWith("org.apache.lucene.");
  }

  /** With {@code withGraph}, one segment is large enough to get an HNSW graph (slower). */
  private String buildIndex(Directory dir, boolean withGraph) throws IOException {
    int dim = 2 + random().nextInt(7);
    int maxVectors = 2 + random().nextInt(4);
    VectorSimilarityFunction similarity =
        VectorSimilarityFunction.values()[
            random().nextInt(VectorSimilarityFunction.values().length)];
    VectorStorage storage = VectorStorage.values()[random().nextInt(VectorStorage.values().length)];
    ReferenceDocs ref = new ReferenceDocs(dim, maxVectors, similarity, storage);
    Map<String, float[][]> want = new HashMap<>();
    IndexWriterConfig iwc =
        newIndexWriterConfig()
            .setCodec(new MetaEmbedCodec())
            .setUseCompoundFile(false)
            .setMergePolicy(NoMergePolicy.INSTANCE)
            .setMaxBufferedDocs(IndexWriterConfig.DISABLE_AUTO_FLUSH)
            .setRAMBufferSizeMB(64);
    int next = 0;
    try (IndexWriter writer = new IndexWriter(dir, iwc)) {
      for (int batch = 0; batch < 4; batch++) {
        // the merged segment (batches 0 and 1) is large enough for Lucene to build an HNSW graph
        // (it skips the graph below ~700 vectors), so .vex has a body to damage
        int docs = batch == 0 && withGraph ? 880 : 8 + random().nextInt(10);
        for (int i = 0; i < docs; i++) {
          String id = Integer.toString(next++);
          if (random().nextInt(batch == 0 ? 20 : 6) == 0) { // no vectors: sparse doc ids
            Document doc = new Document();
            doc.add(new StringField(ReferenceDocs.ID, id, Field.Store.YES));
            writer.addDocument(doc);
            want.put(id, new float[0][]);
          } else {
            float[][] vectors = ref.randomVectors(random());
            writer.addDocument(ref.document(id, vectors));
            want.put(id, ref.stored(vectors));
          }
        }
        for (int d = 0; d < 2; d++) {
          String id = Integer.toString(random().nextInt(next));
          writer.deleteDocuments(new Term(ReferenceDocs.ID, id));
          want.remove(id);
        }
        writer.commit();
        if (batch == 1) { // merge the first two segments: the merged prefix store too
          LogDocMergePolicy merge = new LogDocMergePolicy();
          merge.setNoCFSRatio(0);
          writer.getConfig().setMergePolicy(merge);
          writer.forceMerge(1);
          writer.getConfig().setMergePolicy(NoMergePolicy.INSTANCE);
          writer.commit();
        }
      }
    }
    expected = want;
    Random r = random();
    queries = new ArrayList<>();
    for (int q = 0; q < (CHECK_INDEX_ALWAYS ? 3 : 1); q++) {
      float[][] vectors = ref.randomVectors(r);
      int qn = vectors.length;
      queries.add(LateInteractionQuery.builder(FIELD, vectors).k(5).exact().build());
      queries.add(LateInteractionQuery.builder(FIELD, vectors).k(5).budget(1, 1).exact().build());
      queries.add(
          LateInteractionQuery.builder(FIELD, vectors).k(5).budget(qn, 2).candidates(8).build());
      queries.add(
          LateInteractionQuery.builder(FIELD, vectors).k(5).budget(1, 1).candidates(6).build());
      queries.add(LateInteractionQuery.builder(FIELD, vectors).k(10).build());
    }
    return storage
        + " "
        + similarity
        + " dim="
        + dim
        + " maxVectors="
        + maxVectors
        + " docs="
        + next;
  }

  /** The files of the per-field MetaEmbed format, for every segment; all six kinds in each. */
  private static List<String> formatFiles(Directory dir) throws IOException {
    List<String> files = new ArrayList<>();
    for (SegmentCommitInfo segment : SegmentInfos.readLatestCommit(dir)) {
      List<String> own = new ArrayList<>();
      for (String file : segment.files()) {
        String extension = file.substring(file.lastIndexOf('.') + 1);
        if (EXTENSIONS.contains(extension)) {
          own.add(file);
        }
      }
      assertEquals(segment.info.name + " files " + segment.files(), EXTENSIONS.size(), own.size());
      own.sort(null);
      files.addAll(own);
    }
    return files;
  }

  /** Length of the file's {@code CodecUtil} index header, read from the file. */
  private static long headerLength(Directory dir, String file) throws IOException {
    try (IndexInput in = dir.openInput(file, IOContext.READONCE)) {
      in.readInt(); // magic
      in.readString(); // codec name
      in.readInt(); // version
      in.skipBytes(16); // segment id
      in.skipBytes(in.readByte() & 0xFF); // suffix
      return in.getFilePointer();
    }
  }

  /**
   * {@code source} with {@code victim} replaced by a damaged copy (byte {@code at} flipped, or cut
   * there); the other files are read from {@code source} itself, not copied.
   */
  private Directory withDamage(Directory source, String victim, long at, boolean truncate)
      throws IOException {
    if (onDisk != null) {
      return onDiskWithDamage(source, victim, at, truncate);
    }
    Directory damaged = new ByteBuffersDirectory();
    try (IndexInput in = source.openInput(victim, IOContext.READONCE);
        IndexOutput out = damaged.createOutput(victim, IOContext.DEFAULT)) {
      out.copyBytes(in, at);
      if (truncate == false) {
        out.writeByte((byte) (in.readByte() ^ (1 + random().nextInt(255))));
        out.copyBytes(in, in.length() - at - 1);
      }
    }
    return new FilterDirectory(source) {
      @Override
      public long fileLength(String name) throws IOException {
        return name.equals(victim) ? damaged.fileLength(name) : super.fileLength(name);
      }

      @Override
      public IndexInput openInput(String name, IOContext context) throws IOException {
        return name.equals(victim)
            ? damaged.openInput(name, context)
            : super.openInput(name, context);
      }

      @Override
      public void close() throws IOException {
        damaged.close(); // not the source
      }
    };
  }

  /** A new folder: hard links to {@link #onDisk}'s files, {@code victim} a damaged copy. */
  private Directory onDiskWithDamage(Directory source, String victim, long at, boolean truncate)
      throws IOException {
    Path folder = createTempDir("damaged");
    for (String file : source.listAll()) {
      // the test framework's file system may already have put an extra file in the new folder
      if (file.equals(victim) == false && Files.exists(folder.resolve(file)) == false) {
        Files.createLink(folder.resolve(file), onDisk.resolve(file));
      }
    }
    byte[] bytes = Files.readAllBytes(onDisk.resolve(victim));
    if (truncate) {
      bytes = Arrays.copyOf(bytes, (int) at);
    } else {
      bytes[(int) at] ^= (byte) (1 + random().nextInt(255));
    }
    Files.write(folder.resolve(victim), bytes);
    return new MMapDirectory(folder);
  }

  private List<TopDocs> search(IndexReader reader) throws IOException {
    IndexSearcher searcher = new IndexSearcher(reader); // no wrapping: exceptions as thrown
    List<TopDocs> results = new ArrayList<>();
    for (Query query : queries) {
      results.add(searcher.search(query, 10));
    }
    return results;
  }

  private static boolean sameTopDocs(List<TopDocs> want, List<TopDocs> got) {
    for (int i = 0; i < want.size(); i++) {
      ScoreDoc[] a = want.get(i).scoreDocs;
      ScoreDoc[] b = got.get(i).scoreDocs;
      if (a.length != b.length) {
        return false;
      }
      for (int j = 0; j < a.length; j++) {
        if (a[j].doc != b[j].doc || Float.compare(a[j].score, b[j].score) != 0) {
          return false;
        }
      }
    }
    return true;
  }

  /** Reads every live document's vectors; true when they are exactly {@link #expected}. */
  private boolean vectorsMatch(IndexReader reader) throws IOException {
    int seen = 0;
    boolean same = true;
    for (LeafReaderContext context : reader.leaves()) {
      LeafReader leaf = context.reader();
      Bits live = leaf.getLiveDocs();
      String[] leafIds = ids.get(context.ord); // damaged copies have the same segments and docs
      MetaEmbedVectorValues values = MetaEmbedVectorValues.get(leaf, FIELD);
      for (int doc = 0; doc < leaf.maxDoc(); doc++) {
        if (live != null && live.get(doc) == false) {
          continue;
        }
        seen++;
        float[][] want = expected.get(leafIds[doc]);
        boolean has = values != null && values.advanceExact(doc);
        float[][] got = has ? values.vectors(values.maxVectors()) : new float[0][];
        if (want == null || want.length != got.length) {
          same = false;
          continue;
        }
        for (int i = 0; i < want.length; i++) {
          same &= Arrays.equals(want[i], got[i]);
        }
      }
    }
    return same && seen == expected.size();
  }

  /**
   * True when CheckIndex finds the index clean: checksums of every file and Lucene's checks of
   * every segment (its slow checks, which also read every vector, with {@code
   * -Dmetaembed.corruption.checkindex=all}).
   */
  private static boolean runCheckIndex(Directory dir) {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try (CheckIndex checker = new CheckIndex(dir, NoLockFactory.INSTANCE.obtainLock(dir, "none"))) {
      checker.setLevel(
          CHECK_INDEX_ALWAYS
              ? CheckIndex.Level.MIN_LEVEL_FOR_SLOW_CHECKS
              : CheckIndex.Level.MIN_LEVEL_FOR_INTEGRITY_CHECKS);
      checker.setInfoStream(new PrintStream(log, false, StandardCharsets.UTF_8), false);
      return checker.checkIndex().clean;
    } catch (Throwable t) {
      return false; // CheckIndex could not even read the commit: broken
    }
  }

  /** Corruptions tried, and the first mechanism that detected each, by file type and kind. */
  private static final class Tally {
    int tried;
    int detected;
    final Map<String, Map<String, Integer>> byFile = new TreeMap<>();
    int checkIndexAgreed;
    final Map<String, Integer> searchFailures = new TreeMap<>();

    void count(String extension, boolean truncate, String mechanism) {
      tried++;
      byFile
          .computeIfAbsent(extension + (truncate ? " truncate" : " flip"), k -> new TreeMap<>())
          .merge(mechanism, 1, Integer::sum);
    }

    @Override
    public String toString() {
      StringBuilder s = new StringBuilder();
      s.append("  tried ").append(tried).append(", detected ").append(detected).append('\n');
      byFile.forEach((k, v) -> s.append("  ").append(k).append(": ").append(v).append('\n'));
      s.append("  CheckIndex also reported ").append(checkIndexAgreed).append(" detected ones\n");
      s.append("  searches on damaged copies that opened: ").append(searchFailures);
      return s.toString();
    }
  }
}
