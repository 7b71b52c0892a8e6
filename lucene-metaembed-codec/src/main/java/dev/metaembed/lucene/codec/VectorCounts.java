package dev.metaembed.lucene.codec;

import org.apache.lucene.util.ArrayUtil;
import org.apache.lucene.util.RamUsageEstimator;

/**
 * Each document's vector count (1..64), in ord order, for one field: what the prefix store's
 * vector starts are written from. Filled by flushes and merges alike.
 */
final class VectorCounts {
  private byte[] counts = new byte[0];
  private int size;
  private long total;

  /** Records the next document's count. */
  void add(int count) {
    counts = ArrayUtil.grow(counts, size + 1);
    counts[size++] = (byte) count;
    total += count;
  }

  /** Documents recorded. */
  int size() {
    return size;
  }

  /** Vectors of all documents recorded. */
  long total() {
    return total;
  }

  /** The count of document {@code ord}. */
  int get(int ord) {
    return counts[ord];
  }

  /** {@code size() + 1} vector starts: document {@code ord}'s vectors are {@code [starts[ord], starts[ord + 1])}. */
  long[] starts() {
    long[] starts = new long[size + 1];
    for (int ord = 0; ord < size; ord++) {
      starts[ord + 1] = starts[ord] + counts[ord];
    }
    return starts;
  }

  /** The counts in another order: the new document {@code ord} is the old {@code newToOld[ord]}. */
  VectorCounts reorder(int[] newToOld) {
    VectorCounts sorted = new VectorCounts();
    for (int old : newToOld) {
      sorted.add(counts[old]);
    }
    return sorted;
  }

  long ramBytesUsed() {
    return RamUsageEstimator.sizeOf(counts) + 2 * Long.BYTES;
  }
}
