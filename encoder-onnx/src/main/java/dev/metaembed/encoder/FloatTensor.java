package dev.metaembed.encoder;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * A named float tensor: its shape and its values in row-major order (a view, often of a mapped file
 * or of direct memory).
 */
record FloatTensor(String name, long[] shape, FloatBuffer values) {
  /** The number of values the shape calls for. */
  long size() {
    return Arrays.stream(shape).reduce(1, Math::multiplyExact);
  }
}
