package dev.metaembed.lucene.codec;

import java.nio.ByteOrder;

/**
 * Decodes the leading components of a compact vector with the Panama Vector API when this JVM can
 * (module {@code jdk.incubator.vector} added, vectors of at least 8 floats, little-endian), else
 * decodes nothing. Each method returns how many leading components it wrote; the caller's plain
 * loop decodes the rest, with the same results.
 */
final class FastDecoding {
  private static final boolean ENABLED = check();

  private FastDecoding() {}

  static int bfloat16(byte[] src, int srcOffset, int dim, float[] dst, int dstOffset) {
    return ENABLED ? PanamaDecoding.bfloat16(src, srcOffset, dim, dst, dstOffset) : 0;
  }

  static int int8(
      byte[] codes, int codesOffset, int dim, float step, float base, float[] dst, int dstOffset) {
    return ENABLED ? PanamaDecoding.int8(codes, codesOffset, dim, step, base, dst, dstOffset) : 0;
  }

  static int bits(byte[] src, int bitsOffset, int dim, float scale, float[] dst, int dstOffset) {
    return ENABLED ? PanamaDecoding.bits(src, bitsOffset, dim, scale, dst, dstOffset) : 0;
  }

  private static boolean check() {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()
        || ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN
        || "scalar".equals(System.getProperty("metaembed.maxsim.kernel"))) {
      return false;
    }
    try {
      return PanamaDecoding.lanes() >= 8;
    } catch (LinkageError e) {
      return false;
    }
  }
}
