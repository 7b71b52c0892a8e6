package dev.metaembed.tests;

import static dev.metaembed.tests.ReliabilitySetup.assertLastCommit;

import com.carrotsearch.randomizedtesting.RandomizedContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.Term;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.tests.store.MockDirectoryWrapper;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * Indexing MetaEmbed fields (adds, updates and deletes by id, flushes, forced merges, commits) on a
 * {@link MockDirectoryWrapper} that fails: random IOExceptions on writes, syncs and file opens
 * ({@code setRandomIOExceptionRate}, {@code setRandomIOExceptionRateOnOpen}) plus failures of the
 * commit's rename and directory sync, or a full disk ({@code setMaxSizeInBytes}). Every failed
 * operation is followed by {@code rollback()}; then, with faults off, the test proves that the last
 * commit opens, passes CheckIndex, and holds exactly the documents of the last commit the test knows
 * of, every vector bit for bit. A commit that threw may still have landed (its segments file
 * written and synced, its removal failing): the commit number in the commit's user data says which,
 * and the index must be one of the two states. Every failure must come from an injected fault, and
 * no file handle may stay open after a rollback. Half the rounds add a second MetaEmbed field with
 * the same vectors, which the format buffers in a temporary file.
 *
 * <p>The index is never sorted here: with an index sort, Lucene 10.5's own {@code
 * SortingStoredFieldsConsumer.flush} leaks the temporary stored-fields reader when creating the
 * sorted stored-fields writer fails (it opens the reader before its try block), which this test's
 * handle check reports. {@link TestCrashRecovery} covers sorted indices.
 *
 * <p>The suite runs {@value #SUITE_ROUNDS} rounds per test (a fresh index, field shape, storage and
 * fault rate each); {@code -Dmetaembed.reliability.iterations=N} runs N rounds. A summary line with
 * the counts is always printed.
 */
public class TestFaultInjection extends LuceneTestCase {
  static final int SUITE_ROUNDS = 2;

  private enum Op {
    ADD,
    UPDATE,
    DELETE,
    FLUSH,
    MERGE,
    COMMIT
  }

  private final Map<String, Integer> counts = new TreeMap<>();
  private Random random;
  private MockDirectoryWrapper dir;
  private ReferenceDocs ref;
  private boolean copyField;
  private CommitFailure commitFailure;
  private boolean diskFull;
  private double writeRate;
  private double openRate;
  private IndexWriter writer;
  private long committedNumber;
  private Map<String, float[][]> committed;
  private Map<String, float[][]> pending;
  private int nextId;

  public void testRandomIOExceptions() throws IOException {
    run(false);
  }

  public void testDiskFull() throws IOException {
    run(true);
  }

  private void run(boolean diskFull) throws IOException {
    this.diskFull = diskFull;
    random = random();
    int rounds = ReliabilitySetup.iterations(SUITE_ROUNDS);
    // a seed whose rounds never hit a fault would test nothing: up to 8 more rounds until one does
    // (disk full with a roomy headroom and small documents can go a whole round without failing)
    for (int round = 0;
        round < rounds || (counts.getOrDefault("opsFailed", 0) == 0 && round < rounds + 8);
        round++) {
      round(atLeast(random, 80));
      counts.merge("roundsRun", 1, Integer::sum);
    }
    String seed = RandomizedContext.current().getRunnerSeedAsString();
    System.out.println(
        "TestFaultInjection "
            + (diskFull ? "disk-full" : "io-exceptions")
            + " seed="
            + seed
            + " rounds="
            + rounds
            + " "
            + counts);
    assertTrue("no operation ever failed", counts.getOrDefault("opsFailed", 0) > 0);
  }

  private void round(int ops) throws IOException {
    ref = ReliabilitySetup.randomField(random);
    copyField = random.nextBoolean();
    writeRate = diskFull ? 0 : 0.001 + random.nextDouble() * 0.02;
    openRate = diskFull ? 0 : 0.001 + random.nextDouble() * 0.02;
    committed = Map.of();
    committedNumber = 0;
    nextId = 0;
    // disk full needs exact file sizes: in memory, not behind a file system's write buffers
    dir =
        diskFull
            ? new MockDirectoryWrapper(random, new ByteBuffersDirectory())
            : newMockDirectory(random);
    dir.setAssertNoUnrefencedFilesOnClose(true);
    commitFailure = new CommitFailure(random.nextLong());
    dir.failOn(commitFailure);
    writer = new IndexWriter(dir, ReliabilitySetup.writerConfig(random, false));
    ReliabilitySetup.setCommitNumber(writer, 0);
    writer.commit();
    pending = new HashMap<>();
    faults(true);
    for (int i = 0; i < ops; i++) {
      Op op = randomOp();
      long attempt = committedNumber + 1;
      Map<String, float[][]> attempted = null;
      try {
        if (op == Op.COMMIT) {
          attempted = Map.copyOf(pending);
        }
        apply(op, attempt);
        if (op == Op.COMMIT) {
          committed = attempted;
          committedNumber = attempt;
          count("commits");
        }
      } catch (IOException | RuntimeException e) {
        recover(op, e, attempt, attempted);
      }
      count("ops");
    }
    faults(false);
    ReliabilitySetup.setCommitNumber(writer, ++committedNumber);
    writer.commit();
    committed = Map.copyOf(pending);
    writer.close();
    check(committedNumber);
    dir.close(); // the wrapper fails here on a leaked file handle or an unreferenced file
  }

  private Op randomOp() {
    int r = random.nextInt(100);
    if (r < 45) return Op.ADD;
    if (r < 65) return Op.UPDATE;
    if (r < 77) return Op.DELETE;
    if (r < 85) return Op.FLUSH;
    if (r < 89) return Op.MERGE;
    return Op.COMMIT;
  }

  private void apply(Op op, long attempt) throws IOException {
    switch (op) {
      case ADD, UPDATE -> {
        String id = op == Op.UPDATE && pending.isEmpty() == false ? randomId() : "doc" + nextId++;
        float[][] vectors = ref.randomVectors(random);
        var doc = ReliabilitySetup.document(ref, id, vectors, random, copyField);
        if (op == Op.ADD) {
          writer.addDocument(doc);
        } else {
          writer.updateDocument(new Term(ReferenceDocs.ID, id), doc);
        }
        pending.put(id, ref.stored(vectors));
      }
      case DELETE -> {
        if (pending.isEmpty() == false) {
          String id = randomId();
          writer.deleteDocuments(new Term(ReferenceDocs.ID, id));
          pending.remove(id);
        }
      }
      case FLUSH -> writer.flush();
      case MERGE -> writer.forceMerge(1 + random.nextInt(2));
      case COMMIT -> {
        ReliabilitySetup.setCommitNumber(writer, attempt);
        if (random.nextBoolean()) {
          writer.prepareCommit();
        }
        writer.commit();
      }
    }
  }

  private String randomId() {
    List<String> ids = new ArrayList<>(pending.keySet());
    Collections.sort(ids); // reproducible whatever the map's order
    return ids.get(random.nextInt(ids.size()));
  }

  /** After a failed operation: roll back, check the last commit, reopen, carry on. */
  private void recover(Op op, Throwable failure, long attempt, Map<String, float[][]> attempted)
      throws IOException {
    Set<Throwable> injected = injectedFaults(failure);
    Throwable tragedy = writer.getTragicException();
    if (tragedy != null) {
      injected.addAll(injectedFaults(tragedy));
      count("tragicEvents");
    }
    if (injected.isEmpty()) {
      throw new AssertionError(op + " failed, but not from an injected fault", failure);
    }
    count("opsFailed");
    count("failed." + op);
    count("faultsInjected", injected.size());
    for (Throwable fault : injected) {
      count("fault." + where(fault));
      if (Arrays.stream(fault.getStackTrace())
          .anyMatch(f -> f.getClassName().startsWith("dev.metaembed.lucene.codec."))) {
        count("faultsInMetaEmbedFormatCode");
      }
      if (fault.getMessage() != null && fault.getMessage().startsWith("fake disk full")) {
        count("diskFull");
      }
    }
    try {
      writer.rollback();
    } catch (IOException | RuntimeException e) {
      count("rollbacksThatThrew"); // rollback closes the writer all the same
    }
    count("rollbacks");
    faults(false);
    assertNoOpenFiles("after rollback");
    if (op == Op.COMMIT) {
      long last = ReliabilitySetup.lastCommitNumber(dir);
      if (last == attempt) { // the segments file was written, synced and not removed
        committed = attempted;
        committedNumber = attempt;
        count("failedCommitsThatLanded");
      } else {
        count("failedCommitsThatDidNotLand");
      }
    }
    check(committedNumber);
    pending = new HashMap<>(committed);
    faults(true);
    openWriter();
  }

  /** The wrapper's close names the open files and where the first was opened: fail with that. */
  private void assertNoOpenFiles(String when) throws IOException {
    if (dir.getFileHandleCount() != 0) {
      try {
        dir.close();
      } catch (RuntimeException e) {
        throw new AssertionError("file handles left open " + when, e);
      }
      fail("file handles left open " + when);
    }
  }

  private void check(long number) throws IOException {
    assertLastCommit(dir, number, committed);
    count("checks");
    count("documentsChecked", committed.size());
  }

  private void openWriter() throws IOException {
    for (int attempt = 0; ; attempt++) {
      if (attempt == 20) {
        faults(false);
      }
      try {
        writer = new IndexWriter(dir, ReliabilitySetup.writerConfig(random, false));
        break;
      } catch (IOException e) {
        assertFalse("opening a writer failed without faults: " + e, injectedFaults(e).isEmpty());
        count("writerOpensFailed");
        count("faultsInjected", injectedFaults(e).size());
        count("fault.open");
        assertNoOpenFiles("after a failed writer open");
      }
    }
    faults(true);
  }

  private void faults(boolean on) throws IOException {
    dir.setRandomIOExceptionRate(on ? writeRate : 0);
    dir.setRandomIOExceptionRateOnOpen(on ? openRate : 0);
    commitFailure.enabled = on && diskFull == false;
    dir.setMaxSizeInBytes(on && diskFull ? dir.sizeInBytes() + headroom() : 0);
  }

  /** Free space after the current files: from a few documents to a few merges' worth. */
  private long headroom() {
    return random.nextInt(4) != 0
        ? 256 + random.nextInt(6 * 1024)
        : 6 * 1024 + random.nextInt(48 * 1024);
  }

  /** The faults the wrapper (or our commit failure) injected, found in the cause and suppressed graph. */
  static Set<Throwable> injectedFaults(Throwable failure) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Set<Throwable> injected = Collections.newSetFromMap(new IdentityHashMap<>());
    collect(failure, seen, injected);
    return injected;
  }

  private static void collect(Throwable t, Set<Throwable> seen, Set<Throwable> injected) {
    if (t == null || seen.add(t) == false) {
      return;
    }
    String message = t.getMessage() == null ? "" : t.getMessage();
    if (t instanceof CommitFailure.Injected
        || message.startsWith("a random IOException")
        || message.startsWith("fake disk full")) {
      injected.add(t);
    }
    collect(t.getCause(), seen, injected);
    for (Throwable suppressed : t.getSuppressed()) {
      collect(suppressed, seen, injected);
    }
  }

  /** The phase an injected fault hit, from its stack (the first of these that matches). */
  private static String where(Throwable fault) {
    List<String> frames =
        Arrays.stream(fault.getStackTrace())
            .map(
                f ->
                    f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1)
                        + "."
                        + f.getMethodName())
            .toList();
    String[][] phases = {
      {"merge", "IndexWriter.mergeMiddle"},
      {"flush", "DocumentsWriterPerThread.flush"},
      {"indexing", "DocumentsWriterPerThread.updateDocuments"},
      {"applyDeletes", "IndexWriter.forceApply"},
      {
        "commit",
        "IndexWriter.startCommit",
        "SegmentInfos.finishCommit",
        "IndexWriter.prepareCommitInternal"
      },
    };
    for (String[] phase : phases) {
      for (int i = 1; i < phase.length; i++) {
        if (frames.contains(phase[i])) {
          return phase[0];
        }
      }
    }
    return "other";
  }

  private void count(String key) {
    count(key, 1);
  }

  private void count(String key, int n) {
    counts.merge(key, n, Integer::sum);
  }

  /**
   * Fails the end of a commit, which the random rates do not reach: the rename of
   * pending_segments_N to segments_N, or the directory sync after it. After a failed directory
   * sync, Lucene removes segments_N; half the time every delete fails from then on (until faults
   * are off), so the commit lands although {@code commit()} threw.
   */
  private static final class CommitFailure extends MockDirectoryWrapper.Failure {
    static final class Injected extends IOException {
      Injected(String message) {
        super(message);
      }
    }

    private final Random random;
    volatile boolean enabled;
    private boolean refuseDeletes;

    CommitFailure(long seed) {
      this.random = new Random(seed);
    }

    @Override
    public void eval(MockDirectoryWrapper dir) throws IOException {
      if (enabled == false) {
        refuseDeletes = false;
        return;
      }
      if (refuseDeletes && callStackContains(MockDirectoryWrapper.class, "deleteFile")) {
        throw new Injected("injected failure to delete a file");
      }
      if (callStackContains(SegmentInfos.class, "finishCommit") == false) {
        return;
      }
      if (callStackContains(MockDirectoryWrapper.class, "rename") && random.nextInt(8) == 0) {
        throw new Injected("injected failure to rename the segments file");
      }
      if (callStackContains(MockDirectoryWrapper.class, "syncMetaData") && random.nextInt(8) == 0) {
        // Lucene then removes segments_N; refusing that (and the rollback's deletes) lands the
        // commit
        refuseDeletes = random.nextBoolean();
        throw new Injected("injected failure to sync the directory after the rename");
      }
    }
  }
}
