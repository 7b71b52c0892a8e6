package dev.metaembed.bench;

import java.util.SplittableRandom;

/** Seeded random unit vectors and budget parsing shared by the benchmarks (no timing here). */
final class BenchData {
  private BenchData() {}

  /** {@code count} random unit-length vectors of {@code dim} components (Gaussian, normalised). */
  static float[][] unitVectors(SplittableRandom random, int count, int dim) {
    float[][] vectors = new float[count][dim];
    for (float[] v : vectors) {
      double norm = 0;
      for (int k = 0; k < dim; k++) {
        double g = gaussian(random);
        v[k] = (float) g;
        norm += g * g;
      }
      float inv = (float) (1 / Math.sqrt(norm));
      for (int k = 0; k < dim; k++) {
        v[k] *= inv;
      }
    }
    return vectors;
  }

  /** The vectors back to back in one array. */
  static float[] flatten(float[][] vectors) {
    int dim = vectors[0].length;
    float[] flat = new float[vectors.length * dim];
    for (int i = 0; i < vectors.length; i++) {
      System.arraycopy(vectors[i], 0, flat, i * dim, dim);
    }
    return flat;
  }

  /** Parses a budget "RQxRC" (e.g. "4x8") into {r_q, r_c}. */
  static int[] budget(String spec) {
    String[] parts = spec.trim().toLowerCase(java.util.Locale.ROOT).split("x");
    if (parts.length != 2) {
      throw new IllegalArgumentException("budget must look like 4x8, got " + spec);
    }
    return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
  }

  private static double gaussian(SplittableRandom random) {
    // Box-Muller; SplittableRandom has no nextGaussian on every JDK level we target.
    double u1 = 1 - random.nextDouble();
    double u2 = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}
