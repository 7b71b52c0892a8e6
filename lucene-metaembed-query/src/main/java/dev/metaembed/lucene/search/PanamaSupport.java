package dev.metaembed.lucene.search;

/**
 * Decides whether {@link PanamaMaxSimKernel} can run here, without loading it (and with it the
 * incubator module's classes) when it cannot.
 */
final class PanamaSupport {
  private static final String UNAVAILABLE = check();
  private static MaxSimKernel kernel;

  private PanamaSupport() {}

  /** Why the Panama kernel cannot run, or null when it can. */
  static String unavailableReason() {
    return UNAVAILABLE;
  }

  static synchronized MaxSimKernel kernel() {
    if (kernel == null) {
      kernel = new PanamaMaxSimKernel();
    }
    return kernel;
  }

  private static String check() {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      return "module jdk.incubator.vector is not added (--add-modules jdk.incubator.vector)";
    }
    try {
      int bits = PanamaMaxSimKernel.preferredVectorBits();
      return bits < 128 ? "vectors are only " + bits + " bits wide" : null;
    } catch (LinkageError e) {
      return "the Vector API failed to load: " + e;
    }
  }
}
