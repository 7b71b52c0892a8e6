package dev.metaembed.lucene.search;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link MaxSimKernel} on the Panama Vector API. Blocks of 4 query vectors × 2 document vectors
 * keep 8 accumulators in registers, so each loaded document vector serves 4 query vectors and each
 * loaded query vector 2 document vectors. Every pair is one accumulator over full vectors, reduced
 * across lanes, then the remaining components in order: the same arithmetic in every block shape.
 */
final class PanamaMaxSimKernel extends MaxSimKernel {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = SPECIES.length();

  PanamaMaxSimKernel() {}

  static int preferredVectorBits() {
    return SPECIES.vectorBitSize();
  }

  @Override
  public String name() {
    return "panama(" + SPECIES.vectorBitSize() + " bit)";
  }

  @Override
  public float dot(float[] a, int aOffset, float[] b, int bOffset, int dim) {
    int bound = SPECIES.loopBound(dim);
    FloatVector acc = FloatVector.zero(SPECIES);
    for (int k = 0; k < bound; k += LANES) {
      acc = load(a, aOffset + k).fma(load(b, bOffset + k), acc);
    }
    return tail(acc, a, aOffset, b, bOffset, bound, dim);
  }

  @Override
  public void maxDot(
      float[] query,
      int queryCount,
      float[] docs,
      int docCount,
      int dim,
      float[] scale,
      float[] shift,
      float[] best) {
    java.util.Arrays.fill(best, 0, queryCount, Float.NEGATIVE_INFINITY);
    int i = 0;
    for (; i + 4 <= queryCount; i += 4) {
      int j = 0;
      for (; j + 2 <= docCount; j += 2) {
        block4x2(query, i, docs, j, dim, scale, shift, best);
      }
      for (; j < docCount; j++) {
        block4x1(query, i, docs, j, dim, scale, shift, best);
      }
    }
    for (; i < queryCount; i++) {
      int j = 0;
      for (; j + 4 <= docCount; j += 4) {
        block1x4(query, i, docs, j, dim, scale, shift, best);
      }
      for (; j < docCount; j++) {
        update(best, i, dot(query, i * dim, docs, j * dim, dim), scale, shift, j);
      }
    }
  }

  private static void block4x2(
      float[] q, int i, float[] d, int j, int dim, float[] scale, float[] shift, float[] best) {
    int q0 = i * dim, q1 = q0 + dim, q2 = q1 + dim, q3 = q2 + dim;
    int d0 = j * dim, d1 = d0 + dim;
    FloatVector a00 = FloatVector.zero(SPECIES), a01 = a00, a10 = a00, a11 = a00;
    FloatVector a20 = a00, a21 = a00, a30 = a00, a31 = a00;
    int bound = SPECIES.loopBound(dim);
    for (int k = 0; k < bound; k += LANES) {
      FloatVector x0 = load(d, d0 + k), x1 = load(d, d1 + k);
      FloatVector y = load(q, q0 + k);
      a00 = y.fma(x0, a00);
      a01 = y.fma(x1, a01);
      y = load(q, q1 + k);
      a10 = y.fma(x0, a10);
      a11 = y.fma(x1, a11);
      y = load(q, q2 + k);
      a20 = y.fma(x0, a20);
      a21 = y.fma(x1, a21);
      y = load(q, q3 + k);
      a30 = y.fma(x0, a30);
      a31 = y.fma(x1, a31);
    }
    update(best, i, tail(a00, q, q0, d, d0, bound, dim), scale, shift, j);
    update(best, i, tail(a01, q, q0, d, d1, bound, dim), scale, shift, j + 1);
    update(best, i + 1, tail(a10, q, q1, d, d0, bound, dim), scale, shift, j);
    update(best, i + 1, tail(a11, q, q1, d, d1, bound, dim), scale, shift, j + 1);
    update(best, i + 2, tail(a20, q, q2, d, d0, bound, dim), scale, shift, j);
    update(best, i + 2, tail(a21, q, q2, d, d1, bound, dim), scale, shift, j + 1);
    update(best, i + 3, tail(a30, q, q3, d, d0, bound, dim), scale, shift, j);
    update(best, i + 3, tail(a31, q, q3, d, d1, bound, dim), scale, shift, j + 1);
  }

  private static void block4x1(
      float[] q, int i, float[] d, int j, int dim, float[] scale, float[] shift, float[] best) {
    int q0 = i * dim, q1 = q0 + dim, q2 = q1 + dim, q3 = q2 + dim;
    int d0 = j * dim;
    FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
    int bound = SPECIES.loopBound(dim);
    for (int k = 0; k < bound; k += LANES) {
      FloatVector x = load(d, d0 + k);
      a0 = load(q, q0 + k).fma(x, a0);
      a1 = load(q, q1 + k).fma(x, a1);
      a2 = load(q, q2 + k).fma(x, a2);
      a3 = load(q, q3 + k).fma(x, a3);
    }
    update(best, i, tail(a0, q, q0, d, d0, bound, dim), scale, shift, j);
    update(best, i + 1, tail(a1, q, q1, d, d0, bound, dim), scale, shift, j);
    update(best, i + 2, tail(a2, q, q2, d, d0, bound, dim), scale, shift, j);
    update(best, i + 3, tail(a3, q, q3, d, d0, bound, dim), scale, shift, j);
  }

  private static void block1x4(
      float[] q, int i, float[] d, int j, int dim, float[] scale, float[] shift, float[] best) {
    int q0 = i * dim;
    int d0 = j * dim, d1 = d0 + dim, d2 = d1 + dim, d3 = d2 + dim;
    FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
    int bound = SPECIES.loopBound(dim);
    for (int k = 0; k < bound; k += LANES) {
      FloatVector y = load(q, q0 + k);
      a0 = y.fma(load(d, d0 + k), a0);
      a1 = y.fma(load(d, d1 + k), a1);
      a2 = y.fma(load(d, d2 + k), a2);
      a3 = y.fma(load(d, d3 + k), a3);
    }
    update(best, i, tail(a0, q, q0, d, d0, bound, dim), scale, shift, j);
    update(best, i, tail(a1, q, q0, d, d1, bound, dim), scale, shift, j + 1);
    update(best, i, tail(a2, q, q0, d, d2, bound, dim), scale, shift, j + 2);
    update(best, i, tail(a3, q, q0, d, d3, bound, dim), scale, shift, j + 3);
  }

  private static FloatVector load(float[] array, int offset) {
    return FloatVector.fromArray(SPECIES, array, offset);
  }

  /** Lanes of {@code acc} summed, then components {@code from..dim} added in order. */
  private static float tail(
      FloatVector acc, float[] a, int aOffset, float[] b, int bOffset, int from, int dim) {
    float sum = acc.reduceLanes(VectorOperators.ADD);
    for (int k = from; k < dim; k++) {
      sum = Math.fma(a[aOffset + k], b[bOffset + k], sum);
    }
    return sum;
  }

  private static void update(float[] best, int i, float dot, float[] scale, float[] shift, int j) {
    best[i] = Math.max(best[i], adjust(dot, scale, shift, j));
  }
}
