package dev.metaembed.tests;

import dev.metaembed.lucene.codec.VectorApiSupport;
import dev.metaembed.lucene.codec.VectorStorage;
import dev.metaembed.lucene.search.MaxSimKernel;
import dev.metaembed.lucene.search.MaxSimScorer;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.lucene.index.VectorSimilarityFunction;

/**
 * Run in a child JVM by {@link VectorApiFallbackTest}: prints which path this JVM took, the bits of
 * vectors decoded from every compact storage, and MaxSim scores, for a fixed seed.
 */
public final class VectorApiProbe {
  static final int DIM = 67;
  static final int VECTORS = 9;

  private VectorApiProbe() {}

  public static void main(String[] args) {
    System.out.println("usePanama=" + VectorApiSupport.usePanama());
    System.out.println("kernel=" + MaxSimKernel.get().name());
    SplittableRandom random = new SplittableRandom(42);
    float[] flat = new float[VECTORS * DIM];
    for (int i = 0; i < flat.length; i++) {
      flat[i] = (float) (random.nextDouble() * 2 - 1);
    }
    for (VectorStorage storage : VectorStorage.values()) {
      byte[] encoded = new byte[VECTORS * storage.bytesPerVector(DIM)];
      storage.encode(flat, VECTORS, DIM, encoded, 0);
      float[] decoded = new float[flat.length];
      storage.decode(encoded, 0, VECTORS, DIM, decoded);
      long hash = 17;
      for (float f : decoded) {
        hash = hash * 31 + Float.floatToRawIntBits(f);
      }
      System.out.println("decoded " + storage + " " + Long.toHexString(hash));
    }
    float[][] query = new float[5][DIM];
    for (float[] q : query) {
      for (int c = 0; c < DIM; c++) {
        q[c] = (float) (random.nextDouble() * 2 - 1);
      }
    }
    for (VectorSimilarityFunction similarity : VectorSimilarityFunction.values()) {
      float score = new MaxSimScorer(query, query.length, similarity).score(flat, VECTORS);
      System.out.println(String.format(Locale.ROOT, "score %s %.9g", similarity, score));
    }
  }
}
