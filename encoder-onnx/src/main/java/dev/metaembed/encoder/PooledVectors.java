package dev.metaembed.encoder;

import dev.metaembed.encoder.OnnxModel.HiddenStates;

/**
 * Multi-vectors from an ordinary token-level encoder, coarse to fine: vector 0 is the masked mean
 * of all token states (the model's own sentence embedding when it was trained for mean pooling);
 * the following vectors are finer summaries, so that every prefix is a usable budget. How the
 * finer vectors are chosen is a {@link Scheme}. {@link Scheme#DEFAULT}, {@link
 * Scheme#SEGMENTS_THEN_BLEND}, was picked by measuring nDCG@10 per budget on the man pages set
 * (docs/ENCODER.md): the mean, then the means of 2, 4 and 8 equal segments of the content tokens
 * (14 vectors), then each content token in text order blended with the mean. The other schemes
 * stay for {@code PoolingSchemeStudy}, which reproduces the comparison.
 */
final class PooledVectors {
  private PooledVectors() {}

  /** Ways to choose the vectors after the mean. */
  enum Scheme {
    /** The content tokens' states in text order: budget r keeps the mean and the first r − 1 tokens. */
    TEXT_ORDER,
    /** Content tokens ordered by cosine to the mean, most representative first. */
    CLOSEST_TO_MEAN,
    /** Content tokens ordered by cosine to the mean, most distinctive (least similar) first. */
    FARTHEST_FROM_MEAN,
    /** Means of 2, 4, 8, ... equal segments of the content tokens, level by level. */
    SEGMENT_MEANS,
    /** Text order, each token blended with the mean: normalize(mean/|mean| + token/|token|). */
    BLEND_TEXT_ORDER,
    /** As {@link #BLEND_TEXT_ORDER} with the token at half weight. */
    BLEND_TEXT_ORDER_HALF,
    /** Segment means of 2, 4 and 8 segments first, then content tokens in text order. */
    SEGMENTS_THEN_TEXT_ORDER,
    /** As {@link #SEGMENTS_THEN_TEXT_ORDER}, the tokens blended with the mean as in {@link #BLEND_TEXT_ORDER}. */
    SEGMENTS_THEN_BLEND;

    static final Scheme DEFAULT = SEGMENTS_THEN_BLEND;
  }

  /**
   * Up to {@code maxVectors} vectors of one sequence: the mean, then at most one vector per content
   * token (or segment), so short texts get fewer vectors rather than repeated ones.
   */
  static float[][] pool(
      HiddenStates states, int item, TextTokenizer.Tokens tokens, int maxVectors, Scheme scheme) {
    int dim = states.dimension();
    int[] content = contentPositions(tokens);
    float[] mean = mean(states, item, 0, tokens.length(), null);
    float[][] finer =
        switch (scheme) {
          case TEXT_ORDER -> tokenVectors(states, item, content, maxVectors - 1);
          case CLOSEST_TO_MEAN -> byCosine(states, item, content, mean, maxVectors - 1, true);
          case FARTHEST_FROM_MEAN -> byCosine(states, item, content, mean, maxVectors - 1, false);
          case SEGMENT_MEANS -> segmentMeans(states, item, content, maxVectors - 1);
          case BLEND_TEXT_ORDER ->
              blend(mean, tokenVectors(states, item, content, maxVectors - 1), 1f);
          case BLEND_TEXT_ORDER_HALF ->
              blend(mean, tokenVectors(states, item, content, maxVectors - 1), 0.5f);
          case SEGMENTS_THEN_TEXT_ORDER ->
              segmentsThenTokens(states, item, content, maxVectors - 1, null);
          case SEGMENTS_THEN_BLEND ->
              segmentsThenTokens(states, item, content, maxVectors - 1, mean);
        };
    float[][] vectors = new float[1 + finer.length][];
    vectors[0] = mean;
    System.arraycopy(finer, 0, vectors, 1, finer.length);
    assert mean.length == dim;
    return vectors;
  }

  private static int[] contentPositions(TextTokenizer.Tokens tokens) {
    int count = 0;
    for (boolean special : tokens.special()) {
      count += special ? 0 : 1;
    }
    int[] positions = new int[count];
    int next = 0;
    for (int t = 0; t < tokens.length(); t++) {
      if (tokens.special()[t] == false) {
        positions[next++] = t;
      }
    }
    return positions;
  }

  /** Mean of positions [from, to), or of {@code positions[from..to)} when given. */
  private static float[] mean(HiddenStates states, int item, int from, int to, int[] positions) {
    float[] sum = new float[states.dimension()];
    float[] values = states.values();
    for (int i = from; i < to; i++) {
      int offset = states.offset(item, positions == null ? i : positions[i]);
      for (int c = 0; c < sum.length; c++) {
        sum[c] += values[offset + c];
      }
    }
    float inv = 1f / Math.max(1, to - from);
    for (int c = 0; c < sum.length; c++) {
      sum[c] *= inv;
    }
    return sum;
  }

  private static float[] state(HiddenStates states, int item, int position) {
    int offset = states.offset(item, position);
    return java.util.Arrays.copyOfRange(states.values(), offset, offset + states.dimension());
  }

  private static float[][] tokenVectors(HiddenStates states, int item, int[] positions, int max) {
    float[][] vectors = new float[Math.min(max, positions.length)][];
    for (int i = 0; i < vectors.length; i++) {
      vectors[i] = state(states, item, positions[i]);
    }
    return vectors;
  }

  private static float[][] byCosine(
      HiddenStates states, int item, int[] positions, float[] mean, int max, boolean closestFirst) {
    float[][] all = tokenVectors(states, item, positions, positions.length);
    Integer[] order = new Integer[all.length];
    double[] cosine = new double[all.length];
    for (int i = 0; i < all.length; i++) {
      order[i] = i;
      cosine[i] = Vectors.cosine(all[i], mean);
    }
    java.util.Arrays.sort(
        order,
        (a, b) ->
            closestFirst
                ? Double.compare(cosine[b], cosine[a])
                : Double.compare(cosine[a], cosine[b]));
    float[][] chosen = new float[Math.min(max, all.length)][];
    for (int i = 0; i < chosen.length; i++) {
      chosen[i] = all[order[i]];
    }
    return chosen;
  }

  private static float[][] segmentsThenTokens(
      HiddenStates states, int item, int[] positions, int max, float[] blendWith) {
    float[][] segments = segmentMeans(states, item, positions, Math.min(max, 14));
    float[][] tokens = tokenVectors(states, item, positions, max - segments.length);
    if (blendWith != null) {
      blend(blendWith, tokens, 1f);
    }
    float[][] all = java.util.Arrays.copyOf(segments, segments.length + tokens.length);
    System.arraycopy(tokens, 0, all, segments.length, tokens.length);
    return all;
  }

  /** Each vector becomes mean/|mean| + weight × vector/|vector|. */
  private static float[][] blend(float[] mean, float[][] vectors, float weight) {
    float[] unitMean = Vectors.normalize(mean.clone());
    for (float[] v : vectors) {
      Vectors.normalize(v);
      for (int c = 0; c < v.length; c++) {
        v[c] = unitMean[c] + weight * v[c];
      }
    }
    return vectors;
  }

  private static float[][] segmentMeans(HiddenStates states, int item, int[] positions, int max) {
    java.util.List<float[]> vectors = new java.util.ArrayList<>();
    for (int parts = 2; vectors.size() < max && parts / 2 < positions.length; parts *= 2) {
      for (int p = 0; p < parts && vectors.size() < max; p++) {
        int from = p * positions.length / parts;
        int to = (p + 1) * positions.length / parts;
        if (to > from) {
          vectors.add(mean(states, item, from, to, positions));
        }
      }
    }
    return vectors.toArray(float[][]::new);
  }
}
