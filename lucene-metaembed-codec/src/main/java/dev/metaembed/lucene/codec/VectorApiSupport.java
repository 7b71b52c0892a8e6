package dev.metaembed.lucene.codec;

import java.lang.System.Logger.Level;
import java.nio.ByteOrder;
import java.util.Locale;

/**
 * Whether this JVM uses the Panama Vector API ({@code jdk.incubator.vector}), decided once for
 * decoding (the codec) and scoring (the query module), so that both follow one rule and one
 * switch.
 *
 * <p>By default the Vector API is used when the module is added ({@code --add-modules
 * jdk.incubator.vector}), the platform is little-endian and its preferred vectors hold at least
 * 4 floats; otherwise plain Java, and the reason is logged once ({@code System.Logger}
 * "dev.metaembed", INFO). The system property {@value #PROPERTY} overrides the choice: {@code
 * panama} (fails, naming the reason, when the Vector API cannot run) or {@code scalar}. A bad
 * value is an {@link IllegalArgumentException} naming the property each time the decision is
 * used, never a class-initialization failure. Both paths give the same results up to float
 * rounding (decoding: bit for bit).
 */
public final class VectorApiSupport {
  /** The system property that overrides the choice: {@code panama} or {@code scalar}. */
  public static final String PROPERTY = "metaembed.vector.api";

  private static volatile Boolean decided;

  private VectorApiSupport() {}

  /**
   * Whether to use the Vector API here.
   *
   * @throws IllegalArgumentException when {@value #PROPERTY} is neither {@code panama} nor {@code
   *     scalar}
   * @throws UnsupportedOperationException when it asks for {@code panama} and the Vector API
   *     cannot run here
   */
  public static boolean usePanama() {
    Boolean use = decided;
    if (use == null) {
      use = decide(System.getProperty(PROPERTY), Unavailable.REASON);
      decided = use; // only a valid decision is kept: a bad value fails at every use
    }
    return use;
  }

  /** Why the Vector API cannot run in this JVM, or null when it can. */
  public static String unavailableReason() {
    return Unavailable.REASON;
  }

  /** The decision for a property value and an unavailability reason (null: available). */
  static boolean decide(String requested, String unavailable) {
    String value = requested == null ? "" : requested.strip().toLowerCase(Locale.ROOT);
    switch (value) {
      case "" -> {
        if (unavailable != null) {
          System.getLogger("dev.metaembed")
              .log(Level.INFO, "MetaEmbed uses plain Java, not the Vector API: " + unavailable);
        }
        return unavailable == null;
      }
      case "panama" -> {
        if (unavailable != null) {
          throw new UnsupportedOperationException(
              PROPERTY + "=panama, but the Vector API cannot run here: " + unavailable);
        }
        return true;
      }
      case "scalar" -> {
        return false;
      }
      default ->
          throw new IllegalArgumentException(
              PROPERTY + " must be panama or scalar (or unset), got \"" + requested + "\"");
    }
  }

  /** Holds the check, so that the incubator classes load only when the module is there. */
  private static final class Unavailable {
    static final String REASON = check();

    private static String check() {
      if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
        return "module jdk.incubator.vector is not added (--add-modules jdk.incubator.vector)";
      }
      if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
        return "the platform is big-endian";
      }
      try {
        int lanes = PanamaDecoding.lanes();
        return lanes < 4 ? "vectors hold only " + lanes + " floats" : null;
      } catch (LinkageError e) {
        return "the Vector API failed to load: " + e;
      }
    }
  }
}
