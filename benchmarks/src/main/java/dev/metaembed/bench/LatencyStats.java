package dev.metaembed.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * Every latency of a run (nanoseconds), kept whole and sorted: percentiles are exact (nearest
 * rank), not estimated from buckets. A 60 s run records at most a few hundred thousand values.
 */
final class LatencyStats {
  /** Appends latencies without boxing; one per worker thread and budget. */
  static final class Recorder {
    private long[] nanos = new long[1024];
    private int size;

    void add(long value) {
      if (size == nanos.length) {
        nanos = Arrays.copyOf(nanos, size * 2);
      }
      nanos[size++] = value;
    }
  }

  private final long[] sorted;

  /** The union of {@code recorders}' values. */
  LatencyStats(Iterable<Recorder> recorders) {
    int total = 0;
    for (Recorder r : recorders) {
      total += r.size;
    }
    long[] all = new long[total];
    int at = 0;
    for (Recorder r : recorders) {
      System.arraycopy(r.nanos, 0, all, at, r.size);
      at += r.size;
    }
    Arrays.sort(all);
    this.sorted = all;
  }

  int count() {
    return sorted.length;
  }

  /** The nearest-rank percentile {@code p} (0 &lt; p ≤ 100) in milliseconds; NaN when empty. */
  double percentileMs(double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)] / 1e6;
  }

  double maxMs() {
    return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e6;
  }

  double meanMs() {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    double sum = 0;
    for (long v : sorted) {
      sum += v;
    }
    return sum / sorted.length / 1e6;
  }

  /** The percentiles the load run reports, as JSON fields (no braces). */
  String jsonFields() {
    return "\"queries\": "
        + count()
        + ", \"meanMs\": "
        + json(meanMs())
        + ", \"p50Ms\": "
        + json(percentileMs(50))
        + ", \"p90Ms\": "
        + json(percentileMs(90))
        + ", \"p99Ms\": "
        + json(percentileMs(99))
        + ", \"p999Ms\": "
        + json(percentileMs(99.9))
        + ", \"maxMs\": "
        + json(maxMs());
  }

  /** A JSON number with 4 decimals, or null for NaN (no latency recorded). */
  static String json(double value) {
    return Double.isNaN(value) ? "null" : String.format(Locale.ROOT, "%.4f", value);
  }
}
