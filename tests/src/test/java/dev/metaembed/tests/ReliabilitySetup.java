package dev.metaembed.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import dev.metaembed.lucene.codec.MetaEmbedCodec;
import dev.metaembed.lucene.codec.MetaEmbedField;
import dev.metaembed.lucene.codec.MetaEmbedVectorValues;
import dev.metaembed.lucene.codec.VectorStorage;
import java.io.IOException;
import java.util.Map;
import java.util.Random;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.index.CheckIndex;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SerialMergeScheduler;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.analysis.MockAnalyzer;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.tests.util.TestUtil;
import org.apache.lucene.util.Bits;

/**
 * What {@link TestFaultInjection} and {@link TestCrashRecovery} share: a random MetaEmbed field,
 * a writer config that runs merges in the calling thread (so faults and crashes inside merges
 * surface where the test can see them), commit numbers carried in commit user data, and the check
 * that a directory's last commit is exactly a given state.
 */
final class ReliabilitySetup {
  /** Commit user data key: the test's number of the commit. */
  static final String COMMIT = "metaembed.commit";

  /** The optional second MetaEmbed field, a copy of {@link ReferenceDocs#FIELD}. */
  static final String COPY = "copy";

  /** Rounds to run; {@code -Dmetaembed.reliability.iterations=N} for the long variant. */
  static int iterations(int suiteDefault) {
    return Integer.getInteger("metaembed.reliability.iterations", suiteDefault);
  }

  /** A field of random shape, similarity and storage encoding. */
  static ReferenceDocs randomField(Random random) {
    VectorSimilarityFunction[] similarities = VectorSimilarityFunction.values();
    VectorStorage[] storages = VectorStorage.values();
    return new ReferenceDocs(
        TestUtil.nextInt(random, 2, 16),
        TestUtil.nextInt(random, 1, 8),
        similarities[random.nextInt(similarities.length)],
        storages[random.nextInt(storages.length)]);
  }

  /**
   * Lucene's randomized config with the MetaEmbed codec and a serial merge scheduler; sometimes an
   * index sort, which makes the format buffer vectors in a temporary file and copy them sorted.
   */
  static IndexWriterConfig writerConfig(Random random, boolean sorted) {
    IndexWriterConfig config =
        LuceneTestCase.newIndexWriterConfig(random, new MockAnalyzer(random));
    config.setCodec(new MetaEmbedCodec());
    config.setMergeScheduler(new SerialMergeScheduler());
    config.setCommitOnClose(false);
    config.setMaxBufferedDocs(TestUtil.nextInt(random, 2, 40));
    if (sorted) {
      config.setIndexSort(new Sort(new SortField("rank", SortField.Type.LONG)));
    }
    return config;
  }

  /**
   * The reference's document plus the sort key and, with {@code copy}, a second MetaEmbed field
   * with the same vectors (a segment's second MetaEmbed field goes through a temporary file).
   */
  static Document document(
      ReferenceDocs ref, String id, float[][] vectors, Random random, boolean copy) {
    Document doc = ref.document(id, vectors);
    doc.add(new NumericDocValuesField("rank", random.nextInt(50)));
    if (copy) {
      doc.add(new MetaEmbedField(COPY, vectors, ref.type()));
    }
    return doc;
  }

  static void setCommitNumber(IndexWriter writer, long number) {
    writer.setLiveCommitData(Map.of(COMMIT, Long.toString(number)).entrySet());
  }

  static long commitNumber(DirectoryReader reader) throws IOException {
    String number = reader.getIndexCommit().getUserData().get(COMMIT);
    assertNotNull("commit carries no commit number", number);
    return Long.parseLong(number);
  }

  /** The number of the last commit in {@code dir}. */
  static long lastCommitNumber(Directory dir) throws IOException {
    try (DirectoryReader reader = DirectoryReader.open(dir)) {
      return commitNumber(reader);
    }
  }

  /**
   * Asserts that the last commit of {@code dir} opens, is commit {@code number}, holds exactly
   * {@code want} bit for bit, and passes CheckIndex (with its slow checks, vectors included).
   */
  static void assertLastCommit(Directory dir, long number, Map<String, float[][]> want)
      throws IOException {
    try (DirectoryReader reader = DirectoryReader.open(dir)) {
      assertEquals("last commit", number, commitNumber(reader));
      ReferenceDocs.assertSameDocuments(reader, want);
      assertSameCopy(reader);
    }
    // not concurrent: MockDirectoryWrapper's locks would deadlock CheckIndex's threads
    TestUtil.checkIndex(dir, CheckIndex.Level.MIN_LEVEL_FOR_SLOW_CHECKS, true, false, null);
  }

  /** Where a document has the {@link #COPY} field, its vectors equal the first field's bit for bit. */
  private static void assertSameCopy(IndexReader reader) throws IOException {
    for (LeafReaderContext context : reader.leaves()) {
      LeafReader leaf = context.reader();
      MetaEmbedVectorValues copy = MetaEmbedVectorValues.get(leaf, COPY);
      if (copy == null) {
        continue;
      }
      MetaEmbedVectorValues page = MetaEmbedVectorValues.get(leaf, ReferenceDocs.FIELD);
      Bits live = leaf.getLiveDocs();
      for (int doc = 0; doc < leaf.maxDoc(); doc++) {
        if ((live == null || live.get(doc)) && copy.advanceExact(doc)) {
          assertTrue(page.advanceExact(doc));
          float[][] want = page.vectors(page.maxVectors());
          float[][] got = copy.vectors(copy.maxVectors());
          assertEquals(want.length, got.length);
          for (int i = 0; i < want.length; i++) {
            for (int c = 0; c < want[i].length; c++) {
              assertEquals(
                  "copy of doc " + doc + " vector " + i,
                  Float.floatToRawIntBits(want[i][c]),
                  Float.floatToRawIntBits(got[i][c]));
            }
          }
        }
      }
    }
  }

  private ReliabilitySetup() {}
}
