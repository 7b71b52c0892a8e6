package dev.metaembed.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * This machine's single-core float FMA peak through the Vector API ({@code
 * FloatVector.SPECIES_PREFERRED}): 8 or 12 independent accumulators, each updated {@value
 * #ITERATIONS} times per invocation as {@code acc = acc.fma(a, b)} (i.e. {@code acc·a + b}) on
 * values held in registers. Independent chains hide the FMA latency, so the loop is bound by FMA
 * throughput. {@code a} and {@code b} are loaded from state arrays and the accumulators are
 * reduced and returned, so nothing can be constant-folded or removed; {@code a} is slightly below
 * 1 so the values converge to a normal float (no overflow, no subnormals).
 *
 * <p>Counting: with {@link OperationsPerInvocation} = {@code ITERATIONS · accumulators}, JMH's
 * Throughput score (ops/s) is the rate of vector FMA instructions. One vector FMA is {@code 2 ·
 * lanes} FLOPs, so {@code FLOP/s = score · 2 · lanes}, with {@code lanes =
 * SPECIES_PREFERRED.length()} (8 on AVX2, 16 on AVX-512). The secondary result {@code flop}
 * (an {@link AuxCounters} counter, reported in ops/s) already is FLOP/s: {@code 2 · lanes ·
 * accumulators · ITERATIONS} per invocation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class FmaPeakBenchmark {
  static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  static final int ITERATIONS = 10_000;

  private float[] a;
  private float[] b;
  private float[] init;

  @Setup(Level.Trial)
  public void setUp() {
    int lanes = SPECIES.length();
    a = new float[lanes];
    b = new float[lanes];
    init = new float[12 * lanes];
    for (int i = 0; i < lanes; i++) {
      a[i] = 0.9999f - i * 1e-6f;
      b[i] = 1e-4f + i * 1e-7f;
    }
    for (int i = 0; i < init.length; i++) {
      init[i] = i * 1e-3f;
    }
  }

  /** Counts FLOPs; JMH reports {@code flop} as FLOP per second. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Flops {
    public long flop;

    @Setup(Level.Iteration)
    public void reset() {
      flop = 0;
    }
  }

  /** Vector floats per FMA on this JVM (SPECIES_PREFERRED.length()). */
  public static int lanes() {
    return SPECIES.length();
  }

  @Benchmark
  @OperationsPerInvocation(ITERATIONS * 8)
  public float fma8(Flops counter) {
    int l = SPECIES.length();
    FloatVector va = FloatVector.fromArray(SPECIES, a, 0);
    FloatVector vb = FloatVector.fromArray(SPECIES, b, 0);
    FloatVector c0 = FloatVector.fromArray(SPECIES, init, 0);
    FloatVector c1 = FloatVector.fromArray(SPECIES, init, l);
    FloatVector c2 = FloatVector.fromArray(SPECIES, init, 2 * l);
    FloatVector c3 = FloatVector.fromArray(SPECIES, init, 3 * l);
    FloatVector c4 = FloatVector.fromArray(SPECIES, init, 4 * l);
    FloatVector c5 = FloatVector.fromArray(SPECIES, init, 5 * l);
    FloatVector c6 = FloatVector.fromArray(SPECIES, init, 6 * l);
    FloatVector c7 = FloatVector.fromArray(SPECIES, init, 7 * l);
    for (int i = 0; i < ITERATIONS; i++) {
      c0 = c0.fma(va, vb);
      c1 = c1.fma(va, vb);
      c2 = c2.fma(va, vb);
      c3 = c3.fma(va, vb);
      c4 = c4.fma(va, vb);
      c5 = c5.fma(va, vb);
      c6 = c6.fma(va, vb);
      c7 = c7.fma(va, vb);
    }
    counter.flop += 2L * l * 8 * ITERATIONS;
    return c0.add(c1)
        .add(c2)
        .add(c3)
        .add(c4)
        .add(c5)
        .add(c6)
        .add(c7)
        .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
  }

  @Benchmark
  @OperationsPerInvocation(ITERATIONS * 12)
  public float fma12(Flops counter) {
    int l = SPECIES.length();
    FloatVector va = FloatVector.fromArray(SPECIES, a, 0);
    FloatVector vb = FloatVector.fromArray(SPECIES, b, 0);
    FloatVector c0 = FloatVector.fromArray(SPECIES, init, 0);
    FloatVector c1 = FloatVector.fromArray(SPECIES, init, l);
    FloatVector c2 = FloatVector.fromArray(SPECIES, init, 2 * l);
    FloatVector c3 = FloatVector.fromArray(SPECIES, init, 3 * l);
    FloatVector c4 = FloatVector.fromArray(SPECIES, init, 4 * l);
    FloatVector c5 = FloatVector.fromArray(SPECIES, init, 5 * l);
    FloatVector c6 = FloatVector.fromArray(SPECIES, init, 6 * l);
    FloatVector c7 = FloatVector.fromArray(SPECIES, init, 7 * l);
    FloatVector c8 = FloatVector.fromArray(SPECIES, init, 8 * l);
    FloatVector c9 = FloatVector.fromArray(SPECIES, init, 9 * l);
    FloatVector c10 = FloatVector.fromArray(SPECIES, init, 10 * l);
    FloatVector c11 = FloatVector.fromArray(SPECIES, init, 11 * l);
    for (int i = 0; i < ITERATIONS; i++) {
      c0 = c0.fma(va, vb);
      c1 = c1.fma(va, vb);
      c2 = c2.fma(va, vb);
      c3 = c3.fma(va, vb);
      c4 = c4.fma(va, vb);
      c5 = c5.fma(va, vb);
      c6 = c6.fma(va, vb);
      c7 = c7.fma(va, vb);
      c8 = c8.fma(va, vb);
      c9 = c9.fma(va, vb);
      c10 = c10.fma(va, vb);
      c11 = c11.fma(va, vb);
    }
    counter.flop += 2L * l * 12 * ITERATIONS;
    return c0.add(c1)
        .add(c2)
        .add(c3)
        .add(c4)
        .add(c5)
        .add(c6)
        .add(c7)
        .add(c8)
        .add(c9)
        .add(c10)
        .add(c11)
        .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
  }
}
