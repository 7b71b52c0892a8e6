package dev.metaembed.lucene.codec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.util.BitUtil;

/**
 * How the prefix store encodes one vector of {@code dim} components, chosen per field ({@link
 * MetaEmbedField#createFieldType(int, int, org.apache.lucene.index.VectorSimilarityFunction,
 * VectorStorage)}) and recorded in the field's {@code FieldInfo} attributes and in the segment
 * metadata. Every encoding is a fixed number of bytes per vector ({@link #bytesPerVector}), so the
 * first {@code r} vectors of a document stay one contiguous range. All multi-byte values are
 * little-endian. Compact encodings are decoded to floats and scored against the float query
 * vectors (asymmetric scoring: the query is never quantized). Vector 0 is stored encoded too, but
 * readers take it from the HNSW graph's full-precision copy, so it is always exact.
 *
 * <table class="padding1">
 *   <caption>Encodings (bytes per vector for dimension d)</caption>
 *   <tr><th>encoding</th><th>code</th><th>bytes</th><th>layout, decoding</th></tr>
 *   <tr><td>{@link #FLOAT32}</td><td>0</td><td>4d</td><td>d IEEE 754 floats, exact</td></tr>
 *   <tr><td>{@link #BFLOAT16}</td><td>1</td><td>2d</td><td>d bfloat16 (the float's upper 16
 *       bits, rounded to nearest even)</td></tr>
 *   <tr><td>{@link #INT8}</td><td>2</td><td>d + 8</td><td>float α, float m, then d signed bytes
 *       c; component k is m + α·(c_k + 128)</td></tr>
 *   <tr><td>{@link #BIT}</td><td>3</td><td>⌈d/8⌉ + 4</td><td>float s, then d sign bits (bit k in
 *       byte k/8, least significant first); component k is +s when its bit is set, else −s</td></tr>
 * </table>
 *
 * <p>Exactly, for a vector x of d finite components (what a second implementation must write and
 * return, bit for bit):
 *
 * <ul>
 *   <li>BFLOAT16: with b the float's raw bits, the stored 16 bits are {@code (b + 0x7FFF + ((b >>>
 *       16) & 1)) >>> 16} (round to nearest, ties to even); when that result has an all-ones
 *       exponent (it would round to infinity) the upper 16 bits {@code b >>> 16} are stored
 *       instead, and {@code 0x8000} (negative zero) is stored as {@code 0}. Decoding puts the 16
 *       bits in the upper half of a float, lower half zero.
 *   <li>INT8: m is the smallest component, α is {@code (max − m) / 255} computed in double and
 *       rounded to float; code c_k is {@code round((x_k − m) / α)} computed in double ({@code
 *       Math.round}), clamped to 0..255, minus 128 (all −128 when α is 0). Decoding returns the
 *       float {@code fma(α, c_k, m + 128·α)}, with {@code m + 128·α} rounded to float first.
 *   <li>BIT: s is the mean of |x_k| computed in double and rounded to float; bit k is set when
 *       x_k &gt; 0; the unused high bits of the last byte are zero. Decoding returns {@code 0f +
 *       (±1)·s}, so +0 rather than −0 when s is 0.
 * </ul>
 */
public enum VectorStorage {
  /** Four bytes per component, exactly the values indexed. */
  FLOAT32(0) {
    @Override
    public int bytesPerVector(int dim) {
      return Math.multiplyExact(dim, Float.BYTES);
    }

    @Override
    void encodeVector(float[] src, int srcOffset, int dim, byte[] dst, int dstOffset) {
      for (int k = 0; k < dim; k++) {
        BitUtil.VH_LE_FLOAT.set(dst, dstOffset + k * Float.BYTES, src[srcOffset + k]);
      }
    }

    @Override
    void decodeVector(byte[] src, int srcOffset, int dim, float[] dst, int dstOffset) {
      for (int k = 0; k < dim; k++) {
        dst[dstOffset + k] = (float) BitUtil.VH_LE_FLOAT.get(src, srcOffset + k * Float.BYTES);
      }
    }

    @Override
    public void encode(float[] src, int count, int dim, byte[] dst, int dstOffset) {
      ByteBuffer.wrap(dst, dstOffset, count * bytesPerVector(dim))
          .order(ByteOrder.LITTLE_ENDIAN)
          .asFloatBuffer()
          .put(src, 0, count * dim);
    }

    @Override
    void readVectors(IndexInput in, int count, int dim, float[] dst, int dstOffset, byte[] scratch)
        throws IOException {
      in.readFloats(dst, dstOffset, count * dim); // a bulk copy from the mapped file, no decoding
    }
  },

  /**
   * Two bytes per component: bfloat16, the upper half of the float rounded to nearest even (8
   * exponent bits, 8 significant bits), MetaEmbed's native training precision.
   */
  BFLOAT16(1) {
    @Override
    public int bytesPerVector(int dim) {
      return Math.multiplyExact(dim, Short.BYTES);
    }

    @Override
    void encodeVector(float[] src, int srcOffset, int dim, byte[] dst, int dstOffset) {
      for (int k = 0; k < dim; k++) {
        BitUtil.VH_LE_SHORT.set(dst, dstOffset + k * Short.BYTES, toBFloat16(src[srcOffset + k]));
      }
    }

    @Override
    void decodeVector(byte[] src, int srcOffset, int dim, float[] dst, int dstOffset) {
      for (int k = FastDecoding.bfloat16(src, srcOffset, dim, dst, dstOffset); k < dim; k++) {
        int b = srcOffset + k * Short.BYTES;
        dst[dstOffset + k] = Float.intBitsToFloat((src[b + 1] << 24) | ((src[b] & 0xFF) << 16));
      }
    }
  },

  /**
   * One byte per component plus two floats per vector: each vector is scalar-quantized over its
   * own range [m, m + 255α], so each vector keeps its own precision and the reconstruction error
   * is at most α/2 per component. The two floats are the correction that maps codes back to values:
   * {@code q·v ≈ α·Σ q_k (c_k + 128) + m·Σ q_k}.
   */
  INT8(2) {
    @Override
    public int bytesPerVector(int dim) {
      return Math.addExact(dim, 2 * Float.BYTES);
    }

    @Override
    void encodeVector(float[] src, int srcOffset, int dim, byte[] dst, int dstOffset) {
      float min = Float.POSITIVE_INFINITY;
      float max = Float.NEGATIVE_INFINITY;
      for (int k = 0; k < dim; k++) {
        min = Math.min(min, src[srcOffset + k]);
        max = Math.max(max, src[srcOffset + k]);
      }
      float step = (float) (((double) max - min) / 255);
      BitUtil.VH_LE_FLOAT.set(dst, dstOffset, step);
      BitUtil.VH_LE_FLOAT.set(dst, dstOffset + Float.BYTES, min);
      int codes = dstOffset + 2 * Float.BYTES;
      for (int k = 0; k < dim; k++) {
        int level = step == 0 ? 0 : (int) Math.round((src[srcOffset + k] - (double) min) / step);
        dst[codes + k] = (byte) (Math.clamp(level, 0, 255) - 128);
      }
    }

    @Override
    void decodeVector(byte[] src, int srcOffset, int dim, float[] dst, int dstOffset) {
      float step = (float) BitUtil.VH_LE_FLOAT.get(src, srcOffset);
      float base = (float) BitUtil.VH_LE_FLOAT.get(src, srcOffset + Float.BYTES) + 128 * step;
      int codes = srcOffset + 2 * Float.BYTES;
      for (int k = FastDecoding.int8(src, codes, dim, step, base, dst, dstOffset); k < dim; k++) {
        dst[dstOffset + k] = Math.fma(step, src[codes + k], base);
      }
    }
  },

  /**
   * One bit per component plus one float per vector: the component's sign, scaled by the vector's
   * mean absolute component (the scale that minimises the squared error of a sign code).
   */
  BIT(3) {
    @Override
    public int bytesPerVector(int dim) {
      return Math.addExact((dim + 7) / 8, Float.BYTES);
    }

    @Override
    void encodeVector(float[] src, int srcOffset, int dim, byte[] dst, int dstOffset) {
      double absSum = 0;
      int bits = dstOffset + Float.BYTES;
      java.util.Arrays.fill(dst, bits, bits + (dim + 7) / 8, (byte) 0);
      for (int k = 0; k < dim; k++) {
        float value = src[srcOffset + k];
        absSum += Math.abs(value);
        if (value > 0) {
          dst[bits + (k >> 3)] |= (byte) (1 << (k & 7));
        }
      }
      BitUtil.VH_LE_FLOAT.set(dst, dstOffset, (float) (absSum / dim));
    }

    @Override
    void decodeVector(byte[] src, int srcOffset, int dim, float[] dst, int dstOffset) {
      float scale = (float) BitUtil.VH_LE_FLOAT.get(src, srcOffset);
      // 0f + scale × ±1, never -0.0f (the padding marker) even when scale is 0
      int bits = srcOffset + Float.BYTES;
      int k = FastDecoding.bits(src, bits, dim, scale, dst, dstOffset);
      for (; k + 8 <= dim; k += 8) {
        int signs = (src[bits + (k >> 3)] & 0xFF) * 8;
        for (int t = 0; t < 8; t++) {
          dst[dstOffset + k + t] = 0f + SIGNS[signs + t] * scale;
        }
      }
      for (; k < dim; k++) {
        dst[dstOffset + k] = 0f + SIGNS[(src[bits + (k >> 3)] & 0xFF) * 8 + (k & 7)] * scale;
      }
    }
  };

  /** For each byte value, the 8 signs (+1 for a set bit, least significant first, else −1). */
  private static final float[] SIGNS = new float[256 * 8];

  static {
    for (int b = 0; b < 256; b++) {
      for (int t = 0; t < 8; t++) {
        SIGNS[b * 8 + t] = ((b >> t) & 1) != 0 ? 1f : -1f;
      }
    }
  }

  private final byte code;

  VectorStorage(int code) {
    this.code = (byte) code;
  }

  /** The byte written in the segment metadata for this encoding. */
  public byte code() {
    return code;
  }

  /** Bytes one vector of {@code dim} components takes on disk. */
  public abstract int bytesPerVector(int dim);

  /** The encoding's name as it appears in field attributes and configuration ("float32"). */
  public String attributeValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Encodes {@code count} vectors of {@code dim} components, stored back to back in {@code src},
   * into {@code dst} ({@code count × bytesPerVector(dim)} bytes from {@code dstOffset}). Components
   * must be finite.
   */
  public void encode(float[] src, int count, int dim, byte[] dst, int dstOffset) {
    int bytes = bytesPerVector(dim);
    for (int v = 0; v < count; v++) {
      encodeVector(src, v * dim, dim, dst, dstOffset + v * bytes);
    }
  }

  /** Decodes {@code count} encoded vectors from {@code src} into {@code dst}, back to back. */
  public void decode(byte[] src, int srcOffset, int count, int dim, float[] dst) {
    int bytes = bytesPerVector(dim);
    for (int v = 0; v < count; v++) {
      decodeVector(src, srcOffset + v * bytes, dim, dst, v * dim);
    }
  }

  /**
   * Reads {@code count} encoded vectors at {@code in}'s position into {@code dst} from {@code
   * dstOffset}, decoded and back to back, using {@code scratch} (at least {@code count ×
   * bytesPerVector(dim)} bytes) for the encoded bytes when decoding is needed.
   */
  void readVectors(IndexInput in, int count, int dim, float[] dst, int dstOffset, byte[] scratch)
      throws IOException {
    int bytes = bytesPerVector(dim);
    in.readBytes(scratch, 0, count * bytes);
    for (int v = 0; v < count; v++) {
      decodeVector(scratch, v * bytes, dim, dst, dstOffset + v * dim);
    }
  }

  abstract void encodeVector(float[] src, int srcOffset, int dim, byte[] dst, int dstOffset);

  abstract void decodeVector(byte[] src, int srcOffset, int dim, float[] dst, int dstOffset);

  /** The encoding stored under {@code code}, or null when no encoding has that code. */
  static VectorStorage fromCode(int code) {
    for (VectorStorage storage : values()) {
      if (storage.code == code) {
        return storage;
      }
    }
    return null;
  }

  /**
   * The encoding named {@code name}: its {@link #attributeValue()} ("int8"), in any case, spaces
   * around ignored. The one parser of storage names, for mappings, options and field attributes.
   *
   * @throws IllegalArgumentException naming the known encodings when {@code name} is none of them
   */
  public static VectorStorage fromName(String name) {
    VectorStorage storage =
        name == null ? null : fromAttribute(name.strip().toLowerCase(Locale.ROOT));
    if (storage == null) {
      throw new IllegalArgumentException(
          "unknown storage \"" + name + "\" (float32, bfloat16, int8 or bit)");
    }
    return storage;
  }

  /** The encoding named {@code value} (as {@link #attributeValue()}), or null when unknown. */
  static VectorStorage fromAttribute(String value) {
    for (VectorStorage storage : values()) {
      if (storage.attributeValue().equals(value)) {
        return storage;
      }
    }
    return null;
  }

  /**
   * bfloat16 bits of a finite float, rounded to nearest even; never rounds up to infinity, never
   * gives negative zero.
   */
  static short toBFloat16(float value) {
    int bits = Float.floatToRawIntBits(value);
    int rounded = (bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16;
    if ((rounded & 0x7F80) == 0x7F80) {
      rounded = bits >>> 16; // rounding overflowed the exponent: truncate instead
    }
    return rounded == 0x8000 ? 0 : (short) rounded; // -0.0f is the padding marker: store +0.0f
  }
}
