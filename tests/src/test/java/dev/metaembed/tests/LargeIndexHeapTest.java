package dev.metaembed.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real heap, measured in a JVM of its own: indexing full 64 × 128 float32 MetaEmbed documents with
 * {@code MetaEmbedCodec} must not keep their vectors on the heap. The test starts a child JVM (the
 * same {@code java}, the test class path) with a small {@code -Xmx} ({@value #DEFAULT_XMX_MB} MiB)
 * running {@link HeapIndexer}, which indexes {@value #DEFAULT_DOCS} documents (256 MiB of vectors,
 * 4 × the heap) with a {@value #RAM_BUFFER_MB} MB RAM buffer (several flushed segments), commits,
 * force-merges to one segment, commits, reopens and checks the document count and a sample of
 * vectors bit for bit, sampling the live heap (heap in use after a full collection) throughout.
 *
 * <p>The test asserts that the child exits with status 0 (it runs with {@code
 * -XX:+ExitOnOutOfMemoryError}, so running out of heap is a non-zero exit), printed its completion
 * line, read back every document and compared a sample, wrote all vectors to {@code .mvd}, that
 * the writer's own accounting ({@code IndexWriter.ramBytesUsed}) stayed within twice its RAM
 * buffer, and that the live heap never exceeded
 *
 * <pre>
 * bound = RAM buffer + 1 KiB × documents + 12 MiB
 * </pre>
 *
 * which must itself be below {@code -Xmx}, while the vectors must be at least 4 × {@code -Xmx}.
 * The RAM buffer is what {@code IndexWriter} may hold before it flushes; 1 KiB per document pays
 * for what Lucene keeps per document by design: the HNSW graph over vector 0 (about 0.3 KiB per
 * node at up to 32 neighbours, estimated), and during a merge the graph it starts from plus
 * doc-id maps (measured 0.5–0.9 KiB per document of the largest merge); 12 MiB covers the JVM's
 * and Lucene's fixed objects (2 MiB live before the writer opens) and a document in flight. Measured on a 2-core VM:
 * 7.4–8.0 MiB at the default size (the peak during the force-merge), 19.7 MiB at 30,000
 * documents, 49.6 MiB at 100,000 with {@code -Xmx256m} (bound 111.7 MiB). A document's vectors
 * are 32 KiB: a vectors writer that kept every 16th document's vectors on the heap, unaccounted
 * (tried once), peaked at 24.2 MiB and failed the bound; every 8th, 40.4 MiB; all of them ran out
 * of heap (exit status 3). {@code IndexWriter.ramBytesUsed} stayed at 2.0 MiB in the two runs that
 * finished, which is why the heap is measured, not taken from the writer.
 *
 * <p>Properties: {@code -Dmetaembed.heap.docs=N} (default {@value #DEFAULT_DOCS}), {@code
 * -Dmetaembed.heap.xmx.mb=M} (the child's heap, default {@value #DEFAULT_XMX_MB}), {@code
 * -Dmetaembed.heap.seed=S} (repeats a run's vectors; printed). The long run of the codec issue:
 * {@code -Dmetaembed.heap.docs=100000 -Dmetaembed.heap.xmx.mb=256} (3.1 GiB of vectors).
 */
class LargeIndexHeapTest {
  static final int DEFAULT_DOCS = 8192;
  static final int DEFAULT_XMX_MB = 64;
  static final int RAM_BUFFER_MB = 2;
  private static final long MIB = 1024 * 1024;

  /** The live-heap allowance per document (see the class Javadoc). */
  static final long BYTES_PER_DOC = 1024;

  /** The fixed live-heap allowance (see the class Javadoc). */
  static final long FIXED_BYTES = 12 * MIB;

  @TempDir Path work;

  @Test
  void fullDocumentsIndexInAHeapSmallerThanTheirVectors() throws Exception {
    int docs = Integer.getInteger("metaembed.heap.docs", DEFAULT_DOCS);
    int xmxMb = Integer.getInteger("metaembed.heap.xmx.mb", DEFAULT_XMX_MB);
    long seed = Long.getLong("metaembed.heap.seed", System.nanoTime());
    long xmx = xmxMb * MIB;
    long vectorBytes = (long) docs * HeapIndexer.VECTORS * HeapIndexer.DIM * Float.BYTES;
    long bound = RAM_BUFFER_MB * MIB + BYTES_PER_DOC * docs + FIXED_BYTES;
    System.out.printf(
        "LargeIndexHeapTest: docs=%d seed=%d (-Dmetaembed.heap.seed=%d); %d x %d x %d x 4 bytes ="
            + " %.1f MiB of vectors vs -Xmx%dm (%.1f x); live heap bound %.1f MiB"
            + " (RAM buffer %d MiB + 1 KiB x %d docs + 12 MiB)%n",
        docs,
        seed,
        seed,
        docs,
        HeapIndexer.VECTORS,
        HeapIndexer.DIM,
        vectorBytes / (double) MIB,
        xmxMb,
        vectorBytes / (double) xmx,
        bound / (double) MIB,
        RAM_BUFFER_MB,
        docs);
    assertTrue(
        vectorBytes >= 4 * xmx,
        "the vectors must be at least 4 x the child's heap to show anything: raise"
            + " -Dmetaembed.heap.docs or lower -Dmetaembed.heap.xmx.mb");
    assertTrue(
        bound < xmx,
        "the live-heap bound must be below the child's heap: raise -Dmetaembed.heap.xmx.mb");

    List<String> command = new ArrayList<>();
    command.add(javaExecutable());
    command.add("-Xmx" + xmxMb + "m");
    command.add("-XX:+ExitOnOutOfMemoryError");
    command.add("-ea");
    command.add("--add-modules=jdk.incubator.vector");
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-cp");
    command.add(classPath());
    command.add(HeapIndexer.class.getName());
    command.add(work.resolve("index").toString());
    command.add(Integer.toString(docs));
    command.add(Long.toString(seed));
    command.add(Integer.toString(RAM_BUFFER_MB));
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    List<String> lines = new ArrayList<>();
    Thread echo = new Thread(() -> echo(child, lines), "heap-child-output");
    echo.start();
    // a guard against a hung child only, far above any run: never a measure of speed
    long minutes = 30 + docs / 2000;
    if (child.waitFor(minutes, TimeUnit.MINUTES) == false) {
      child.destroyForcibly();
      fail("child JVM still running after " + minutes + " minutes; killed");
    }
    echo.join();
    assertEquals(0, child.exitValue(), "child JVM exit status (3: out of heap)");
    String done = null;
    for (String line : lines) {
      if (line.startsWith(HeapIndexer.DONE + " ")) {
        done = line;
      }
    }
    assertNotNull(done, "child printed no '" + HeapIndexer.DONE + "' line");
    Map<String, Long> report = parse(done.substring(HeapIndexer.DONE.length()));
    assertEquals(docs, report.get("docs"), "documents read back");
    assertTrue(
        report.get("sampled") >= docs / 100,
        "documents compared bit for bit: " + report.get("sampled"));
    assertEquals(vectorBytes, report.get("vectorBytes"));
    assertTrue(report.get("mvdBytes") >= vectorBytes, "all vectors on disk in .mvd");
    assertTrue(report.get("liveSamples") >= 3, "live-heap samples: " + report.get("liveSamples"));
    long maxHeap = report.get("maxHeap");
    assertTrue(maxHeap <= xmx, "child's max heap " + maxHeap + " is the -Xmx asked for");
    assertTrue(
        report.get("writerPeak") < 2 * RAM_BUFFER_MB * MIB,
        "IndexWriter.ramBytesUsed peak "
            + report.get("writerPeak")
            + " within twice the RAM buffer");
    long livePeak = report.get("livePeak");
    System.out.printf(
        "LargeIndexHeapTest: live heap peak %.1f MiB of bound %.1f MiB (-Xmx %d MiB, vectors %.1f MiB)%n",
        livePeak / (double) MIB, bound / (double) MIB, xmxMb, vectorBytes / (double) MIB);
    assertTrue(
        livePeak <= bound,
        "live heap peak "
            + livePeak
            + " bytes above the bound "
            + bound
            + " bytes (see the class Javadoc)");
  }

  private static void echo(Process child, List<String> lines) {
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        System.out.println("  child: " + line);
        synchronized (lines) {
          lines.add(line);
        }
      }
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
  }

  /** {@code key=value} pairs separated by spaces. */
  private static Map<String, Long> parse(String pairs) {
    Map<String, Long> values = new HashMap<>();
    for (String pair : pairs.trim().split(" +")) {
      int eq = pair.indexOf('=');
      values.put(pair.substring(0, eq), Long.parseLong(pair.substring(eq + 1)));
    }
    return values;
  }

  /** The {@code java} running this test. */
  private static String javaExecutable() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElse(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
  }

  /**
   * The test class path: surefire's {@code surefire.test.class.path} when set (its forked JVM may
   * start from a manifest-only jar), else {@code java.class.path}.
   */
  private static String classPath() {
    String surefire = System.getProperty("surefire.test.class.path");
    return surefire != null && surefire.isEmpty() == false
        ? surefire
        : System.getProperty("java.class.path");
  }
}
