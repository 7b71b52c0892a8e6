package dev.metaembed.lucene.codec;

import java.util.Random;
import org.apache.lucene.index.VectorSimilarityFunction;

/** Random choices shared by the tests. */
final class RandomPicks {
  private RandomPicks() {}

  static VectorSimilarityFunction similarity(Random random) {
    VectorSimilarityFunction[] all = VectorSimilarityFunction.values();
    return all[random.nextInt(all.length)];
  }

  static VectorStorage storage(Random random) {
    VectorStorage[] all = VectorStorage.values();
    return all[random.nextInt(all.length)];
  }
}
