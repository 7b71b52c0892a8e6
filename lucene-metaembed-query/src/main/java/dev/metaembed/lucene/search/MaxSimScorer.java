package dev.metaembed.lucene.search;

import java.util.Objects;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.util.VectorUtil;

/**
 * Budgeted late interaction for one query: {@code Σ_{i<r_q} max_{j<r_c} similarity(q_i, d_j)}, the
 * score Lucene's {@code SUM_MAX_SIM} gives to the budget's prefixes, computed by a {@link
 * MaxSimKernel} over document vectors stored back to back in a float array.
 *
 * <p>{@code DOT_PRODUCT}, {@code MAXIMUM_INNER_PRODUCT} and {@code COSINE} reduce to a best dot
 * product per query vector, because each is increasing in an adjusted dot product: the first two
 * use it as is, {@code COSINE} divides it by the document vector's norm. {@code EUCLIDEAN} takes the
 * smallest squared distance {@code Σ (q − d)²}, computed directly (in the kernel's lane layout,
 * {@link MaxSimKernel.PreparedQuery#minSquareDistance}, when the query has enough vectors for it,
 * else Lucene's {@code VectorUtil.squareDistance}): through dot
 * products ({@code |q|² − (2q·d − |d|²)}) it cancels catastrophically when the vectors are long and
 * close (norms of 10^3 and distances below 1 gave scores 4% off). The similarity's own mapping to a
 * score is applied once per query vector.
 *
 * <p>Holds scratch space: not thread-safe, one instance per thread. Allocates nothing per call.
 */
public final class MaxSimScorer {
  private final MaxSimKernel kernel;
  private final VectorSimilarityFunction similarity;
  private final int dimension;
  private final int queryCount;
  private final float[] query;
  private final MaxSimKernel.PreparedQuery prepared;
  private final float[] queryNorms;
  private final float[] best;
  private float[] scale;
  private float[] shift;

  /** For EUCLIDEAN: the document vector of the smallest distance, per query vector. */
  private final int[] nearest;

  /** For EUCLIDEAN: the query vectors, and a document's vectors, one array each. */
  private final float[][] queryArrays;

  private float[][] docArrays;

  /** A scorer for the first {@code queryBudget} of {@code queryVectors} on this JVM's kernel. */
  public MaxSimScorer(
      float[][] queryVectors, int queryBudget, VectorSimilarityFunction similarity) {
    this(queryVectors, queryBudget, similarity, MaxSimKernel.get());
  }

  /** A scorer for the first {@code queryBudget} of {@code queryVectors} on {@code kernel}. */
  public MaxSimScorer(
      float[][] queryVectors,
      int queryBudget,
      VectorSimilarityFunction similarity,
      MaxSimKernel kernel) {
    this.kernel = Objects.requireNonNull(kernel, "kernel must not be null");
    this.similarity = Objects.requireNonNull(similarity, "similarity must not be null");
    if (queryBudget < 1 || queryBudget > queryVectors.length) {
      throw new IllegalArgumentException(
          "query budget must be in 1.." + queryVectors.length + ", got " + queryBudget);
    }
    this.dimension = queryVectors[0].length;
    this.queryCount = queryBudget;
    this.query = new float[queryBudget * dimension];
    for (int i = 0; i < queryBudget; i++) {
      System.arraycopy(queryVectors[i], 0, query, i * dimension, dimension);
    }
    this.queryNorms = similarity == VectorSimilarityFunction.COSINE ? new float[queryBudget] : null;
    for (int i = 0; queryNorms != null && i < queryBudget; i++) {
      queryNorms[i] =
          (float) Math.sqrt(kernel.dot(query, i * dimension, query, i * dimension, dimension));
    }
    this.best = new float[queryBudget];
    this.nearest = similarity == VectorSimilarityFunction.EUCLIDEAN ? new int[queryBudget] : null;
    this.queryArrays = nearest == null ? null : new float[queryBudget][];
    for (int i = 0; queryArrays != null && i < queryBudget; i++) {
      queryArrays[i] = queryVectors[i].clone();
    }
    this.docArrays = new float[0][];
    this.prepared = kernel.prepare(query, queryBudget, dimension);
  }

  /** Components per vector. */
  public int dimension() {
    return dimension;
  }

  /** The query vectors used (r_q). */
  public int queryCount() {
    return queryCount;
  }

  /**
   * The budgeted MaxSim of the query against {@code docCount} document vectors stored back to back
   * in {@code docs} (the caller has already cut them to the document budget).
   */
  public float score(float[] docs, int docCount) {
    bestPerQueryVector(docs, docCount, false);
    float sum = 0f;
    for (int i = 0; i < queryCount; i++) {
      sum += toScore(i, best[i]);
    }
    return sum;
  }

  /**
   * Explains {@link #score}: the budget and, per query vector, its best document vector and
   * similarity.
   */
  public Explanation explain(float[] docs, int docCount, int documentBudget) {
    bestPerQueryVector(docs, docCount, true);
    Explanation[] perQueryVector = new Explanation[queryCount];
    float sum = 0f;
    for (int i = 0; i < queryCount; i++) {
      float value = toScore(i, best[i]);
      sum += value;
      perQueryVector[i] =
          Explanation.match(
              value,
              "query vector "
                  + i
                  + ": best document vector "
                  + argBest(i, docs, docCount)
                  + " ("
                  + similarity
                  + ")");
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

  /**
   * {@code needNearest}: EUCLIDEAN must also record which document vector is nearest (explain);
   * the distances themselves always come from the same code as {@link #score}'s.
   */
  private void bestPerQueryVector(float[] docs, int docCount, boolean needNearest) {
    if (docCount < 1) {
      throw new IllegalArgumentException("at least one document vector is needed, got " + docCount);
    }
    if (nearest != null) {
      if (needNearest) {
        smallestDistances(docs, docCount); // which vector is nearest; the values come next
      }
      if (prepared.minSquareDistance(docs, docCount, dimension, best) == false
          && needNearest == false) {
        smallestDistances(docs, docCount);
      }
    } else if (queryNorms != null) {
      adjustments(docs, docCount);
      prepared.maxDot(docs, docCount, dimension, scale, shift, best);
    } else {
      prepared.maxDot(docs, docCount, dimension, null, null, best);
    }
  }

  /** Per document vector, for cosine: 1/|d| (no shift). */
  private void adjustments(float[] docs, int docCount) {
    if (scale == null || scale.length < docCount) {
      scale = new float[docCount];
      shift = new float[docCount]; // stays 0
    }
    for (int j = 0; j < docCount; j++) {
      scale[j] =
          (float) (1 / Math.sqrt(kernel.dot(docs, j * dimension, docs, j * dimension, dimension)));
    }
  }

  /**
   * EUCLIDEAN: the smallest squared distance per query vector, and which document vector has it,
   * each from Lucene's {@code VectorUtil.squareDistance} (Σ (q − d)² on the Vector API when
   * present, so no cancellation), which takes one array per vector.
   */
  private void smallestDistances(float[] docs, int docCount) {
    if (docArrays.length < docCount) {
      docArrays = new float[docCount][dimension];
    }
    for (int j = 0; j < docCount; j++) {
      System.arraycopy(docs, j * dimension, docArrays[j], 0, dimension);
    }
    for (int i = 0; i < queryCount; i++) {
      float smallest = Float.POSITIVE_INFINITY;
      for (int j = 0; j < docCount; j++) {
        float distance = VectorUtil.squareDistance(queryArrays[i], docArrays[j]);
        if (distance < smallest) {
          smallest = distance;
          nearest[i] = j;
        }
      }
      best[i] = smallest;
    }
  }

  private float toScore(int i, float bestAdjusted) {
    return switch (similarity) {
      case DOT_PRODUCT -> VectorUtil.normalizeToUnitInterval(bestAdjusted);
      case MAXIMUM_INNER_PRODUCT -> VectorUtil.scaleMaxInnerProductScore(bestAdjusted);
      case COSINE -> VectorUtil.normalizeToUnitInterval(bestAdjusted / queryNorms[i]);
      case EUCLIDEAN ->
          VectorUtil.normalizeDistanceToUnitInterval(bestAdjusted); // the smallest distance
    };
  }

  /** The document vector with the best adjusted dot product for query vector {@code i}. */
  private int argBest(int i, float[] docs, int docCount) {
    if (nearest != null) {
      return nearest[i];
    }
    int arg = 0;
    float max = Float.NEGATIVE_INFINITY;
    for (int j = 0; j < docCount; j++) {
      float dot = kernel.dot(query, i * dimension, docs, j * dimension, dimension);
      float value = MaxSimKernel.adjust(dot, scale, shift, j); // scale is null unless adjusted
      if (value > max) {
        max = value;
        arg = j;
      }
    }
    return arg;
  }
}
