package dev.metaembed.encoder;

/** Small vector helpers. */
final class Vectors {
  private Vectors() {}

  /** Scales {@code v} to unit length in place; a zero vector stays zero. */
  static float[] normalize(float[] v) {
    double norm = 0;
    for (float x : v) {
      norm += (double) x * x;
    }
    if (norm > 0) {
      float inv = (float) (1 / Math.sqrt(norm));
      for (int c = 0; c < v.length; c++) {
        v[c] *= inv;
      }
    }
    return v;
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int c = 0; c < a.length; c++) {
      dot += (double) a[c] * b[c];
      na += (double) a[c] * a[c];
      nb += (double) b[c] * b[c];
    }
    return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
  }
}
