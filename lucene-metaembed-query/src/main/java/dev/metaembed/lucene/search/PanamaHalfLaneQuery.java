package dev.metaembed.lucene.search;

import static dev.metaembed.lucene.search.PanamaLaneQuery.adjust;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link PanamaLaneQuery}'s layout on 256-bit vectors, for 5 to 8 query vectors where the preferred
 * vectors are 512 bits: the 512-bit layout would leave half of every vector empty, and some
 * AVX-512 processors (AMD Zen 4) run a 512-bit FMA as two 256-bit halves, so 8 full lanes do the
 * work of 16 half-empty ones at the same rate. Same arithmetic, lane for lane, as the scalar
 * kernel (one fma chain per pair, in component order).
 *
 * <p>A class of its own, not {@link PanamaLaneQuery} with a species argument: the Vector API is
 * compiled to vector instructions only where the species is a constant, and a species passed as
 * an argument made both widths about 1,000 times slower (measured, {@code MaxSimKernelBenchmark}).
 */
final class PanamaHalfLaneQuery implements MaxSimKernel.PreparedQuery {
  static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_256;
  static final int LANES = SPECIES.length();

  /** Whether this layout pays here: the preferred vectors are at least 512 bits. */
  static final boolean USEFUL = PanamaMaxSimKernel.SPECIES.vectorBitSize() >= 512;

  private static final int BLOCK = 8;

  private final float[] lanes;
  private final int queryCount;

  /** @param queryCount at most {@link #LANES} */
  PanamaHalfLaneQuery(float[] query, int queryCount, int dim) {
    if (queryCount > LANES) {
      throw new IllegalArgumentException("at most " + LANES + " query vectors, got " + queryCount);
    }
    this.queryCount = queryCount;
    this.lanes = PanamaLaneQuery.layout(query, queryCount, dim, LANES);
  }

  @Override
  public void maxDot(
      float[] docs, int docCount, int dim, float[] scale, float[] shift, float[] best) {
    FloatVector max = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
    int j = 0;
    for (; j + BLOCK <= docCount; j += BLOCK) {
      max = block8(docs, j, dim, scale, shift, max);
    }
    for (; j < docCount; j++) {
      int d0 = j * dim;
      FloatVector acc = FloatVector.zero(SPECIES);
      for (int k = 0; k < dim; k++) {
        acc = lane(k).fma(FloatVector.broadcast(SPECIES, docs[d0 + k]), acc);
      }
      max = max.max(adjust(acc, scale, shift, j));
    }
    VectorMask<Float> valid = SPECIES.indexInRange(0, queryCount);
    max.intoArray(best, 0, valid);
  }

  private FloatVector block8(
      float[] docs, int j, int dim, float[] scale, float[] shift, FloatVector max) {
    int d0 = j * dim, d1 = d0 + dim, d2 = d1 + dim, d3 = d2 + dim;
    int d4 = d3 + dim, d5 = d4 + dim, d6 = d5 + dim, d7 = d6 + dim;
    FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
    FloatVector a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    for (int k = 0; k < dim; k++) {
      FloatVector q = lane(k);
      a0 = q.fma(FloatVector.broadcast(SPECIES, docs[d0 + k]), a0);
      a1 = q.fma(FloatVector.broadcast(SPECIES, docs[d1 + k]), a1);
      a2 = q.fma(FloatVector.broadcast(SPECIES, docs[d2 + k]), a2);
      a3 = q.fma(FloatVector.broadcast(SPECIES, docs[d3 + k]), a3);
      a4 = q.fma(FloatVector.broadcast(SPECIES, docs[d4 + k]), a4);
      a5 = q.fma(FloatVector.broadcast(SPECIES, docs[d5 + k]), a5);
      a6 = q.fma(FloatVector.broadcast(SPECIES, docs[d6 + k]), a6);
      a7 = q.fma(FloatVector.broadcast(SPECIES, docs[d7 + k]), a7);
    }
    max = max.max(adjust(a0, scale, shift, j)).max(adjust(a1, scale, shift, j + 1));
    max = max.max(adjust(a2, scale, shift, j + 2)).max(adjust(a3, scale, shift, j + 3));
    max = max.max(adjust(a4, scale, shift, j + 4)).max(adjust(a5, scale, shift, j + 5));
    return max.max(adjust(a6, scale, shift, j + 6)).max(adjust(a7, scale, shift, j + 7));
  }

  /** {@link PanamaLaneQuery#minSquareDistance} on this layout. */
  @Override
  public boolean minSquareDistance(float[] docs, int docCount, int dim, float[] best) {
    FloatVector min = FloatVector.broadcast(SPECIES, Float.POSITIVE_INFINITY);
    int j = 0;
    for (; j + 4 <= docCount; j += 4) {
      int d0 = j * dim, d1 = d0 + dim, d2 = d1 + dim, d3 = d2 + dim;
      FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
      for (int k = 0; k < dim; k++) {
        FloatVector q = lane(k);
        FloatVector e0 = q.sub(docs[d0 + k]), e1 = q.sub(docs[d1 + k]);
        FloatVector e2 = q.sub(docs[d2 + k]), e3 = q.sub(docs[d3 + k]);
        a0 = e0.fma(e0, a0);
        a1 = e1.fma(e1, a1);
        a2 = e2.fma(e2, a2);
        a3 = e3.fma(e3, a3);
      }
      min = min.min(a0).min(a1).min(a2).min(a3);
    }
    for (; j < docCount; j++) {
      int d0 = j * dim;
      FloatVector acc = FloatVector.zero(SPECIES);
      for (int k = 0; k < dim; k++) {
        FloatVector diff = lane(k).sub(docs[d0 + k]);
        acc = diff.fma(diff, acc);
      }
      min = min.min(acc);
    }
    min.intoArray(best, 0, SPECIES.indexInRange(0, queryCount));
    return true;
  }

  private FloatVector lane(int k) {
    return FloatVector.fromArray(SPECIES, lanes, k * LANES);
  }
}
