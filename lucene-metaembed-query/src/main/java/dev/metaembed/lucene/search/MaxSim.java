package dev.metaembed.lucene.search;

import org.apache.lucene.index.VectorSimilarityFunction;

/**
 * The definition of budgeted late interaction, {@code Σ_{i<r_q} max_{j<r_c}
 * similarity.compare(q_i, d_j)} (Lucene's {@code SUM_MAX_SIM} over the prefixes the budget keeps),
 * computed pair by pair with {@link VectorSimilarityFunction#compare}. It is the reference the
 * fast {@link MaxSimScorer} is tested and benchmarked against; searches use {@link MaxSimScorer}.
 */
public final class MaxSim {
  private MaxSim() {}

  /**
   * The budgeted MaxSim of the first {@code queryCount} query vectors against the first {@code
   * docCount} document vectors.
   */
  public static float score(
      float[][] query,
      int queryCount,
      float[][] doc,
      int docCount,
      VectorSimilarityFunction similarity) {
    float sum = 0f;
    for (int i = 0; i < queryCount; i++) {
      float best = Float.NEGATIVE_INFINITY;
      for (int j = 0; j < docCount; j++) {
        best = Math.max(best, similarity.compare(query[i], doc[j]));
      }
      sum += best;
    }
    return sum;
  }
}
