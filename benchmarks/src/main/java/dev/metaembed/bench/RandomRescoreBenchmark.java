package dev.metaembed.bench;

import dev.metaembed.lucene.codec.MetaEmbedCodec;
import dev.metaembed.lucene.codec.MetaEmbedField;
import dev.metaembed.lucene.codec.VectorStorage;
import dev.metaembed.lucene.search.MaxSimValuesSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.LateInteractionField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.DoubleValues;
import org.apache.lucene.search.DoubleValuesSource;
import org.apache.lucene.search.LateInteractionFloatValuesSource;
import org.apache.lucene.store.MMapDirectory;
import org.apache.lucene.util.IOUtils;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Rescoring random candidates of a segment too large for the caches, against the cost of one
 * cache miss, in one run. Time per op = per candidate (ns).
 *
 * <p>The index (MMapDirectory, temp directory, deleted on tear-down): {@code docs} documents of
 * {@value #VECTORS} random unit vectors of {@value #DIM} components, DOT_PRODUCT, stored as a
 * {@link MetaEmbedField} {@code "me"} ({@link MetaEmbedCodec} with a small graph, maxConn 4 and
 * beam width 8, which only makes indexing faster: no search here) and a {@link
 * LateInteractionField} {@code "li"} with the same vectors; one segment. Each op rescores one of
 * {@value #SETS} pre-drawn sets of {@value #CANDIDATES} random documents in doc-id order (the
 * order {@code RescoreTopNQuery} and {@code FunctionScoreQuery} visit them), the next set every
 * op, so a set's data has left the caches when it comes round again (the sets touch far more
 * than the last-level cache).
 *
 * <ul>
 *   <li>{@code metaembed}: {@link MaxSimValuesSource} at the budget (r_q, r_c).
 *   <li>{@code lucene}: {@link LateInteractionFloatValuesSource} with the first r_q query vectors
 *       (all {@value #VECTORS} document vectors, it has no document budget).
 *   <li>{@code cacheMiss}: the reference: a dependent random load in an int array of {@code
 *       chaseMiB} (a single cycle, Sattolo's shuffle), so every load waits for the previous one:
 *       the latency of one miss to memory, TLB miss included.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class RandomRescoreBenchmark {
  static final int VECTORS = 4;
  static final int DIM = 128;
  static final int QUERY_VECTORS = 4;
  static final int CANDIDATES = 1_000;
  static final int SETS = 256;

  @Param({"200000"})
  public int docs;

  @Param({"1x1"})
  public String budget;

  @Param({"FLOAT32"})
  public VectorStorage storage;

  @Param({"256"})
  public int chaseMiB;

  private Path tempDir;
  private MMapDirectory directory;
  private DirectoryReader reader;
  private LeafReaderContext leaf;
  private DoubleValuesSource metaembedSource;
  private DoubleValuesSource luceneSource;
  private int[][] sets;
  private int nextSet;
  private int[] chase;
  private int chaseAt;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    int[] rqRc = BenchData.budget(budget);
    SplittableRandom random = new SplittableRandom(7);
    float[][] query = BenchData.unitVectors(random, QUERY_VECTORS, DIM);
    tempDir = Files.createTempDirectory("metaembed-random-rescore-bench");
    directory = new MMapDirectory(tempDir);
    FieldType type =
        MetaEmbedField.createFieldType(DIM, VECTORS, VectorSimilarityFunction.DOT_PRODUCT, storage);
    IndexWriterConfig config =
        new IndexWriterConfig().setCodec(new MetaEmbedCodec(4, 8)).setRAMBufferSizeMB(512);
    try (IndexWriter writer = new IndexWriter(directory, config)) {
      for (int d = 0; d < docs; d++) {
        float[][] vectors = BenchData.unitVectors(random, VECTORS, DIM);
        Document doc = new Document();
        doc.add(new MetaEmbedField("me", vectors, type));
        doc.add(new LateInteractionField("li", vectors));
        writer.addDocument(doc);
      }
      writer.forceMerge(1);
    }
    reader = DirectoryReader.open(directory);
    leaf = reader.leaves().get(0);
    metaembedSource = new MaxSimValuesSource("me", query, rqRc[0], rqRc[1]);
    luceneSource = new LateInteractionFloatValuesSource("li", Arrays.copyOf(query, rqRc[0]));
    sets = new int[SETS][];
    for (int s = 0; s < SETS; s++) {
      sets[s] = random.ints(0, docs).distinct().limit(CANDIDATES).sorted().toArray();
    }
    chase = sattoloCycle(random, chaseMiB * (1 << 20) / Integer.BYTES);
  }

  /** A random permutation that is one cycle through every slot. */
  private static int[] sattoloCycle(SplittableRandom random, int length) {
    int[] next = new int[length];
    for (int i = 0; i < length; i++) {
      next[i] = i;
    }
    for (int i = length - 1; i > 0; i--) {
      int j = random.nextInt(i); // j < i: Sattolo, a single cycle
      int swap = next[i];
      next[i] = next[j];
      next[j] = swap;
    }
    return next;
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    reader.close();
    directory.close();
    IOUtils.rm(tempDir);
  }

  @Benchmark
  @OperationsPerInvocation(CANDIDATES)
  public double metaembed() throws IOException {
    return rescore(metaembedSource);
  }

  @Benchmark
  @OperationsPerInvocation(CANDIDATES)
  public double lucene() throws IOException {
    return rescore(luceneSource);
  }

  /** {@value #CANDIDATES} dependent loads, each a miss. */
  @Benchmark
  @OperationsPerInvocation(CANDIDATES)
  public int cacheMiss() {
    int at = chaseAt;
    for (int i = 0; i < CANDIDATES; i++) {
      at = chase[at];
    }
    chaseAt = at;
    return at;
  }

  private double rescore(DoubleValuesSource source) throws IOException {
    int[] candidates = sets[nextSet];
    nextSet = (nextSet + 1) % SETS;
    DoubleValues values = source.getValues(leaf, null);
    double sum = 0;
    for (int doc : candidates) {
      if (values.advanceExact(doc)) {
        sum += values.doubleValue();
      }
    }
    return sum;
  }
}
