package dev.metaembed.lucene.codec;

/**
 * Decodes the leading components of a compact vector with the Panama Vector API when {@link
 * VectorApiSupport} says to use it and its vectors hold at least 8 floats, else decodes nothing.
 * Each method returns how many leading components it wrote; the caller's plain loop decodes the
 * rest, with the same results.
 */
final class FastDecoding {
  private FastDecoding() {}

  static int bfloat16(byte[] src, int srcOffset, int dim, float[] dst, int dstOffset) {
    return enabled() ? PanamaDecoding.bfloat16(src, srcOffset, dim, dst, dstOffset) : 0;
  }

  static int int8(
      byte[] codes, int codesOffset, int dim, float step, float base, float[] dst, int dstOffset) {
    return enabled() ? PanamaDecoding.int8(codes, codesOffset, dim, step, base, dst, dstOffset) : 0;
  }

  static int bits(byte[] src, int bitsOffset, int dim, float scale, float[] dst, int dstOffset) {
    return enabled() ? PanamaDecoding.bits(src, bitsOffset, dim, scale, dst, dstOffset) : 0;
  }

  private static boolean enabled() {
    return VectorApiSupport.usePanama() && WideEnough.YES;
  }

  /** Loaded only once the Vector API is known to be usable. */
  private static final class WideEnough {
    static final boolean YES = PanamaDecoding.lanes() >= 8;
  }
}
