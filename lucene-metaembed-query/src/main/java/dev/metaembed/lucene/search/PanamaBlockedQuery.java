package dev.metaembed.lucene.search;

import static dev.metaembed.lucene.search.PanamaMaxSimKernel.LANES;
import static dev.metaembed.lucene.search.PanamaMaxSimKernel.SPECIES;
import static dev.metaembed.lucene.search.PanamaMaxSimKernel.load;
import static dev.metaembed.lucene.search.PanamaMaxSimKernel.tail;
import static dev.metaembed.lucene.search.PanamaMaxSimKernel.update;

import jdk.incubator.vector.FloatVector;

/**
 * A query of few vectors, kept as it is (vectors back to back). Each pair is one accumulator over
 * the components, reduced across lanes; blocks of 4 query × 1 document vectors (1 × 4 for the last
 * query vectors) keep 4 accumulators in registers so that each load serves 4 pairs.
 */
final class PanamaBlockedQuery implements MaxSimKernel.PreparedQuery {
  private final float[] query;
  private final int queryCount;

  PanamaBlockedQuery(float[] query, int queryCount) {
    this.query = query;
    this.queryCount = queryCount;
  }

  @Override
  public void maxDot(
      float[] docs, int docCount, int dim, float[] scale, float[] shift, float[] best) {
    java.util.Arrays.fill(best, 0, queryCount, Float.NEGATIVE_INFINITY);
    int i = 0;
    for (; i + 4 <= queryCount; i += 4) {
      for (int j = 0; j < docCount; j++) {
        block4x1(query, i, docs, j, dim, scale, shift, best);
      }
    }
    for (; i < queryCount; i++) {
      int j = 0;
      for (; j + 4 <= docCount; j += 4) {
        block1x4(query, i, docs, j, dim, scale, shift, best);
      }
      for (; j < docCount; j++) {
        update(
            best,
            i,
            PanamaMaxSimKernel.dotProduct(query, i * dim, docs, j * dim, dim),
            scale,
            shift,
            j);
      }
    }
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
}
