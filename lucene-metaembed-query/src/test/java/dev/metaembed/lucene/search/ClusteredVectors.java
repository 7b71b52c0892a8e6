package dev.metaembed.lucene.search;

import java.util.Random;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.util.VectorUtil;

/**
 * MetaEmbed-like test data, coarse to fine: vector 0 is an item's topic (its cluster's center plus
 * noise); later vectors are the topic plus detail. With independent random vectors the full-budget
 * ranking would be driven by chance matches no first stage could find.
 */
final class ClusteredVectors {
  private final Random random;
  private final int dim;
  private final float[][] centers;

  private final float topicNoise;
  private final float detailNoise;

  ClusteredVectors(Random random, int dim, int clusters) {
    this(random, dim, clusters, 0.35f, 0.5f);
  }

  /** Noise levels are per-vector norms of the Gaussian noise added to the center and topic. */
  ClusteredVectors(Random random, int dim, int clusters, float topicNoise, float detailNoise) {
    this.random = random;
    this.topicNoise = topicNoise;
    this.detailNoise = detailNoise;
    this.dim = dim;
    this.centers = new float[clusters][];
    for (int c = 0; c < clusters; c++) {
      centers[c] = gaussian(1f);
      VectorUtil.l2normalize(centers[c]);
    }
  }

  /** {@code count} vectors around a random cluster's center. */
  float[][] item(int count) {
    float[] center = centers[random.nextInt(centers.length)];
    float[] topic = add(center, gaussian(topicNoise / (float) Math.sqrt(dim)));
    float[][] vectors = new float[count][];
    for (int i = 0; i < count; i++) {
      vectors[i] =
          i == 0 ? topic.clone() : add(topic, gaussian(detailNoise / (float) Math.sqrt(dim)));
      VectorUtil.l2normalize(vectors[i]);
    }
    return vectors;
  }

  private float[] gaussian(float sigma) {
    float[] v = new float[dim];
    for (int c = 0; c < dim; c++) {
      v[c] = (float) random.nextGaussian() * sigma;
    }
    return v;
  }

  private static float[] add(float[] a, float[] b) {
    float[] sum = new float[a.length];
    for (int c = 0; c < a.length; c++) {
      sum[c] = a[c] + b[c];
    }
    return sum;
  }

  /** The naive reference: plain loops over the budget's prefixes. */
  static float naiveMaxSim(
      float[][] query,
      int queryBudget,
      float[][] doc,
      int documentBudget,
      VectorSimilarityFunction sim) {
    double sum = 0;
    for (int i = 0; i < Math.min(queryBudget, query.length); i++) {
      float best = -Float.MAX_VALUE;
      for (int j = 0; j < Math.min(documentBudget, doc.length); j++) {
        best = Math.max(best, sim.compare(query[i], doc[j]));
      }
      sum += best;
    }
    return (float) sum;
  }
}
