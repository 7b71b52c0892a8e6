package dev.metaembed.lucene.search;

import java.util.Locale;

/**
 * The arithmetic of late interaction: dot products between query vectors and a contiguous block of
 * document vectors, reduced to the best value per query vector. Vectors are stored back to back
 * in flat arrays ({@code vector v} starts at {@code v * dim}). Implementations allocate nothing.
 *
 * <p>{@link #get()} is chosen once at startup: the Panama Vector API kernel when the {@code
 * jdk.incubator.vector} module is present and the hardware has vectors of at least 128 bits,
 * otherwise the plain-Java kernel. The system property {@code metaembed.maxsim.kernel} ({@code
 * panama} or {@code scalar}) overrides the choice. The two agree up to float rounding.
 */
public abstract sealed class MaxSimKernel permits ScalarMaxSimKernel, PanamaMaxSimKernel {
  private static final MaxSimKernel DEFAULT = choose(System.getProperty("metaembed.maxsim.kernel"));

  MaxSimKernel() {}

  /** The kernel this JVM uses. */
  public static MaxSimKernel get() {
    return DEFAULT;
  }

  /** The plain-Java kernel, available everywhere. */
  public static MaxSimKernel scalar() {
    return ScalarMaxSimKernel.INSTANCE;
  }

  /**
   * The Panama Vector API kernel.
   *
   * @throws UnsupportedOperationException when this JVM cannot run it (module {@code
   *     jdk.incubator.vector} not added, or vectors narrower than 128 bits)
   */
  public static MaxSimKernel panama() {
    String missing = PanamaSupport.unavailableReason();
    if (missing != null) {
      throw new UnsupportedOperationException("Panama MaxSim kernel unavailable: " + missing);
    }
    return PanamaSupport.kernel();
  }

  static MaxSimKernel choose(String requested) {
    if (requested == null || requested.isBlank()) {
      return PanamaSupport.unavailableReason() == null ? PanamaSupport.kernel() : scalar();
    }
    return switch (requested.trim().toLowerCase(Locale.ROOT)) {
      case "panama" -> panama();
      case "scalar" -> scalar();
      default ->
          throw new IllegalArgumentException(
              "metaembed.maxsim.kernel must be panama or scalar, got \"" + requested + "\"");
    };
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
