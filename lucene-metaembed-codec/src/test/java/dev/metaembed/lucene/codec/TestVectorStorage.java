package dev.metaembed.lucene.codec;

import java.util.Arrays;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.util.VectorUtil;

/** Each storage encoding: sizes, error bounds, signs, and no negative zero (the padding marker). */
public class TestVectorStorage extends LuceneTestCase {

  public void testBytesPerVector() {
    assertEquals(512, VectorStorage.FLOAT32.bytesPerVector(128));
    assertEquals(256, VectorStorage.BFLOAT16.bytesPerVector(128));
    assertEquals(136, VectorStorage.INT8.bytesPerVector(128));
    assertEquals(20, VectorStorage.BIT.bytesPerVector(128));
    assertEquals(5, VectorStorage.BIT.bytesPerVector(1));
    assertEquals(6, VectorStorage.BIT.bytesPerVector(9));
  }

  public void testCodesAndNamesAreStable() {
    // written into segment metadata and field attributes: never renumber
    assertEquals(0, VectorStorage.FLOAT32.code());
    assertEquals(1, VectorStorage.BFLOAT16.code());
    assertEquals(2, VectorStorage.INT8.code());
    assertEquals(3, VectorStorage.BIT.code());
    for (VectorStorage storage : VectorStorage.values()) {
      assertSame(storage, VectorStorage.fromCode(storage.code()));
      assertSame(storage, VectorStorage.fromAttribute(storage.attributeValue()));
    }
    assertNull(VectorStorage.fromCode(4));
    assertNull(VectorStorage.fromAttribute("int4"));
  }

  public void testFloat32IsExact() {
    float[] v = randomVectors(3, 1 + random().nextInt(100));
    assertArrayEquals(v, roundTrip(VectorStorage.FLOAT32, v, 3), 0f);
  }

  public void testBFloat16KeepsEightSignificantBits() {
    int dim = 1 + random().nextInt(300);
    float[] v = randomVectors(4, dim);
    float[] back = roundTrip(VectorStorage.BFLOAT16, v, 4);
    for (int k = 0; k < v.length; k++) {
      assertEquals("component " + k, v[k], back[k], Math.abs(v[k]) / 256f);
    }
  }

  public void testBFloat16Edges() {
    assertEquals(
        Float.MAX_VALUE, decode1(VectorStorage.BFLOAT16, Float.MAX_VALUE), Float.MAX_VALUE / 128);
    assertTrue(Float.isFinite(decode1(VectorStorage.BFLOAT16, Float.MAX_VALUE)));
    assertTrue(Float.isFinite(decode1(VectorStorage.BFLOAT16, -Float.MAX_VALUE)));
    assertEquals(1.0f, decode1(VectorStorage.BFLOAT16, 1.0f), 0f);
    // rounds to nearest even: 1 + 2^-8 is halfway between 1 and 1 + 2^-7
    assertEquals(1.0f, decode1(VectorStorage.BFLOAT16, 1.0f + 0x1p-8f), 0f);
    assertEquals(1.0f + 0x1p-7f, decode1(VectorStorage.BFLOAT16, 1.0f + 0x1.8p-8f), 0f);
    assertEquals(
        Float.floatToRawIntBits(0f),
        Float.floatToRawIntBits(decode1(VectorStorage.BFLOAT16, -Float.MIN_VALUE)));
  }

  public void testInt8ErrorIsAtMostHalfAStep() {
    int dim = 2 + random().nextInt(400);
    float[] v = randomVectors(1, dim);
    float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
    for (float x : v) {
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    float step = (max - min) / 255;
    float rounding = 4 * Math.ulp(Math.max(Math.abs(min), Math.abs(max)));
    float[] back = roundTrip(VectorStorage.INT8, v, 1);
    for (int k = 0; k < dim; k++) {
      assertEquals("component " + k, v[k], back[k], step / 2 + rounding);
    }
    assertEquals(min, back[argMin(v)], rounding);
    assertEquals(max, back[argMax(v)], rounding);
  }

  public void testInt8ConstantVector() {
    float[] v = new float[17];
    Arrays.fill(v, 0.25f);
    assertArrayEquals(v, roundTrip(VectorStorage.INT8, v, 1), 0f);
  }

  public void testInt8KeepsDotProductsAccurate() {
    int dim = 128;
    float[] q = randomVectors(1, dim);
    float[] v = randomVectors(1, dim);
    VectorUtil.l2normalize(q);
    VectorUtil.l2normalize(v);
    float exact = dot(q, v);
    float approx = dot(q, roundTrip(VectorStorage.INT8, v, 1));
    assertEquals(exact, approx, 0.01f);
  }

  public void testBitKeepsSignsAndMeanMagnitude() {
    int dim = 1 + random().nextInt(300);
    float[] v = randomVectors(1, dim);
    double absSum = 0;
    for (float x : v) {
      absSum += Math.abs(x);
    }
    float scale = (float) (absSum / dim);
    float[] back = roundTrip(VectorStorage.BIT, v, 1);
    for (int k = 0; k < dim; k++) {
      assertEquals("component " + k, v[k] > 0 ? scale : -scale, back[k], 0f);
    }
  }

  public void testNoEncodingDecodesToNegativeZero() {
    float[] zeros = new float[33];
    for (VectorStorage storage : VectorStorage.values()) {
      for (float x : roundTrip(storage, zeros, 1)) {
        assertEquals(
            storage + " gave -0.0", Float.floatToRawIntBits(0f), Float.floatToRawIntBits(x));
      }
    }
  }

  public void testSeveralVectorsAreIndependent() {
    int dim = 1 + random().nextInt(64);
    int count = 2 + random().nextInt(6);
    float[] flat = randomVectors(count, dim);
    for (VectorStorage storage : VectorStorage.values()) {
      float[] all = roundTrip(storage, flat, count);
      for (int i = 0; i < count; i++) {
        float[] one = Arrays.copyOfRange(flat, i * dim, (i + 1) * dim);
        assertArrayEquals(
            storage + " vector " + i,
            roundTrip(storage, one, 1),
            Arrays.copyOfRange(all, i * dim, (i + 1) * dim),
            0f);
      }
    }
  }

  /**
   * Every storage writes the bytes and returns the values of {@link SpecEncoding}, the independent
   * implementation of the Javadoc's rules, bit for bit: random vectors, dims below, at and above the
   * Vector API's lane count (so both decoding paths run), and edge values (rounding ties, values
   * that would round to infinity, tiny negatives, constant vectors, wide ranges).
   */
  public void testEncodingMatchesTheSpecification() {
    assertTrue(
        "tests run with the Vector API",
        FastDecoding.bfloat16(new byte[64], 0, 32, new float[32], 0) > 0);
    for (int iter = 0; iter < 200; iter++) {
      int dim = 1 + random().nextInt(100);
      float[] v = iter % 4 == 0 ? edgeVector(dim) : randomVectors(1, dim);
      for (VectorStorage storage : VectorStorage.values()) {
        byte[] bytes = new byte[storage.bytesPerVector(dim)];
        storage.encode(v, 1, dim, bytes, 0);
        assertArrayEquals(storage + " bytes, dim " + dim, SpecEncoding.encode(storage, v), bytes);
        float[] got = new float[dim];
        storage.decode(bytes, 0, 1, dim, got);
        float[] want = SpecEncoding.decode(storage, bytes, dim);
        for (int k = 0; k < dim; k++) {
          assertEquals(
              storage + " dim " + dim + " component " + k,
              Float.floatToRawIntBits(want[k]),
              Float.floatToRawIntBits(got[k]));
        }
      }
    }
  }

  private float[] edgeVector(int dim) {
    float[] edges = {
      Float.MAX_VALUE,
      -Float.MAX_VALUE,
      Float.MIN_VALUE,
      -Float.MIN_VALUE,
      Float.MIN_NORMAL,
      0f,
      -0f,
      1f,
      -1f,
      Float.intBitsToFloat(0x3F808000),
      Float.intBitsToFloat(0x3F818000),
      Float.intBitsToFloat(0x7F7FFFFF),
      Float.intBitsToFloat(0x7F7F8000),
      1e-40f,
      -1e-40f,
      65504f
    };
    float[] v = new float[dim];
    float constant = edges[random().nextInt(edges.length)];
    boolean allSame = random().nextInt(5) == 0;
    for (int k = 0; k < dim; k++) {
      float x = allSame ? constant : edges[random().nextInt(edges.length)];
      v[k] = x == 0f ? 0f : x; // the field stores -0.0 as +0.0 before any encoding
    }
    return v;
  }

  static float[] roundTrip(VectorStorage storage, float[] flat, int count) {
    int dim = flat.length / count;
    byte[] bytes = new byte[count * storage.bytesPerVector(dim) + 3];
    storage.encode(flat, count, dim, bytes, 3);
    float[] back = new float[flat.length];
    storage.decode(bytes, 3, count, dim, back);
    return back;
  }

  private static float decode1(VectorStorage storage, float value) {
    return roundTrip(storage, new float[] {value}, 1)[0];
  }

  private float[] randomVectors(int count, int dim) {
    float[] v = new float[count * dim];
    for (int k = 0; k < v.length; k++) {
      v[k] = (random().nextFloat() * 2 - 1) * (random().nextInt(10) == 0 ? 100 : 1);
    }
    return v;
  }

  private static float dot(float[] a, float[] b) {
    float sum = 0;
    for (int k = 0; k < a.length; k++) {
      sum += a[k] * b[k];
    }
    return sum;
  }

  private static int argMin(float[] v) {
    int arg = 0;
    for (int k = 1; k < v.length; k++) {
      arg = v[k] < v[arg] ? k : arg;
    }
    return arg;
  }

  private static int argMax(float[] v) {
    int arg = 0;
    for (int k = 1; k < v.length; k++) {
      arg = v[k] > v[arg] ? k : arg;
    }
    return arg;
  }
}
