package dev.metaembed.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * What a run measured: one {@link IndexStats} per index built and one {@link QueryStats} per
 * query configuration timed, in run order, plus the look-ups the report needs.
 */
final class EndToEndResults {
  /** Index name of our indexes ({@code MetaEmbedCodec}). */
  static final String METAEMBED = "metaembed";

  /** Index name of the Lucene baseline (default codec). */
  static final String LUCENE = "lucene";

  /**
   * One index. {@code indexNanos}: addDocument + commit (data generation excluded); {@code
   * mergeNanos}: forceMerge(1) + commit; sizes are of the merged index; {@code mvdBytes} is 0 for
   * the Lucene baseline.
   */
  record IndexStats(
      String index,
      String storage,
      long indexNanos,
      long mergeNanos,
      long sizeBytes,
      long mvdBytes,
      int segmentsBeforeMerge) {}

  /**
   * One query configuration, timed single-threaded. {@code recall} is NaN when not computed, 1 for
   * the exact configuration that defines the ground truth. {@code qpsThreads} is the throughput of
   * the extra pass with {@code --threads} concurrent threads, NaN when {@code --threads} is 1.
   */
  record QueryStats(
      String index,
      String storage,
      String budget,
      String method,
      int queries,
      double meanMs,
      double p50Ms,
      double p99Ms,
      double qps,
      double recall,
      double qpsThreads) {
    /** This configuration with the throughput of the concurrent pass filled in. */
    QueryStats withQpsThreads(double concurrentQps) {
      return new QueryStats(
          index,
          storage,
          budget,
          method,
          queries,
          meanMs,
          p50Ms,
          p99Ms,
          qps,
          recall,
          concurrentQps);
    }
  }

  final List<IndexStats> indexing = new ArrayList<>();
  final List<QueryStats> queries = new ArrayList<>();

  /** Our index with the given storage (attribute value, e.g. "float32"), or null. */
  IndexStats ours(String storage) {
    return firstIndex(s -> s.index.equals(METAEMBED) && s.storage.equals(storage));
  }

  /** The Lucene baseline index, or null when skipped. */
  IndexStats lucene() {
    return firstIndex(s -> s.index.equals(LUCENE));
  }

  /** Size of the float32 index's {@code .mvd} files: the denominator of every .mvd ratio; 0 if none. */
  long float32Mvd() {
    IndexStats f32 = ours("float32");
    return f32 == null ? 0 : f32.mvdBytes;
  }

  /** The first query configuration matching all four labels exactly, or null. */
  QueryStats find(String index, String storage, String budget, String method) {
    return firstQuery(
        s ->
            s.index.equals(index)
                && s.storage.equals(storage)
                && s.budget.equals(budget)
                && s.method.equals(method));
  }

  QueryStats firstQuery(Predicate<QueryStats> filter) {
    return queries.stream().filter(filter).findFirst().orElse(null);
  }

  private IndexStats firstIndex(Predicate<IndexStats> filter) {
    return indexing.stream().filter(filter).findFirst().orElse(null);
  }

  /** Recall with three decimals; "-" for NaN (not computed). */
  static String formatRecall(double r) {
    return Double.isNaN(r) ? "-" : String.format(Locale.ROOT, "%.3f", r);
  }
}
