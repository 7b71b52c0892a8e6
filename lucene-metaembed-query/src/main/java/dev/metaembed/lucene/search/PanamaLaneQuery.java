package dev.metaembed.lucene.search;

import static dev.metaembed.lucene.search.PanamaMaxSimKernel.LANES;
import static dev.metaembed.lucene.search.PanamaMaxSimKernel.SPECIES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * A query laid out one vector per lane: groups of {@code LANES} query vectors, stored component by
 * component ({@code lanes[(g × dim + k) × LANES + l]} is component k of query vector g × LANES + l,
 * zero past the last vector). For each document vector, component k is broadcast and multiplied
 * into the group's k-th lane vector, so every lane accumulates its own dot product in component
 * order, exactly like the scalar kernel; the best per query vector is a lane-wise max. Blocks of 8
 * document vectors keep 8 independent accumulators busy and load each query lane vector once for
 * all 8.
 */
final class PanamaLaneQuery implements MaxSimKernel.PreparedQuery {
  private static final int BLOCK = 8;

  private final float[] lanes;
  private final int queryCount;
  private final int groups;

  PanamaLaneQuery(float[] query, int queryCount, int dim) {
    this.queryCount = queryCount;
    this.groups = (queryCount + LANES - 1) / LANES;
    this.lanes = layout(query, queryCount, dim, LANES);
  }

  /** The query vectors one per lane of {@code width}-lane vectors, component by component. */
  static float[] layout(float[] query, int queryCount, int dim, int width) {
    int groups = (queryCount + width - 1) / width;
    float[] lanes = new float[groups * dim * width];
    for (int i = 0; i < queryCount; i++) {
      int group = i / width, lane = i % width;
      for (int k = 0; k < dim; k++) {
        lanes[(group * dim + k) * width + lane] = query[i * dim + k];
      }
    }
    return lanes;
  }

  @Override
  public void maxDot(
      float[] docs, int docCount, int dim, float[] scale, float[] shift, float[] best) {
    for (int g = 0; g < groups; g++) {
      int base = g * dim * LANES;
      FloatVector max = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
      int j = 0;
      for (; j + BLOCK <= docCount; j += BLOCK) {
        max = block8(docs, j, dim, base, scale, shift, max);
      }
      for (; j < docCount; j++) {
        int d0 = j * dim;
        FloatVector acc = FloatVector.zero(SPECIES);
        for (int k = 0; k < dim; k++) {
          acc = lane(base, k).fma(FloatVector.broadcast(SPECIES, docs[d0 + k]), acc);
        }
        max = max.max(adjust(acc, scale, shift, j));
      }
      VectorMask<Float> valid = SPECIES.indexInRange(g * LANES, queryCount);
      max.intoArray(best, g * LANES, valid);
    }
  }

  private FloatVector block8(
      float[] docs, int j, int dim, int base, float[] scale, float[] shift, FloatVector max) {
    int d0 = j * dim, d1 = d0 + dim, d2 = d1 + dim, d3 = d2 + dim;
    int d4 = d3 + dim, d5 = d4 + dim, d6 = d5 + dim, d7 = d6 + dim;
    FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
    FloatVector a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    for (int k = 0; k < dim; k++) {
      FloatVector q = lane(base, k);
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

  /** The lane layout's EUCLIDEAN: per lane, Σ (q − d)² in component order, then a lane-wise min. */
  @Override
  public boolean minSquareDistance(float[] docs, int docCount, int dim, float[] best) {
    for (int g = 0; g < groups; g++) {
      int base = g * dim * LANES;
      FloatVector min = FloatVector.broadcast(SPECIES, Float.POSITIVE_INFINITY);
      int j = 0;
      for (; j + 4 <= docCount; j += 4) {
        min = squares4(docs, j, dim, base, min);
      }
      for (; j < docCount; j++) {
        int d0 = j * dim;
        FloatVector acc = FloatVector.zero(SPECIES);
        for (int k = 0; k < dim; k++) {
          FloatVector diff = lane(base, k).sub(docs[d0 + k]);
          acc = diff.fma(diff, acc);
        }
        min = min.min(acc);
      }
      VectorMask<Float> valid = SPECIES.indexInRange(g * LANES, queryCount);
      min.intoArray(best, g * LANES, valid);
    }
    return true;
  }

  private FloatVector squares4(float[] docs, int j, int dim, int base, FloatVector min) {
    int d0 = j * dim, d1 = d0 + dim, d2 = d1 + dim, d3 = d2 + dim;
    FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
    for (int k = 0; k < dim; k++) {
      FloatVector q = lane(base, k);
      FloatVector e0 = q.sub(docs[d0 + k]), e1 = q.sub(docs[d1 + k]);
      FloatVector e2 = q.sub(docs[d2 + k]), e3 = q.sub(docs[d3 + k]);
      a0 = e0.fma(e0, a0);
      a1 = e1.fma(e1, a1);
      a2 = e2.fma(e2, a2);
      a3 = e3.fma(e3, a3);
    }
    return min.min(a0).min(a1).min(a2).min(a3);
  }

  private FloatVector lane(int base, int k) {
    return FloatVector.fromArray(SPECIES, lanes, base + k * LANES);
  }

  /** Each lane's dot product times scale[j] plus shift[j], rounded as the scalar kernel does. */
  static FloatVector adjust(FloatVector dots, float[] scale, float[] shift, int j) {
    return scale == null ? dots : dots.mul(scale[j]).add(shift[j]);
  }
}
