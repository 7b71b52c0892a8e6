package dev.metaembed.lucene.codec;

import java.util.Random;
import org.apache.lucene.util.VectorUtil;

/** Random vectors for tests, shared through the codec's test jar; normalizing is Lucene's. */
public final class RandomVectors {
  private RandomVectors() {}

  /** A uniformly random direction of {@code dim} components (Gaussian components, unit length). */
  public static float[] unit(Random random, int dim) {
    float[] v = new float[dim];
    do {
      for (int c = 0; c < dim; c++) {
        v[c] = (float) random.nextGaussian();
      }
    } while (VectorUtil.dotProduct(v, v) == 0f);
    return VectorUtil.l2normalize(v);
  }

  /** Normalizes each vector in place ({@link VectorUtil#l2normalize}). */
  public static void normalizeAll(float[][] vectors) {
    for (float[] v : vectors) {
      VectorUtil.l2normalize(v);
    }
  }
}
