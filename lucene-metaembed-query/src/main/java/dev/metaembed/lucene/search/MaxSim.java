package dev.metaembed.lucene.search;

import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.Explanation;

/**
 * Budgeted late interaction: {@code Σ_{i<r_q} max_{j<r_c} similarity.compare(q_i, d_j)}, Lucene's
 * {@code SUM_MAX_SIM} over the prefixes the budget keeps. Allocation-free.
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

  /**
   * Explains {@link #score}: its value, the budget, and for each query vector the best document
   * vector and its similarity. The value is computed exactly as {@link #score} computes it.
   */
  public static Explanation explain(
      float[][] query,
      int queryCount,
      float[][] doc,
      int docCount,
      int documentBudget,
      VectorSimilarityFunction similarity) {
    Explanation[] perQueryVector = new Explanation[queryCount];
    float sum = 0f;
    for (int i = 0; i < queryCount; i++) {
      float best = Float.NEGATIVE_INFINITY;
      int bestIndex = -1;
      for (int j = 0; j < docCount; j++) {
        float sim = similarity.compare(query[i], doc[j]);
        if (sim > best) {
          best = sim;
          bestIndex = j;
        }
      }
      sum += best;
      perQueryVector[i] =
          Explanation.match(
              best,
              "query vector " + i + ": best document vector " + bestIndex + " (" + similarity + ")");
    }
    return Explanation.match(
        sum,
        "MaxSim with budget (r_q="
            + queryCount
            + ", r_c="
            + documentBudget
            + "), "
            + docCount
            + " document vectors used, sum of:",
        perQueryVector);
  }
}
