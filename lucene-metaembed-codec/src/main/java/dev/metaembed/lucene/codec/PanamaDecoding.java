package dev.metaembed.lucene.codec;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API decoding of {@link VectorStorage}'s compact encodings, {@code LANES} components at a
 * time; loaded only through {@link FastDecoding}, which checks that it can run.
 */
final class PanamaDecoding {
  private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = FLOATS.length();
  private static final VectorSpecies<Integer> INTS =
      VectorSpecies.of(int.class, VectorShape.forBitSize(LANES * Integer.SIZE));
  private static final VectorSpecies<Short> SHORTS =
      VectorSpecies.of(short.class, VectorShape.forBitSize(LANES * Short.SIZE));
  private static final VectorSpecies<Byte> BYTES =
      VectorSpecies.of(byte.class, VectorShape.forBitSize(LANES * Byte.SIZE));
  private static final VectorSpecies<Byte> BF16_BYTES =
      VectorSpecies.of(byte.class, VectorShape.forBitSize(LANES * Short.SIZE));

  private PanamaDecoding() {}

  static int lanes() {
    return LANES;
  }

  /** bfloat16 → float: each 16-bit value becomes the upper half of a float. */
  static int bfloat16(byte[] src, int srcOffset, int dim, float[] dst, int dstOffset) {
    int bound = FLOATS.loopBound(dim);
    for (int k = 0; k < bound; k += LANES) {
      ShortVector halves =
          ByteVector.fromArray(BF16_BYTES, src, srcOffset + k * Short.BYTES).reinterpretAsShorts();
      IntVector bits = (IntVector) halves.convertShape(VectorOperators.S2I, INTS, 0);
      bits.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, dstOffset + k);
    }
    return bound;
  }

  /** int8 codes → base + step × code. */
  static int int8(
      byte[] codes, int codesOffset, int dim, float step, float base, float[] dst, int dstOffset) {
    int bound = FLOATS.loopBound(dim);
    for (int k = 0; k < bound; k += LANES) {
      FloatVector values =
          (FloatVector)
              ByteVector.fromArray(BYTES, codes, codesOffset + k)
                  .convertShape(VectorOperators.B2F, FLOATS, 0);
      values.fma(step, base).intoArray(dst, dstOffset + k);
    }
    return bound;
  }

  /** sign bits → +scale for a set bit, else 0 − scale (never −0.0f). */
  static int bits(byte[] src, int bitsOffset, int dim, float scale, float[] dst, int dstOffset) {
    FloatVector negative = FloatVector.broadcast(FLOATS, 0f - scale);
    int bound = FLOATS.loopBound(dim);
    for (int k = 0; k < bound; k += LANES) {
      long signs = 0;
      for (int b = 0; b < LANES / 8; b++) {
        signs |= (src[bitsOffset + (k >> 3) + b] & 0xFFL) << (8 * b);
      }
      negative.blend(scale, VectorMask.fromLong(FLOATS, signs)).intoArray(dst, dstOffset + k);
    }
    return bound;
  }
}
