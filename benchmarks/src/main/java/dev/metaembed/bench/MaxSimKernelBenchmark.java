package dev.metaembed.bench;

import dev.metaembed.lucene.codec.VectorStorage;
import dev.metaembed.lucene.search.MaxSimKernel;
import dev.metaembed.lucene.search.MaxSimScorer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time to score ONE candidate with budgeted MaxSim, in ns/op: decode the candidate's first r_c
 * stored vectors from {@code storage}'s byte encoding (skipped for FLOAT32, which the query path
 * reads with a bulk copy, so the float block is scored directly) and run {@link
 * MaxSimScorer#score} with r_q query vectors under DOT_PRODUCT.
 *
 * <p>Data: 16 random unit query vectors and a pool of {@value #POOL} documents of 64 random unit
 * vectors each, cycled per invocation so the working set stays small (at dim 3584 and r_c=64 one
 * document is 917 KB of floats, so the largest cases run from L2/L3 rather than L1).
 *
 * <p>FLOPs: one multiply and one add per component per (query vector, document vector) pair, so
 * {@code FLOP/op = 2 · r_q · r_c · dim}; the max reduction, the decode and the score mapping are
 * not counted. GFLOP/s is computed from JMH's score as {@code 2 · r_q · r_c · dim / (ns/op)}
 * (FLOP per nanosecond is GFLOP/s). For the compact storages the time includes decoding, so
 * their GFLOP/s is an effective rate. Fraction of peak = that GFLOP/s divided by {@link
 * FmaPeakBenchmark}'s single-core peak.
 *
 * <p>The kernel needs a few seconds of warm-up before C2 has compiled it: a single 1 s warm-up
 * iteration can still report the interpreted/C1 speed (seen in smoke runs), hence 5 by default.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MaxSimKernelBenchmark {
  /** Documents cycled through; a power of two. */
  static final int POOL = 8;

  static final int QUERY_VECTORS = 16;
  static final int DOC_VECTORS = 64;

  /** r_q x r_c. */
  @Param({"1x1", "2x4", "4x8", "8x16", "16x64"})
  public String budget;

  @Param({"FLOAT32", "BFLOAT16", "INT8", "BIT"})
  public VectorStorage storage;

  @Param({"128", "384", "3584"})
  public int dim;

  /** "panama" or "scalar"; scalar is the plain-Java fallback kernel. */
  @Param({"panama", "scalar"})
  public String kernel;

  /**
   * The field's similarity. DOT_PRODUCT (also MAXIMUM_INNER_PRODUCT, and COSINE plus a norm) runs
   * on the kernel; EUCLIDEAN takes the smallest squared distance in a scalar loop (MaxSimScorer).
   */
  @Param({"DOT_PRODUCT"})
  public VectorSimilarityFunction similarity;

  private MaxSimScorer scorer;
  private float[][] floats;
  private byte[][] encoded;
  private float[] scratch;
  private int docBudget;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    int[] rqRc = BenchData.budget(budget);
    int queryBudget = rqRc[0];
    docBudget = rqRc[1];
    MaxSimKernel k =
        switch (kernel) {
          case "panama" -> MaxSimKernel.panama();
          case "scalar" -> MaxSimKernel.scalar();
          default ->
              throw new IllegalArgumentException("kernel must be panama or scalar: " + kernel);
        };
    SplittableRandom random = new SplittableRandom(42);
    float[][] query = BenchData.unitVectors(random, QUERY_VECTORS, dim);
    scorer = new MaxSimScorer(query, queryBudget, similarity, k);
    floats = new float[POOL][];
    encoded = new byte[POOL][];
    for (int d = 0; d < POOL; d++) {
      floats[d] = BenchData.flatten(BenchData.unitVectors(random, DOC_VECTORS, dim));
      encoded[d] = new byte[DOC_VECTORS * storage.bytesPerVector(dim)];
      storage.encode(floats[d], DOC_VECTORS, dim, encoded[d], 0);
    }
    scratch = new float[DOC_VECTORS * dim];
    next = 0;
  }

  /** Scores the next pool document: decode r_c vectors (not for FLOAT32), then MaxSim. */
  @Benchmark
  public float scoreOneCandidate() {
    int d = next;
    next = (d + 1) & (POOL - 1);
    if (storage == VectorStorage.FLOAT32) {
      return scorer.score(floats[d], docBudget);
    }
    storage.decode(encoded[d], 0, docBudget, dim, scratch);
    return scorer.score(scratch, docBudget);
  }

  /** FLOPs one invocation performs for budget {@code rqRc} ("4x8") at {@code dim}. */
  public static long flopsPerOp(String rqRc, int dim) {
    int[] b = BenchData.budget(rqRc);
    return 2L * b[0] * b[1] * dim;
  }
}
