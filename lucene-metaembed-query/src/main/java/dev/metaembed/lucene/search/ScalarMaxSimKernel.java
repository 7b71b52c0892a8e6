package dev.metaembed.lucene.search;

/** The plain-Java {@link MaxSimKernel}: one pair at a time, components in order. */
final class ScalarMaxSimKernel extends MaxSimKernel {
  static final ScalarMaxSimKernel INSTANCE = new ScalarMaxSimKernel();

  private ScalarMaxSimKernel() {}

  @Override
  public String name() {
    return "scalar";
  }

  @Override
  public float dot(float[] a, int aOffset, float[] b, int bOffset, int dim) {
    float sum = 0f;
    for (int k = 0; k < dim; k++) {
      sum = Math.fma(a[aOffset + k], b[bOffset + k], sum);
    }
    return sum;
  }

  @Override
  public PreparedQuery prepare(float[] query, int queryCount, int dim) {
    float[] copy = java.util.Arrays.copyOf(query, queryCount * dim);
    return new PreparedQuery() {
      @Override
      public void maxDot(
          float[] docs, int docCount, int dim, float[] scale, float[] shift, float[] best) {
        for (int i = 0; i < queryCount; i++) {
          float max = Float.NEGATIVE_INFINITY;
          for (int j = 0; j < docCount; j++) {
            max = Math.max(max, adjust(dot(copy, i * dim, docs, j * dim, dim), scale, shift, j));
          }
          best[i] = max;
        }
      }
    };
  }
}
