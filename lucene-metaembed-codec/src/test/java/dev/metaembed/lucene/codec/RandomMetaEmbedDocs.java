package dev.metaembed.lucene.codec;

import java.util.Random;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.util.VectorUtil;

/** Random MetaEmbed-like documents for tests: coarse vector 0, finer vectors around it. */
final class RandomMetaEmbedDocs {
  private RandomMetaEmbedDocs() {}

  /** Between 1 and maxVectors vectors of {@code dim} components, valid for {@code similarity}. */
  static float[][] randomDocument(
      Random random, int dim, int maxVectors, VectorSimilarityFunction similarity) {
    int count = 1 + random.nextInt(maxVectors);
    float[][] vectors = new float[count][dim];
    float[] topic = randomVector(random, dim);
    for (int i = 0; i < count; i++) {
      for (int c = 0; c < dim; c++) {
        float detail = i == 0 ? 0f : (random.nextFloat() - 0.5f) * 0.5f;
        vectors[i][c] = topic[c] + detail;
      }
      if (random.nextInt(20) == 0) {
        vectors[i][random.nextInt(dim)] = random.nextBoolean() ? 0f : -0f; // stored as +0
      }
      if (isZero(vectors[i])) {
        vectors[i][0] = 1f;
      }
      if (similarity == VectorSimilarityFunction.DOT_PRODUCT) {
        VectorUtil.l2normalize(vectors[i]);
      }
    }
    return vectors;
  }

  static float[] randomVector(Random random, int dim) {
    float[] v = new float[dim];
    for (int c = 0; c < dim; c++) {
      v[c] = random.nextFloat() * 2 - 1;
    }
    if (isZero(v)) {
      v[0] = 1f;
    }
    return v;
  }

  /** What the index returns for {@code vectors}: the same values, with -0.0 stored as +0.0. */
  static float[][] stored(float[][] vectors) {
    float[][] copy = new float[vectors.length][];
    for (int i = 0; i < vectors.length; i++) {
      copy[i] = vectors[i].clone();
      for (int c = 0; c < copy[i].length; c++) {
        if (copy[i][c] == 0f) {
          copy[i][c] = 0f;
        }
      }
    }
    return copy;
  }

  /**
   * What the index returns for {@code vectors} stored as {@code storage}: vector 0 exact (the graph
   * keeps it), the others as the independent {@link SpecEncoding} encodes and decodes them.
   */
  static float[][] stored(float[][] vectors, VectorStorage storage) {
    float[][] exact = stored(vectors);
    float[][] decoded = new float[exact.length][];
    decoded[0] = exact[0];
    for (int i = 1; i < exact.length; i++) {
      decoded[i] = SpecEncoding.roundTrip(storage, exact[i]);
    }
    return decoded;
  }

  private static boolean isZero(float[] v) {
    for (float x : v) {
      if (x != 0f) {
        return false;
      }
    }
    return true;
  }
}
