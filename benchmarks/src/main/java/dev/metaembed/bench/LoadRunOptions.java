package dev.metaembed.bench;

import dev.metaembed.bench.EndToEndOptions.Budget;
import dev.metaembed.lucene.codec.VectorStorage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The command line of {@link LoadRun}: every option with its default, {@code --help}, parsing. */
final class LoadRunOptions {
  /** Option name → default, in the order {@code --help} and the JSON line list them. */
  private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

  static {
    DEFAULTS.put("docs", "20000");
    DEFAULTS.put("dim", "128");
    DEFAULTS.put("vectors", "16");
    DEFAULTS.put("query-vectors", "16");
    DEFAULTS.put("storage", "float32");
    DEFAULTS.put("budgets", "1x1,4x8,16x64");
    DEFAULTS.put("k", "10");
    DEFAULTS.put("candidates", "0");
    DEFAULTS.put("threads", "0");
    DEFAULTS.put("seconds", "60");
    DEFAULTS.put("warmup-seconds", "10");
    DEFAULTS.put("queries", "1000");
    DEFAULTS.put("clusters", "1000");
    DEFAULTS.put("seed", "20260101");
    DEFAULTS.put("ram-mb", "64");
    DEFAULTS.put("dir", "");
    DEFAULTS.put("json", "");
  }

  /** Every option as given (defaults filled in), for the JSON line. */
  final Map<String, String> values;

  final int docs, dim, vectors, queryVectors, k, candidates, threads, seconds, warmupSeconds;
  final int queries, clusters, ramMb;
  final long seed;
  final VectorStorage storage;
  final List<Budget> budgets;

  /** Empty for "a temporary index, deleted at the end"; empty {@link #json} for "no JSON file". */
  final String dir, json;

  private LoadRunOptions(Map<String, String> values) {
    docs = intOpt(values, "docs");
    dim = intOpt(values, "dim");
    vectors = intOpt(values, "vectors");
    queryVectors = intOpt(values, "query-vectors");
    k = intOpt(values, "k");
    candidates = intOpt(values, "candidates");
    int givenThreads = intOpt(values, "threads");
    threads = givenThreads > 0 ? givenThreads : 4 * Runtime.getRuntime().availableProcessors();
    values.put("threads", Integer.toString(threads));
    seconds = intOpt(values, "seconds");
    warmupSeconds = intOpt(values, "warmup-seconds");
    queries = intOpt(values, "queries");
    clusters = intOpt(values, "clusters");
    ramMb = intOpt(values, "ram-mb");
    seed = Long.parseLong(values.get("seed").trim());
    storage = VectorStorage.fromName(values.get("storage"));
    dir = values.get("dir");
    json = values.get("json");
    budgets = parseBudgets(values.get("budgets"));
    if (docs < 1 || seconds < 1 || warmupSeconds < 0 || queries < 1 || k < 1 || candidates < 0) {
      throw new IllegalArgumentException(
          "need --docs, --seconds, --queries, --k >= 1 and --warmup-seconds, --candidates >= 0");
    }
    if (candidates > 0 && candidates < k) {
      // a segment contributes at most `candidates` hits: fewer than k would count as errors
      throw new IllegalArgumentException("--candidates must be 0 (default) or at least --k " + k);
    }
    this.values = Collections.unmodifiableMap(values);
  }

  /**
   * Parses {@code --name value} pairs. Returns null after printing the option list for {@code
   * --help}/{@code -h}; throws IllegalArgumentException for an unknown option or a bad value.
   */
  static LoadRunOptions parse(String[] args) {
    Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        System.out.println(
            "LoadRun options (defaults; --threads 0 = 4 x available processors,"
                + " --candidates 0 = the query's default):");
        DEFAULTS.forEach(
            (key, v) -> System.out.println("  --" + key + " " + (v.isEmpty() ? "(none)" : v)));
        return null;
      }
      if (!a.startsWith("--") || !DEFAULTS.containsKey(a.substring(2))) {
        throw new IllegalArgumentException("unknown option " + a + " (try --help)");
      }
      if (i + 1 == args.length) {
        throw new IllegalArgumentException("option " + a + " needs a value");
      }
      values.put(a.substring(2), args[++i]);
    }
    return new LoadRunOptions(values);
  }

  /** Budgets "RQxRC"; r_c may exceed {@code --vectors} (the query then reads what is stored). */
  private List<Budget> parseBudgets(String list) {
    List<Budget> parsed = new ArrayList<>();
    for (String b : list.split(",")) {
      if (b.isBlank()) {
        continue;
      }
      int[] rqRc = BenchData.budget(b);
      if (rqRc[0] < 1 || rqRc[0] > queryVectors || rqRc[1] < 1) {
        throw new IllegalArgumentException(
            "budget " + b + " outside 1.." + queryVectors + " x 1..");
      }
      parsed.add(new Budget(rqRc[0], rqRc[1]));
    }
    if (parsed.isEmpty()) {
      throw new IllegalArgumentException("--budgets lists no budget");
    }
    return List.copyOf(parsed);
  }

  /** The synthetic data (deterministic from the seed; noise as EndToEndBench's defaults). */
  ClusteredCorpus corpus() {
    return new ClusteredCorpus(seed, dim, docs, clusters, 0.8f, 0.8f, 0.3f, 0.3f);
  }

  private static int intOpt(Map<String, String> values, String name) {
    return Integer.parseInt(values.get(name).trim());
  }
}
