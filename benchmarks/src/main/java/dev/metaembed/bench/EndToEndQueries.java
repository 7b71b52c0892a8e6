package dev.metaembed.bench;

import dev.metaembed.bench.EndToEndConfigs.Config;
import dev.metaembed.bench.EndToEndResults.QueryStats;
import dev.metaembed.lucene.codec.VectorStorage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.MMapDirectory;

/**
 * Times the query configurations ({@link EndToEndConfigs}). First one warm-up pass over every
 * configuration, so that none is timed while the JIT still compiles the code paths of the ones
 * after it; then per configuration a few warm-up queries again (its index pages are hot), the
 * single-threaded timed run (latency percentiles, recall against the exact ground truth) and, with
 * {@code --threads} N &gt; 1, the same queries from N concurrent threads (throughput only).
 * Warm-up queries are distinct from the timed ones.
 */
final class EndToEndQueries {
  /** Warm-up queries re-run by each configuration right before it is timed. */
  private static final int REWARM = 5;

  private final EndToEndOptions options;
  private final ClusteredCorpus corpus;
  private final PrintStream log;

  EndToEndQueries(EndToEndOptions options, ClusteredCorpus corpus, PrintStream log) {
    this.options = options;
    this.corpus = corpus;
    this.log = log;
  }

  /** Opens the indexes at {@code ours} and {@code lucenePath} (null: skipped) and times every configuration. */
  List<QueryStats> run(Map<VectorStorage, Path> ours, Path lucenePath) throws Exception {
    float[][][] timed = queries(0, options.queries);
    float[][][] warm = queries(options.queries, options.warmup);
    int maxRq = options.budgets.stream().mapToInt(EndToEndOptions.Budget::rq).max().orElse(1);
    log.println(
        "queries: "
            + options.queries
            + " timed, "
            + options.warmup
            + " warm-up (exact: at most "
            + EndToEndConfigs.EXACT_WARMUP_MAX
            + "), max r_q "
            + maxRq);
    Map<VectorStorage, DirectoryReader> readers = new LinkedHashMap<>();
    DirectoryReader luceneReader = null;
    try {
      for (var e : ours.entrySet()) {
        readers.put(e.getKey(), DirectoryReader.open(directory(e.getValue())));
      }
      if (lucenePath != null) {
        luceneReader = DirectoryReader.open(directory(lucenePath));
      }
      return time(EndToEndConfigs.create(options, readers, luceneReader), timed, warm);
    } finally {
      for (DirectoryReader r : readers.values()) {
        r.close();
      }
      if (luceneReader != null) {
        luceneReader.close();
      }
    }
  }

  /** MMapDirectory; with --preload every file is mapped and touched when opened. */
  private Directory directory(Path path) throws IOException {
    MMapDirectory dir = new MMapDirectory(path);
    if (options.preload) {
      dir.setPreload(MMapDirectory.ALL_FILES);
    }
    return dir;
  }

  private float[][][] queries(int first, int count) {
    float[][][] qs = new float[count][][];
    for (int q = 0; q < count; q++) {
      qs[q] = corpus.query(first + q, options.queryVectors);
    }
    return qs;
  }

  private List<QueryStats> time(List<Config> configs, float[][][] timed, float[][][] warm)
      throws Exception {
    log.println("warm-up pass over " + configs.size() + " configurations");
    for (Config c : configs) {
      search(c, warm, c.warmup());
    }
    log.println("timed pass");
    List<QueryStats> stats = new ArrayList<>();
    try (EndToEndThroughput concurrent =
        options.threads > 1 ? new EndToEndThroughput(options.threads, options.k) : null) {
      for (Config c : configs) {
        search(c, warm, Math.min(c.warmup(), REWARM));
        long[] faultsBefore = pageFaults();
        QueryStats s = measure(c, timed);
        long[] faultsAfter = pageFaults();
        if (concurrent != null) {
          s = s.withQpsThreads(concurrent.qps(c, timed));
        }
        log.printf(
            Locale.ROOT,
            "  %-9s %-9s %-6s %-40s p50 %8.3f ms  p99 %8.3f ms  recall %s  page faults/query %.0f minor %.1f major%s%n",
            s.index(),
            s.storage(),
            s.budget(),
            s.method(),
            s.p50Ms(),
            s.p99Ms(),
            EndToEndResults.formatRecall(s.recall()),
            (faultsAfter[0] - faultsBefore[0]) / (double) timed.length,
            (faultsAfter[1] - faultsBefore[1]) / (double) timed.length,
            concurrent == null
                ? ""
                : String.format(
                    Locale.ROOT, "  QPS@%d threads %.1f", options.threads, s.qpsThreads()));
        stats.add(s);
      }
    }
    return stats;
  }

  /**
   * This process's minor and major page faults so far (Linux {@code /proc/self/stat} fields 10 and
   * 12), or zeros where that file does not exist.
   */
  private static long[] pageFaults() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return new long[] {Long.parseLong(f[7]), Long.parseLong(f[9])};
    } catch (IOException | RuntimeException e) {
      return new long[2];
    }
  }

  private void search(Config c, float[][][] qs, int count) throws Exception {
    for (int i = 0; i < count; i++) {
      c.searcher().search(c.factory().create(qs[i]), options.k);
    }
  }

  /**
   * Runs each timed query once, single-threaded. With no ground truth ({@code truth} null) recall
   * is NaN; with a ground truth still holding nulls (the exact configuration of a budget) the hits
   * are stored as the ground truth and recall is 1.
   */
  private QueryStats measure(Config c, float[][][] qs) throws IOException {
    int[][] truth = c.truth();
    boolean recordTruth = truth != null && truth.length > 0 && truth[0] == null;
    long[] nanos = new long[qs.length];
    double recall = 0;
    for (int q = 0; q < qs.length; q++) {
      long t0 = System.nanoTime();
      TopDocs hits = c.searcher().search(c.factory().create(qs[q]), options.k);
      nanos[q] = System.nanoTime() - t0;
      if (recordTruth) {
        truth[q] = Arrays.stream(hits.scoreDocs).mapToInt(h -> h.doc).toArray();
      } else if (truth != null) {
        recall += recall(hits.scoreDocs, truth[q]);
      }
    }
    double r = truth == null ? Double.NaN : recordTruth ? 1.0 : recall / qs.length;
    long total = Arrays.stream(nanos).sum();
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return new QueryStats(
        c.index(),
        c.storage(),
        c.budget(),
        c.method(),
        qs.length,
        total / 1e6 / qs.length,
        percentile(sorted, 0.50) / 1e6,
        percentile(sorted, 0.99) / 1e6,
        qs.length / (total / 1e9),
        r,
        Double.NaN);
  }

  /** Hits shared with the ground truth, over k (doc ids are comparable: same docs, one segment). */
  private double recall(ScoreDoc[] hits, int[] truth) {
    Set<Integer> expected = new HashSet<>();
    for (int d : truth) {
      expected.add(d);
    }
    int found = 0;
    for (ScoreDoc h : hits) {
      if (expected.contains(h.doc)) {
        found++;
      }
    }
    return found / (double) options.k;
  }

  /** Nearest-rank percentile of ascending {@code sorted}. */
  private static long percentile(long[] sorted, double p) {
    int index = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.clamp(index, 0, sorted.length - 1)];
  }
}
