package dev.metaembed.lucene.search;

import dev.metaembed.lucene.codec.VectorApiSupport;

/**
 * The arithmetic of late interaction: dot products between query vectors and a contiguous block of
 * document vectors, reduced to the best value per query vector. Vectors are stored back to back
 * in flat arrays ({@code vector v} starts at {@code v * dim}). Implementations allocate nothing.
 *
 * <p>{@link #get()} follows {@link VectorApiSupport}, the rule the codec's decoding follows too:
 * the Panama Vector API kernel when {@code jdk.incubator.vector} is added and usable, otherwise the
 * plain-Java kernel; {@code -Dmetaembed.vector.api=panama|scalar} overrides it. The two agree up to
 * float rounding.
 */
public abstract sealed class MaxSimKernel permits ScalarMaxSimKernel, PanamaMaxSimKernel {
  MaxSimKernel() {}

  /**
   * The kernel this JVM uses.
   *
   * @throws IllegalArgumentException when {@code metaembed.vector.api} has a bad value
   * @throws UnsupportedOperationException when it asks for {@code panama} and this JVM cannot run it
   */
  public static MaxSimKernel get() {
    return VectorApiSupport.usePanama() ? PanamaSupport.kernel() : scalar();
  }

  /** The plain-Java kernel, available everywhere. */
  public static MaxSimKernel scalar() {
    return ScalarMaxSimKernel.INSTANCE;
  }

  /**
   * The Panama Vector API kernel.
   *
   * @throws UnsupportedOperationException when this JVM cannot run it ({@link
   *     VectorApiSupport#unavailableReason()})
   */
  public static MaxSimKernel panama() {
    String missing = VectorApiSupport.unavailableReason();
    if (missing != null) {
      throw new UnsupportedOperationException("Panama MaxSim kernel unavailable: " + missing);
    }
    return PanamaSupport.kernel();
  }

  /** A short name for logs and benchmark output, e.g. {@code panama(512 bit)}. */
  public abstract String name();

  /** The dot product of {@code dim} components of {@code a} from {@code aOffset} and of {@code b}. */
  public abstract float dot(float[] a, int aOffset, float[] b, int bOffset, int dim);

  /**
   * Lays out the first {@code queryCount} query vectors (back to back in {@code query}) the way
   * this kernel reads them; done once per query, then {@link PreparedQuery#maxDot} per candidate.
   */
  public abstract PreparedQuery prepare(float[] query, int queryCount, int dim);

  /** Query vectors laid out for one kernel. Immutable, so one instance may serve many threads. */
  public interface PreparedQuery {
    /**
     * For each query vector {@code i}: {@code best[i] = max over j < docCount of dot(q_i, d_j) *
     * scale[j] + shift[j]} ({@code scale} and {@code shift} both null: the plain dot product), with
     * {@code docCount} document vectors back to back in {@code docs}.
     *
     * @param docCount at least 1
     */
    void maxDot(float[] docs, int docCount, int dim, float[] scale, float[] shift, float[] best);

    /**
     * For each query vector {@code i}: {@code best[i] = min over j < docCount of Σ_k (q_ik −
     * d_jk)²}, summed in component order, when this layout can; returns false (and leaves {@code
     * best} alone) when it cannot, as the default does.
     *
     * @param docCount at least 1
     */
    default boolean minSquareDistance(float[] docs, int docCount, int dim, float[] best) {
      return false;
    }
  }

  @Override
  public String toString() {
    return name();
  }

  /** {@code dot} adjusted by the per-document-vector scale and shift, if any. */
  static float adjust(float dot, float[] scale, float[] shift, int j) {
    return scale == null ? dot : dot * scale[j] + shift[j];
  }
}
