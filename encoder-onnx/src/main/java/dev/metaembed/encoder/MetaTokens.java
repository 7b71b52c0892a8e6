package dev.metaembed.encoder;

import dev.metaembed.encoder.OnnxModel.HiddenStates;
import java.util.Arrays;

/** The real MetaEmbed read-out: the hidden states at the meta tokens appended to the input. */
final class MetaTokens {
  private MetaTokens() {}

  /** The states of the last {@code count} positions of a sequence of {@code length} tokens. */
  static float[][] gather(HiddenStates states, int item, int length, int count) {
    float[][] vectors = new float[count][];
    for (int i = 0; i < count; i++) {
      int offset = states.offset(item, length - count + i);
      vectors[i] = Arrays.copyOfRange(states.values(), offset, offset + states.dimension());
    }
    return vectors;
  }
}
