package dev.metaembed.lucene.search;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link MaxSimKernel} on the Panama Vector API, with two layouts of the query. When the query has
 * at least half a vector's lanes of vectors (on AVX-512: 9 to 16 in 512-bit vectors, 5 to 8 in
 * 256-bit ones, {@link PanamaHalfLaneQuery}), {@link PanamaLaneQuery} puts one query vector in
 * each lane: a document vector's components are broadcast and every lane accumulates its own dot
 * product, so the per-query-vector maximum is a lane-wise max with no horizontal reduction
 * per pair. Smaller queries use {@link PanamaBlockedQuery}: vectors along the components, blocks of
 * query × document vectors sharing loads, one lane reduction per pair. The lane layouts add in
 * the scalar kernel's order, bit for bit; the blocked one sums lanes with {@code reduceLanes},
 * whose order the Vector API leaves open, so interpreted and compiled code may differ in the last
 * bits of a pair.
 */
final class PanamaMaxSimKernel extends MaxSimKernel {
  static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  static final int LANES = SPECIES.length();

  PanamaMaxSimKernel() {}

  @Override
  public String name() {
    return "panama(" + SPECIES.vectorBitSize() + " bit)";
  }

  @Override
  public float dot(float[] a, int aOffset, float[] b, int bOffset, int dim) {
    return dotProduct(a, aOffset, b, bOffset, dim);
  }

  /** One accumulator over full vectors, reduced, then the remaining components in order. */
  static float dotProduct(float[] a, int aOffset, float[] b, int bOffset, int dim) {
    int bound = SPECIES.loopBound(dim);
    FloatVector acc = FloatVector.zero(SPECIES);
    for (int k = 0; k < bound; k += LANES) {
      acc = load(a, aOffset + k).fma(load(b, bOffset + k), acc);
    }
    return tail(acc, a, aOffset, b, bOffset, bound, dim);
  }

  @Override
  public PreparedQuery prepare(float[] query, int queryCount, int dim) {
    if (PanamaHalfLaneQuery.USEFUL
        && queryCount <= PanamaHalfLaneQuery.LANES
        && queryCount * 4 > LANES) {
      return new PanamaHalfLaneQuery(query, queryCount, dim); // 5..8 query vectors on AVX-512
    }
    if (queryCount * 2 >= LANES) {
      return new PanamaLaneQuery(query, queryCount, dim);
    }
    return new PanamaBlockedQuery(java.util.Arrays.copyOf(query, queryCount * dim), queryCount);
  }

  static FloatVector load(float[] array, int offset) {
    return FloatVector.fromArray(SPECIES, array, offset);
  }

  /** Lanes of {@code acc} summed, then components {@code from..dim} added in order. */
  static float tail(
      FloatVector acc, float[] a, int aOffset, float[] b, int bOffset, int from, int dim) {
    float sum = acc.reduceLanes(VectorOperators.ADD);
    for (int k = from; k < dim; k++) {
      sum = Math.fma(a[aOffset + k], b[bOffset + k], sum);
    }
    return sum;
  }

  static void update(float[] best, int i, float dot, float[] scale, float[] shift, int j) {
    best[i] = Math.max(best[i], adjust(dot, scale, shift, j));
  }
}
