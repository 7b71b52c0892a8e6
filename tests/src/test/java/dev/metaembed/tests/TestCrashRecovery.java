package dev.metaembed.tests;

import com.carrotsearch.randomizedtesting.RandomizedContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.Term;
import org.apache.lucene.tests.index.RandomIndexWriter;
import org.apache.lucene.tests.store.MockDirectoryWrapper;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.tests.util.TestUtil;

/**
 * Crashes a {@link MockDirectoryWrapper} ({@code crash()}: every file not yet fsynced is deleted,
 * zeroed, truncated, bit-flipped or left alone, and nothing more can be written) while MetaEmbed
 * documents are added, updated and deleted, at random points: after a batch of operations, in the
 * middle of a flush or a merge (while any file of it, or a MetaEmbed file in particular, is being
 * written), when a merged segment is complete but not yet published, while a commit syncs its
 * files, between {@code prepareCommit()} and {@code commit()}, at the commit's rename, and right
 * after a commit. After each crash the index must open at exactly the last commit that completed
 * (its commit number in the user data), with exactly that commit's documents, every vector bit for
 * bit, and pass CheckIndex; a new writer then carries on from it.
 *
 * <p>The suite simulates {@value #SUITE_CRASHES} crashes or more (a fresh index, field shape and
 * storage every few); {@code -Dmetaembed.reliability.iterations=N} simulates N. A summary line with
 * the points crashed at is always printed.
 */
public class TestCrashRecovery extends LuceneTestCase {
  static final int SUITE_CRASHES = 12;
  private static final int CRASHES_PER_INDEX = 8;

  /** Where to crash. */
  private enum Point {
    AFTER_OPERATIONS,
    MID_FLUSH,
    MID_MERGE,
    MID_METAEMBED_WRITE,
    MERGED_NOT_PUBLISHED,
    COMMIT_SYNC,
    BETWEEN_PREPARE_AND_COMMIT,
    COMMIT_RENAME,
    AFTER_COMMIT
  }

  private final Map<String, Integer> counts = new TreeMap<>();
  private Random random;
  private MockDirectoryWrapper dir;
  private ReferenceDocs ref;
  private boolean sorted;
  private boolean copyField;
  private final CrashAt crashAt = new CrashAt();
  private IndexWriter writer;
  private long committedNumber;
  private Map<String, float[][]> committed;
  private Map<String, float[][]> pending;
  private int nextId;

  public void testCrashAtRandomPoints() throws IOException {
    random = random();
    int crashes = Math.max(ReliabilitySetup.iterations(atLeast(random, SUITE_CRASHES)), 1);
    for (int done = 0; done < crashes; done += CRASHES_PER_INDEX) {
      index(Math.min(CRASHES_PER_INDEX, crashes - done));
    }
    String seed = RandomizedContext.current().getRunnerSeedAsString();
    System.out.println("TestCrashRecovery seed=" + seed + " crashes=" + crashes + " " + counts);
    assertEquals(crashes, (int) counts.get("crashes"));
  }

  private void index(int crashes) throws IOException {
    ref = ReliabilitySetup.randomField(random);
    sorted = random.nextInt(4) == 0;
    copyField = random.nextInt(4) == 0;
    dir = newMockDirectory(random);
    dir.failOn(crashAt);
    committed = Map.of();
    committedNumber = 0;
    nextId = 0;
    openWriter();
    ReliabilitySetup.setCommitNumber(writer, 0);
    writer.commit();
    pending = new HashMap<>();
    for (int i = 0; i < crashes; i++) {
      operations(TestUtil.nextInt(random, 5, 40));
      crash(Point.values()[random.nextInt(Point.values().length)]);
    }
    writer.close();
    dir.close();
  }

  /** Adds, updates, deletes and flushes, committing now and then. */
  private void operations(int n) throws IOException {
    for (int i = 0; i < n; i++) {
      int r = random.nextInt(100);
      if (r < 50 || pending.isEmpty()) {
        add("doc" + nextId++);
      } else if (r < 70) {
        add(randomId());
      } else if (r < 85) {
        String id = randomId();
        writer.deleteDocuments(new Term(ReferenceDocs.ID, id));
        pending.remove(id);
      } else if (r < 95) {
        writer.flush();
      } else {
        commit();
      }
    }
  }

  private void add(String id) throws IOException {
    float[][] vectors = ref.randomVectors(random);
    writer.updateDocument(
        new Term(ReferenceDocs.ID, id),
        ReliabilitySetup.document(ref, id, vectors, random, copyField));
    pending.put(id, ref.stored(vectors));
  }

  private void commit() throws IOException {
    ReliabilitySetup.setCommitNumber(writer, committedNumber + 1);
    writer.commit();
    committedNumber++;
    committed = Map.copyOf(pending);
  }

  private void crash(Point point) throws IOException {
    try {
      switch (point) {
        case AFTER_OPERATIONS -> dir.crash();
        case MID_FLUSH -> {
          crashAt.arm(2000, "DocumentsWriterPerThread.flush");
          operations(TestUtil.nextInt(random, 1, 10));
          writer.flush();
        }
        case MID_MERGE -> {
          makeSegments();
          crashAt.arm(2000, "IndexWriter.mergeMiddle");
          writer.forceMerge(1);
        }
        case MID_METAEMBED_WRITE -> {
          makeSegments();
          // vectors stream into .mvd while documents are added; .mvm and the rest at flush or merge
          crashAt.arm(
              500,
              "MetaEmbedVectorsWriter.",
              "PrefixFieldWriter.",
              "PrefixVectorEncoder.",
              "PrefixFieldLayout.");
          operations(TestUtil.nextInt(random, 1, 10));
          if (random.nextBoolean()) {
            writer.forceMerge(1);
          } else {
            writer.flush();
          }
        }
        case MERGED_NOT_PUBLISHED -> {
          makeSegments();
          crashAt.armTestPoint("startCommitMerge");
          writer.forceMerge(1);
        }
        case COMMIT_SYNC -> {
          crashAt.arm(1, "MockDirectoryWrapper.sync");
          commit();
        }
        case BETWEEN_PREPARE_AND_COMMIT -> {
          ReliabilitySetup.setCommitNumber(writer, committedNumber + 1);
          writer.prepareCommit();
          dir.crash();
        }
        case COMMIT_RENAME -> {
          crashAt.arm(1, "MockDirectoryWrapper.rename");
          commit();
        }
        case AFTER_COMMIT -> {
          commit();
          dir.crash();
        }
      }
    } catch (IOException | RuntimeException e) {
      if (crashAt.fired == null) {
        throw e; // only the crash may fail an operation here
      } // after it, the writer meets closed files and refused writes, as a dying process would
    }
    String at = point.toString();
    if (point == Point.AFTER_OPERATIONS
        || point == Point.BETWEEN_PREPARE_AND_COMMIT
        || point == Point.AFTER_COMMIT) {
      count("point." + at);
    } else if (crashAt.fired != null) {
      count("point." + at + (crashAt.fired.isEmpty() ? "" : " in " + crashAt.fired));
    } else { // the armed point was not reached (e.g. nothing to flush): crash after the operation
      dir.crash();
      count("point." + at + " not reached, crashed after");
    }
    crashAt.disarm();
    count("crashes");
    recover();
  }

  /** At least two segments, so that forceMerge merges. */
  private void makeSegments() throws IOException {
    for (int i = 0; i < 2; i++) {
      add("doc" + nextId++);
      writer.flush();
    }
  }

  private void recover() throws IOException {
    try {
      writer.rollback(); // the directory refuses every write: this only releases the writer
    } catch (IOException | RuntimeException expected) {
      // a crashed writer cannot roll back cleanly
    }
    dir.clearCrash();
    ReliabilitySetup.assertLastCommit(dir, committedNumber, committed);
    count("checks");
    count("documentsChecked", committed.size());
    pending = new HashMap<>(committed);
    openWriter();
  }

  private void openWriter() throws IOException {
    writer =
        RandomIndexWriter.mockIndexWriter(
            random, dir, ReliabilitySetup.writerConfig(random, sorted), crashAt::testPoint);
  }

  private String randomId() {
    List<String> ids = new ArrayList<>(pending.keySet());
    Collections.sort(ids);
    return ids.get(random.nextInt(ids.size()));
  }

  private void count(String key) {
    count(key, 1);
  }

  private void count(String key, int n) {
    counts.merge(key, n, Integer::sum);
  }

  /**
   * Crashes the directory at the k-th file operation whose stack contains a given frame, or at an
   * IndexWriter test point. Records what was being written when it fired.
   */
  private final class CrashAt extends MockDirectoryWrapper.Failure {
    private Predicate<String> frame;
    private String testPoint;
    private int countdown;
    private boolean inCommit;
    volatile String fired;

    /**
     * Crashes at the k-th file operation (open, write, close, sync, rename, delete) under a frame
     * starting with one of {@code prefixes}, k random up to {@code maxCount}: mostly early, as a
     * small flush has only a few hundred.
     */
    void arm(int maxCount, String... prefixes) {
      fired = null;
      frame = f -> Arrays.stream(prefixes).anyMatch(f::startsWith);
      inCommit = prefixes[0].startsWith("MockDirectoryWrapper.");
      countdown = 1 + random.nextInt(random.nextBoolean() ? Math.min(maxCount, 20) : maxCount);
    }

    void armTestPoint(String name) {
      fired = null;
      testPoint = name;
    }

    void disarm() {
      frame = null;
      testPoint = null;
    }

    void testPoint(String message) {
      if (message.equals(testPoint) && fired == null) {
        try {
          fire("");
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }

    @Override
    public void eval(MockDirectoryWrapper unused) throws IOException {
      if (frame == null || fired != null) {
        return;
      }
      List<String> frames =
          StackWalker.getInstance()
              .walk(
                  s -> s.map(f -> simpleName(f.getClassName()) + "." + f.getMethodName()).toList());
      if (frames.stream().anyMatch(frame) && --countdown == 0) {
        fire(inCommit ? "" : component(frames));
      }
    }

    private void fire(String where) throws IOException {
      fired = where;
      frame = null;
      testPoint = null;
      dir.crash();
    }

    /** Which format's file was being written (the innermost writer on the stack). */
    private String component(List<String> frames) {
      for (String f : frames) {
        if (f.startsWith("MetaEmbedVectorsWriter") || f.startsWith("PrefixFieldWriter")) {
          return "MetaEmbed prefix store";
        }
        if (f.startsWith("Lucene99") && f.contains("Vectors")) {
          return "HNSW graph of vector 0";
        }
        if (f.startsWith("SegmentInfos.")) {
          return "segments file";
        }
        if (f.contains("StoredFields")
            || f.contains("Postings")
            || f.contains("DocValues")
            || f.contains("Points")
            || f.contains("Norms")
            || f.contains("FieldInfos")
            || f.contains("SegmentInfoFormat")
            || f.contains("CompoundFormat")
            || f.contains("LiveDocs")) {
          return "other Lucene files";
        }
      }
      return "";
    }
  }

  private static String simpleName(String className) {
    return className.substring(className.lastIndexOf('.') + 1);
  }
}
