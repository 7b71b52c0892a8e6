package dev.metaembed.lucene.search;

import java.util.Random;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * {@link MaxSimScorer} against a double-precision brute force written from Lucene's definitions of
 * the similarities, on the inputs where float arithmetic is weakest: vectors of large norm (up to
 * 10^3) whose document vectors are near duplicates of the query vectors (differences of 10^-3 to
 * 1). {@code EUCLIDEAN} is where it matters: |q − d|² = |q|² − (2q·d − |d|²) cancels catastrophically
 * there, so the scorer must recompute the winning distances directly. Relative error of every score
 * ≤ 10^-4 (float sums of up to 16 terms are good to about 10^-6).
 */
public class TestMaxSimPrecision extends LuceneTestCase {
  private static final double MAX_RELATIVE_ERROR = 1e-4;

  public void testEuclideanOnLargeNearDuplicates() {
    check(VectorSimilarityFunction.EUCLIDEAN);
  }

  public void testMaximumInnerProductOnLargeNearDuplicates() {
    check(VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT);
  }

  private void check(VectorSimilarityFunction similarity) {
    Random random = random();
    for (int round = 0; round < 50; round++) {
      int dim = 1 + random.nextInt(384);
      int queryCount = 1 + random.nextInt(16);
      int docCount = 1 + random.nextInt(64);
      double norm = Math.pow(10, 1 + 2 * random.nextDouble()); // 10 to 1,000
      float[][] query = new float[queryCount][];
      for (int i = 0; i < queryCount; i++) {
        query[i] = scaled(random, dim, norm);
      }
      float[] docs = new float[docCount * dim];
      for (int j = 0; j < docCount; j++) {
        float[] near = query[random.nextInt(queryCount)];
        double spread = Math.pow(10, -3 + 3 * random.nextDouble()); // 10^-3 to 1
        for (int c = 0; c < dim; c++) {
          docs[j * dim + c] = (float) (near[c] + spread * random.nextGaussian() / Math.sqrt(dim));
        }
      }
      double expected = reference(similarity, query, docs, docCount, dim);
      float actual = new MaxSimScorer(query, queryCount, similarity).score(docs, docCount);
      double error = Math.abs(actual - expected) / Math.abs(expected);
      assertTrue(
          similarity
              + " round "
              + round
              + " dim "
              + dim
              + " norm "
              + norm
              + ": score "
              + actual
              + ", double brute force "
              + expected
              + ", relative error "
              + error,
          error <= MAX_RELATIVE_ERROR);
    }
  }

  private static float[] scaled(Random random, int dim, double norm) {
    double[] v = new double[dim];
    double squared = 0;
    for (int c = 0; c < dim; c++) {
      v[c] = random.nextGaussian();
      squared += v[c] * v[c];
    }
    float[] out = new float[dim];
    for (int c = 0; c < dim; c++) {
      out[c] = (float) (v[c] * norm / Math.sqrt(squared));
    }
    return out;
  }

  /** Σ_i max_j of Lucene's score for the similarity, every step in double. */
  private static double reference(
      VectorSimilarityFunction similarity, float[][] query, float[] docs, int docCount, int dim) {
    double sum = 0;
    for (float[] q : query) {
      double best = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < docCount; j++) {
        double dot = 0;
        double distance = 0;
        for (int c = 0; c < dim; c++) {
          double d = docs[j * dim + c];
          dot += q[c] * d;
          distance += (q[c] - d) * (q[c] - d);
        }
        double score =
            similarity == VectorSimilarityFunction.EUCLIDEAN
                ? 1 / (1 + distance)
                : dot < 0 ? 1 / (1 - dot) : dot + 1; // Lucene's scaleMaxInnerProductScore
        best = Math.max(best, score);
      }
      sum += best;
    }
    return sum;
  }
}
