package dev.metaembed.tests;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.GcInfo;
import dev.metaembed.lucene.codec.MetaEmbedCodec;
import dev.metaembed.lucene.codec.MetaEmbedField;
import dev.metaembed.lucene.codec.MetaEmbedVectorValues;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * The child JVM of {@link LargeIndexHeapTest}: indexes full 64 × 128 float32 MetaEmbed documents
 * with {@link MetaEmbedCodec} into an on-disk index, commits, reopens, checks the document count
 * and a sample of vectors bit for bit, and reports on stdout how much heap it used.
 *
 * <p>{@code HeapIndexer <index directory> <documents> <seed> <RAM buffer MB>}. Heap figures:
 *
 * <ul>
 *   <li><b>live</b>: heap in use right after a {@code System.gc()} (a full collection, so only
 *       reachable objects remain), sampled by a thread every {@value #LIVE_SAMPLE_MILLIS} ms from
 *       before the writer opens to the end of the read-back (indexing, flushes, merges, commits);
 *       {@code livePeak} is the largest sample.
 *   <li><b>afterGc</b>: the largest heap in use right after any collection the JVM ran (GC
 *       notifications); after a young collection it still counts old-generation garbage, so it is
 *       an upper bound of what was live, not the live size.
 *   <li><b>poolPeakSum</b>: the sum of the heap pools' peak usage (garbage included), for
 *       reference.
 * </ul>
 *
 * <p>The last line is {@value #DONE} followed by {@code key=value} pairs; any failure throws, and
 * the JVM exits with a non-zero status (an {@code OutOfMemoryError} too).
 */
public final class HeapIndexer {
  static final int DIM = 128;
  static final int VECTORS = 64;
  static final String FIELD = "page";
  static final String DONE = "HeapIndexer: done";

  /** Milliseconds between two live-heap samples. */
  static final int LIVE_SAMPLE_MILLIS = 200;

  private static final List<MemoryPoolMXBean> HEAP_POOLS =
      ManagementFactory.getMemoryPoolMXBeans().stream()
          .filter(pool -> pool.getType() == MemoryType.HEAP)
          .toList();
  private static final AtomicLong AFTER_GC_PEAK = new AtomicLong();
  private static final AtomicLong GCS = new AtomicLong();
  private static long livePeak;
  private static String livePeakAt = "";
  private static int liveSamples;
  private static volatile String phase = "start";

  private HeapIndexer() {}

  public static void main(String[] args) throws IOException {
    Path path = Paths.get(args[0]);
    int docs = Integer.parseInt(args[1]);
    long seed = Long.parseLong(args[2]);
    double ramBufferMb = Double.parseDouble(args[3]);
    watchCollections();
    long maxHeap = Runtime.getRuntime().maxMemory();
    long vectorBytes = (long) docs * VECTORS * DIM * Float.BYTES;
    System.out.printf(
        "HeapIndexer: %d docs x %d vectors x %d dims x 4 bytes = %d bytes (%.1f MiB) of vectors;"
            + " max heap %d bytes (%.1f MiB): %.1f times the heap; RAM buffer %.1f MB; GC %s; seed %d%n",
        docs,
        VECTORS,
        DIM,
        vectorBytes,
        vectorBytes / 1048576.0,
        maxHeap,
        maxHeap / 1048576.0,
        (double) vectorBytes / maxHeap,
        ramBufferMb,
        ManagementFactory.getGarbageCollectorMXBeans().stream()
            .map(GarbageCollectorMXBean::getName)
            .toList(),
        seed);
    sampleLive();
    long liveStart = livePeak;
    Thread sampler = new Thread(HeapIndexer::sampleUntilInterrupted, "live-heap-sampler");
    sampler.setDaemon(true);
    sampler.start();
    FieldType type =
        MetaEmbedField.createFieldType(DIM, VECTORS, VectorSimilarityFunction.DOT_PRODUCT);
    long peakWriterBytes = 0;
    long start = System.nanoTime();
    try (Directory dir = FSDirectory.open(path);
        IndexWriter writer = new IndexWriter(dir, writerConfig(ramBufferMb))) {
      for (int id = 0; id < docs; id++) {
        Document doc = new Document();
        doc.add(new StoredField("id", id));
        doc.add(new MetaEmbedField(FIELD, document(seed, id), type));
        writer.addDocument(doc);
        peakWriterBytes = Math.max(peakWriterBytes, writer.ramBytesUsed());
        if ((id + 1) % 1000 == 0) {
          phase = "indexing, " + (id + 1) + " docs added";
        }
        if ((id + 1) % 10_000 == 0) {
          System.out.printf(
              "HeapIndexer: %d docs, %.1f s, live peak %.1f MiB%n",
              id + 1, (System.nanoTime() - start) / 1e9, livePeak() / 1048576.0);
        }
      }
      phase = "commit";
      writer.commit();
      int segments = SegmentInfos.readLatestCommit(dir).size();
      phase = "force-merge";
      writer.forceMerge(1); // the merge streams the vectors too
      phase = "commit after merge";
      writer.commit();
      System.out.printf("HeapIndexer: %d segments flushed, force-merged to 1%n", segments);
    }
    double indexSeconds = (System.nanoTime() - start) / 1e9;
    phase = "read-back";
    long mvdBytes = sizeOf(path, ".mvd");
    if (mvdBytes < vectorBytes) {
      throw new AssertionError(
          ".mvd holds " + mvdBytes + " bytes, fewer than the vectors' " + vectorBytes);
    }
    int[] readBack = readBack(path, seed, docs);
    sampler.interrupt();
    try {
      sampler.join(); // its samples happen-before what follows
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    phase = "end";
    sampleLive();
    long poolPeakSum = HEAP_POOLS.stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
    System.out.printf(
        "HeapIndexer: indexed in %.1f s; live heap at start %.1f MiB, peak %.1f MiB (at %s; %d samples), after-GC peak %.1f MiB"
            + " (%d collections), pool peaks %.1f MiB; IndexWriter.ramBytesUsed peak %.1f MiB; .mvd %.1f MiB%n",
        indexSeconds,
        liveStart / 1048576.0,
        livePeak / 1048576.0,
        livePeakAt,
        liveSamples,
        AFTER_GC_PEAK.get() / 1048576.0,
        GCS.get(),
        poolPeakSum / 1048576.0,
        peakWriterBytes / 1048576.0,
        mvdBytes / 1048576.0);
    System.out.println(
        DONE
            + " docs="
            + readBack[0]
            + " sampled="
            + readBack[1]
            + " vectorBytes="
            + vectorBytes
            + " mvdBytes="
            + mvdBytes
            + " maxHeap="
            + maxHeap
            + " livePeak="
            + livePeak
            + " liveStart="
            + liveStart
            + " liveSamples="
            + liveSamples
            + " afterGcPeak="
            + AFTER_GC_PEAK.get()
            + " poolPeakSum="
            + poolPeakSum
            + " writerPeak="
            + peakWriterBytes);
  }

  private static IndexWriterConfig writerConfig(double ramBufferMb) {
    IndexWriterConfig config = new IndexWriterConfig().setCodec(new MetaEmbedCodec());
    config.setRAMBufferSizeMB(ramBufferMb);
    config.setUseCompoundFile(false); // so the prefix store's size can be read off its files
    config.getMergePolicy().setNoCFSRatio(0);
    return config;
  }

  /**
   * Reopens the index: the live document count, then every vector of a seeded sample of
   * documents (about one in 50) bit for bit. Returns {document count, documents compared}.
   */
  private static int[] readBack(Path path, long seed, int docs) throws IOException {
    SplittableRandom pick = new SplittableRandom(seed);
    int sampled = 0;
    try (Directory dir = FSDirectory.open(path);
        DirectoryReader reader = DirectoryReader.open(dir)) {
      for (LeafReaderContext ctx : reader.leaves()) {
        LeafReader leaf = ctx.reader();
        MetaEmbedVectorValues values = MetaEmbedVectorValues.get(leaf, FIELD);
        for (int doc = pick.nextInt(Math.min(50, leaf.maxDoc()));
            doc < leaf.maxDoc();
            doc += 1 + pick.nextInt(100)) {
          int id = leaf.storedFields().document(doc).getField("id").numericValue().intValue();
          if (values == null || values.advanceExact(doc) == false) {
            throw new AssertionError("document " + id + " has no vectors");
          }
          float[][] want = document(seed, id);
          float[][] got = values.vectors(VECTORS);
          if (got.length != VECTORS) {
            throw new AssertionError("document " + id + ": " + got.length + " vectors");
          }
          for (int i = 0; i < VECTORS; i++) {
            if (Arrays.equals(want[i], got[i]) == false) {
              throw new AssertionError("document " + id + " vector " + i + " differs");
            }
          }
          sampled++;
        }
      }
      return new int[] {reader.numDocs(), sampled};
    }
  }

  /** Document {@code id}'s vectors, the same every time for the same seed. */
  static float[][] document(long seed, int id) {
    SplittableRandom random = new SplittableRandom(seed * 31 + id);
    float[][] vectors = new float[VECTORS][DIM];
    for (float[] v : vectors) {
      for (int c = 0; c < DIM; c++) {
        v[c] = (float) random.nextDouble(-1, 1);
      }
    }
    return vectors;
  }

  /** A full collection, then the heap in use: what is reachable now. */
  private static synchronized long livePeak() {
    return livePeak;
  }

  private static synchronized void sampleLive() {
    String at = phase;
    System.gc();
    long used = HEAP_POOLS.stream().mapToLong(pool -> pool.getUsage().getUsed()).sum();
    if (used > livePeak) {
      livePeak = used;
      livePeakAt = at;
    }
    liveSamples++;
  }

  private static void sampleUntilInterrupted() {
    try {
      while (true) {
        sampleLive();
        Thread.sleep(LIVE_SAMPLE_MILLIS);
      }
    } catch (InterruptedException e) {
      // done
    }
  }

  /** Records the heap in use after every collection, from the collectors' notifications. */
  private static void watchCollections() {
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ((NotificationEmitter) gc)
          .addNotificationListener(
              (notification, handback) -> {
                if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
                    notification.getType())) {
                  GcInfo info =
                      GarbageCollectionNotificationInfo.from(
                              (CompositeData) notification.getUserData())
                          .getGcInfo();
                  long used = 0;
                  Map<String, MemoryUsage> after = info.getMemoryUsageAfterGc();
                  for (MemoryPoolMXBean pool : HEAP_POOLS) {
                    MemoryUsage usage = after.get(pool.getName());
                    used += usage == null ? 0 : usage.getUsed();
                  }
                  AFTER_GC_PEAK.accumulateAndGet(used, Math::max);
                  GCS.incrementAndGet();
                }
              },
              null,
              null);
    }
  }

  private static long sizeOf(Path dir, String suffix) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> p.toString().endsWith(suffix))
          .mapToLong(p -> p.toFile().length())
          .sum();
    }
  }
}
