package dev.metaembed.bench;

import dev.metaembed.lucene.codec.VectorStorage;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The command line of {@link EndToEndBench}: every option with its default, the {@code --help}
 * text, parsing, and the typed values the other parts of the benchmark read.
 */
final class EndToEndOptions {
  /** A late-interaction budget: the first {@code rq} query vectors × the first {@code rc} doc vectors. */
  record Budget(int rq, int rc) {
    /** The budget as the report shows it, e.g. {@code 16x64}. */
    String label() {
      return rq + "x" + rc;
    }
  }

  /** Option name → default, in the order {@code --help} and the JSON report list them. */
  private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

  static {
    DEFAULTS.put("docs", "100000");
    DEFAULTS.put("dim", "128");
    DEFAULTS.put("vectors", "64");
    DEFAULTS.put("query-vectors", "16");
    DEFAULTS.put("queries", "200");
    DEFAULTS.put("candidates", "200");
    DEFAULTS.put("k", "10");
    DEFAULTS.put("storages", "float32,bfloat16,int8,bit");
    DEFAULTS.put("budgets", "1x1,2x4,4x8,8x16,16x64");
    DEFAULTS.put("clusters", "1000");
    DEFAULTS.put("seed", "20260101");
    DEFAULTS.put("dir", "");
    DEFAULTS.put("warmup", "50");
    DEFAULTS.put("index-warmup", "2000");
    DEFAULTS.put("ram-mb", "256");
    DEFAULTS.put("topic-noise", "0.8");
    DEFAULTS.put("detail-noise", "0.8");
    DEFAULTS.put("jitter", "0.3");
    DEFAULTS.put("query-noise", "0.3");
    DEFAULTS.put("knn-k", "200");
    DEFAULTS.put("json", "");
    DEFAULTS.put("skip-lucene", "false");
    DEFAULTS.put("preload", "false");
    DEFAULTS.put("threads", "1");
    DEFAULTS.put("prune", "");
    DEFAULTS.put("truth", "float32");
  }

  /** Every option as given (defaults filled in), for the JSON report. */
  final Map<String, String> values;

  final int docs, dim, vectors, queryVectors, queries, candidates, k, warmup, indexWarmup, ramMb;
  final int knnK, clusters, threads;
  final long seed;
  final float topicNoise, detailNoise, jitter, queryNoise;
  final boolean skipLucene;

  /** Map and touch every index file when the readers open (MMapDirectory preload). */
  final boolean preload;

  /** Empty for "a temporary directory"; empty {@link #json} for "no JSON file". */
  final String dir, json;

  /** Distinct, in the given order; {@link #truth} always present. */
  final List<VectorStorage> storages;

  /**
   * {@code --truth}: the storage whose exact brute force is the ground truth of recall (default
   * float32; a large int8-only run uses int8, so recall then leaves quantization out).
   */
  final VectorStorage truth;

  final List<Budget> budgets;

  /**
   * {@code --prune RQxRC:KEEP}: also time LateInteractionQuery with {@code prune(RQ, RC, KEEP)} at
   * every larger budget; null when not given.
   */
  final Prune prune;

  /** A cascade to time: rank candidates at {@code budget}, rescore the best {@code keep}. */
  record Prune(Budget budget, int keep) {
    /** True when {@code b} is larger than the pruning budget, so the cascade can save work. */
    boolean appliesTo(Budget b) {
      return b.rq() >= budget.rq() && b.rc() >= budget.rc() && b.equals(budget) == false;
    }

    String label() {
      return "prune " + budget.label() + "->" + keep;
    }
  }

  private EndToEndOptions(Map<String, String> values, PrintStream log) {
    this.values = Collections.unmodifiableMap(values);
    docs = intOpt("docs");
    dim = intOpt("dim");
    vectors = intOpt("vectors");
    queryVectors = intOpt("query-vectors");
    queries = intOpt("queries");
    candidates = intOpt("candidates");
    k = intOpt("k");
    warmup = intOpt("warmup");
    indexWarmup = intOpt("index-warmup");
    ramMb = intOpt("ram-mb");
    knnK = intOpt("knn-k");
    clusters = intOpt("clusters");
    threads = intOpt("threads");
    if (threads < 1) {
      throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
    }
    seed = Long.parseLong(values.get("seed"));
    topicNoise = Float.parseFloat(values.get("topic-noise"));
    detailNoise = Float.parseFloat(values.get("detail-noise"));
    jitter = Float.parseFloat(values.get("jitter"));
    queryNoise = Float.parseFloat(values.get("query-noise"));
    skipLucene = Boolean.parseBoolean(values.get("skip-lucene"));
    preload = Boolean.parseBoolean(values.get("preload"));
    dir = values.get("dir");
    json = values.get("json");
    truth = VectorStorage.fromName(values.get("truth"));
    storages = parseStorages(values.get("storages"), truth, log);
    budgets = parseBudgets(values.get("budgets"));
    prune = parsePrune(values.get("prune"));
  }

  private Prune parsePrune(String value) {
    if (value.isBlank()) {
      return null;
    }
    String[] parts = value.trim().split(":");
    if (parts.length != 2) {
      throw new IllegalArgumentException("--prune must be RQxRC:KEEP, e.g. 4x8:40, got " + value);
    }
    int keep = Integer.parseInt(parts[1]);
    if (keep < k) {
      throw new IllegalArgumentException(
          "--prune keep must be at least k (" + k + "), got " + keep);
    }
    return new Prune(parseBudgets(parts[0]).get(0), keep);
  }

  /**
   * Parses {@code --name value} pairs ({@code --skip-lucene} and {@code --preload} may stand
   * alone). Returns null after
   * printing the option list to stdout for {@code --help}/{@code -h}; throws
   * IllegalArgumentException for an unknown option, a missing value or a budget out of range.
   */
  static EndToEndOptions parse(String[] args, PrintStream log) {
    Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        printHelp();
        return null;
      }
      if (!a.startsWith("--") || !DEFAULTS.containsKey(a.substring(2))) {
        throw new IllegalArgumentException("unknown option " + a + " (try --help)");
      }
      String name = a.substring(2);
      boolean flag = name.equals("skip-lucene") || name.equals("preload");
      if (flag && (i + 1 == args.length || args[i + 1].startsWith("--"))) {
        values.put(name, "true");
        continue;
      }
      if (i + 1 == args.length) {
        throw new IllegalArgumentException("option " + a + " needs a value");
      }
      values.put(name, args[++i]);
    }
    return new EndToEndOptions(values, log);
  }

  private static void printHelp() {
    System.out.println("EndToEndBench options (defaults):");
    DEFAULTS.forEach(
        (key, v) -> System.out.println("  --" + key + " " + (v.isEmpty() ? "(none)" : v)));
  }

  /** The synthetic data these options describe (deterministic from the seed). */
  ClusteredCorpus corpus() {
    return new ClusteredCorpus(
        seed, dim, docs, clusters, topicNoise, detailNoise, jitter, queryNoise);
  }

  private int intOpt(String name) {
    return Integer.parseInt(values.get(name).trim());
  }

  private static List<VectorStorage> parseStorages(
      String list, VectorStorage truth, PrintStream log) {
    List<VectorStorage> storages = new ArrayList<>();
    for (String s : list.split(",")) {
      if (!s.isBlank()) {
        VectorStorage storage = VectorStorage.fromName(s);
        if (!storages.contains(storage)) {
          storages.add(storage);
        }
      }
    }
    if (!storages.contains(truth)) {
      log.println(
          "note: " + truth.attributeValue() + " index added: exact ground truth runs on it");
      storages.add(0, truth);
    }
    return List.copyOf(storages);
  }

  private List<Budget> parseBudgets(String list) {
    List<Budget> budgets = new ArrayList<>();
    for (String b : list.split(",")) {
      if (b.isBlank()) {
        continue;
      }
      String[] parts = b.trim().toLowerCase(Locale.ROOT).split("x");
      int rq = Integer.parseInt(parts[0]);
      int rc = Integer.parseInt(parts[1]);
      if (rq < 1 || rq > queryVectors || rc < 1 || rc > vectors) {
        throw new IllegalArgumentException(
            "budget " + b + " outside 1.." + queryVectors + " x 1.." + vectors);
      }
      budgets.add(new Budget(rq, rc));
    }
    return List.copyOf(budgets);
  }
}
