package dev.metaembed.lucene.search;

/**
 * Holds the {@link PanamaMaxSimKernel}, created on first use, so that the incubator module's
 * classes load only once {@code VectorApiSupport} has said they can.
 */
final class PanamaSupport {
  private static MaxSimKernel kernel;

  private PanamaSupport() {}

  static synchronized MaxSimKernel kernel() {
    if (kernel == null) {
      kernel = new PanamaMaxSimKernel();
    }
    return kernel;
  }
}
