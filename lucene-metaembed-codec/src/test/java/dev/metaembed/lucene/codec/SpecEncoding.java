package dev.metaembed.lucene.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A second implementation of the storage encodings, written from {@link VectorStorage}'s Javadoc
 * (the table and the exact rules under it) and nothing else, so that tests compare the format's
 * bytes and decoded values with an independent reference instead of with the code under test. It
 * is deliberately plain: one component at a time, {@link ByteBuffer} for the little-endian
 * layout. Shared with other modules' tests through this module's test jar.
 */
public final class SpecEncoding {
  private SpecEncoding() {}

  /** Bytes per vector of {@code dim} components, from the table. */
  public static int bytesPerVector(VectorStorage storage, int dim) {
    return switch (storage) {
      case FLOAT32 -> 4 * dim;
      case BFLOAT16 -> 2 * dim;
      case INT8 -> dim + 8;
      case BIT -> (dim + 7) / 8 + 4;
    };
  }

  /** The bytes the format stores for one vector (components finite, −0 already +0). */
  public static byte[] encode(VectorStorage storage, float[] x) {
    ByteBuffer out =
        ByteBuffer.allocate(bytesPerVector(storage, x.length)).order(ByteOrder.LITTLE_ENDIAN);
    switch (storage) {
      case FLOAT32 -> {
        for (float v : x) {
          out.putFloat(v);
        }
      }
      case BFLOAT16 -> {
        for (float v : x) {
          out.putShort(bfloat16(v));
        }
      }
      case INT8 -> encodeInt8(x, out);
      case BIT -> encodeBit(x, out);
    }
    return out.array();
  }

  /** What a reader returns for {@code bytes}, one vector of {@code dim} components. */
  public static float[] decode(VectorStorage storage, byte[] bytes, int dim) {
    ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    float[] x = new float[dim];
    switch (storage) {
      case FLOAT32 -> {
        for (int k = 0; k < dim; k++) {
          x[k] = in.getFloat();
        }
      }
      case BFLOAT16 -> {
        for (int k = 0; k < dim; k++) {
          x[k] = Float.intBitsToFloat((in.getShort() & 0xFFFF) << 16);
        }
      }
      case INT8 -> {
        float alpha = in.getFloat();
        float m = in.getFloat();
        float base = m + 128 * alpha;
        for (int k = 0; k < dim; k++) {
          x[k] = Math.fma(alpha, (float) in.get(), base);
        }
      }
      case BIT -> {
        float s = in.getFloat();
        for (int k = 0; k < dim; k++) {
          boolean set = (bytes[4 + k / 8] >> (k % 8) & 1) == 1;
          x[k] = 0f + (set ? 1f : -1f) * s;
        }
      }
    }
    return x;
  }

  /** Encoded, then decoded: what a reader returns for {@code x} stored as {@code storage}. */
  public static float[] roundTrip(VectorStorage storage, float[] x) {
    return decode(storage, encode(storage, x), x.length);
  }

  private static short bfloat16(float v) {
    int b = Float.floatToRawIntBits(v);
    int rounded = (b + 0x7FFF + ((b >>> 16) & 1)) >>> 16;
    if ((rounded & 0x7F80) == 0x7F80) {
      rounded = b >>> 16;
    }
    return (short) (rounded == 0x8000 ? 0 : rounded);
  }

  private static void encodeInt8(float[] x, ByteBuffer out) {
    float m = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (float v : x) {
      m = Math.min(m, v);
      max = Math.max(max, v);
    }
    float alpha = (float) (((double) max - m) / 255);
    out.putFloat(alpha).putFloat(m);
    for (float v : x) {
      long level = alpha == 0 ? 0 : Math.round((v - (double) m) / alpha);
      out.put((byte) (Math.min(Math.max(level, 0), 255) - 128));
    }
  }

  private static void encodeBit(float[] x, ByteBuffer out) {
    double absSum = 0;
    byte[] bits = new byte[(x.length + 7) / 8];
    for (int k = 0; k < x.length; k++) {
      absSum += Math.abs(x[k]);
      if (x[k] > 0) {
        bits[k / 8] |= (byte) (1 << (k % 8));
      }
    }
    out.putFloat((float) (absSum / x.length)).put(bits);
  }
}
