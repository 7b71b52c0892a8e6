package dev.metaembed.bench;

import dev.metaembed.lucene.codec.MetaEmbedCodec;
import dev.metaembed.lucene.codec.MetaEmbedField;
import dev.metaembed.lucene.codec.VectorStorage;
import dev.metaembed.lucene.search.LateInteractionQuery;
import dev.metaembed.lucene.search.MaxSimKernel;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.LateInteractionField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.RescoreTopNQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.VectorUtil;

/**
 * End-to-end benchmark: indexes synthetic clustered coarse-to-fine MetaEmbed data once per prefix
 * store encoding (MetaEmbedCodec) and once as Lucene's own baseline (KnnFloatVectorField over vector
 * 0 + LateInteractionField, default codec), then measures single-threaded query latency and
 * recall@k of budgeted late interaction against exact brute-force MaxSim on the float32 index.
 *
 * <p>Usage: {@code EndToEndBench [--docs N] [--queries N] ... [--json file]}; {@code --help} lists
 * the options. Progress goes to stderr, the Markdown report to stdout. Timings are reported, never
 * asserted. See benchmarks/E2E.md.
 */
public final class EndToEndBench {
  private static final String ME_FIELD = "me";
  private static final String KNN_FIELD = "v0";
  private static final String LI_FIELD = "li";
  private static final int BATCH = 256;
  private static final int EXACT_WARMUP_MAX = 5;
  private static final int REWARM = 5;

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
  }

  private final Map<String, String> opts;
  private final int docs, dim, vectors, queryVectors, queries, candidates, k, warmup, ramMb, knnK;
  private final List<VectorStorage> storages = new ArrayList<>();
  private final List<int[]> budgets = new ArrayList<>();
  private final boolean skipLucene;
  private final ClusteredCorpus corpus;
  private final PrintStream log = System.err;

  private final List<IndexStats> indexStats = new ArrayList<>();
  private final List<QueryStats> queryStats = new ArrayList<>();
  private final Map<String, String> machine = new LinkedHashMap<>();

  private EndToEndBench(Map<String, String> opts) {
    this.opts = opts;
    docs = intOpt("docs");
    dim = intOpt("dim");
    vectors = intOpt("vectors");
    queryVectors = intOpt("query-vectors");
    queries = intOpt("queries");
    candidates = intOpt("candidates");
    k = intOpt("k");
    warmup = intOpt("warmup");
    ramMb = intOpt("ram-mb");
    knnK = intOpt("knn-k");
    skipLucene = Boolean.parseBoolean(opts.get("skip-lucene"));
    for (String s : opts.get("storages").split(",")) {
      if (!s.isBlank()) {
        VectorStorage storage = VectorStorage.valueOf(s.trim().toUpperCase(Locale.ROOT));
        if (!storages.contains(storage)) {
          storages.add(storage);
        }
      }
    }
    if (!storages.contains(VectorStorage.FLOAT32)) {
      log.println("note: float32 index added: exact ground truth runs on it");
      storages.add(0, VectorStorage.FLOAT32);
    }
    for (String b : opts.get("budgets").split(",")) {
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
      budgets.add(new int[] {rq, rc});
    }
    corpus =
        new ClusteredCorpus(
            Long.parseLong(opts.get("seed")), dim, docs, intOpt("clusters"),
            Float.parseFloat(opts.get("topic-noise")), Float.parseFloat(opts.get("detail-noise")),
            Float.parseFloat(opts.get("jitter")), Float.parseFloat(opts.get("query-noise")));
  }

  private int intOpt(String name) {
    return Integer.parseInt(opts.get(name).trim());
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new LinkedHashMap<>(DEFAULTS);
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        System.out.println("EndToEndBench options (defaults):");
        DEFAULTS.forEach((key, v) -> System.out.println("  --" + key + " " + (v.isEmpty() ? "(none)" : v)));
        return;
      }
      if (!a.startsWith("--") || !DEFAULTS.containsKey(a.substring(2))) {
        throw new IllegalArgumentException("unknown option " + a + " (try --help)");
      }
      String name = a.substring(2);
      if (name.equals("skip-lucene")
          && (i + 1 == args.length || args[i + 1].startsWith("--"))) {
        opts.put(name, "true");
        continue;
      }
      if (i + 1 == args.length) {
        throw new IllegalArgumentException("option " + a + " needs a value");
      }
      opts.put(name, args[++i]);
    }
    new EndToEndBench(opts).run();
  }

  // ---------------------------------------------------------------- run

  private void run() throws Exception {
    List<String> vectorizationLog = captureVectorizationLog();
    describeMachine(vectorizationLog);
    log.println("EndToEndBench seed=" + corpus.seed + " docs=" + docs + " dim=" + dim
        + " vectors=" + vectors + " queries=" + queries + " storages=" + storages);
    machine.forEach((key, v) -> log.println("  " + key + ": " + v));

    String dirOpt = opts.get("dir");
    boolean temp = dirOpt.isEmpty();
    Path root = temp ? Files.createTempDirectory("metaembed-e2e") : Path.of(dirOpt);
    Files.createDirectories(root);
    log.println("working directory " + root + (temp ? " (temporary, deleted at the end)" : ""));
    try {
      warmIndexing(Math.min(docs, intOpt("index-warmup")));
      Map<VectorStorage, Path> ours = new LinkedHashMap<>();
      for (VectorStorage storage : storages) {
        Path path = root.resolve("metaembed-" + storage.attributeValue());
        indexOurs(path, storage);
        ours.put(storage, path);
      }
      Path lucenePath = null;
      if (!skipLucene) {
        lucenePath = root.resolve("lucene-baseline");
        indexLucene(lucenePath);
      }
      search(ours, lucenePath);
    } finally {
      if (temp) {
        deleteRecursively(root);
      }
    }
    String report = report();
    System.out.print(report);
    String json = opts.get("json");
    if (!json.isEmpty()) {
      Files.writeString(Path.of(json), json(), StandardCharsets.UTF_8);
      log.println("wrote " + json);
    }
  }

  // ---------------------------------------------------------------- indexing

  private record IndexStats(
      String index, String storage, long indexNanos, long mergeNanos, long sizeBytes, long mvdBytes,
      int segmentsBeforeMerge) {}

  private interface DocBuilder {
    Document build(float[][] vectors);
  }

  private void indexOurs(Path path, VectorStorage storage) throws IOException {
    FieldType type =
        MetaEmbedField.createFieldType(dim, vectors, VectorSimilarityFunction.DOT_PRODUCT, storage);
    IndexWriterConfig config = writerConfig().setCodec(new MetaEmbedCodec());
    index("metaembed", storage.attributeValue(), path, config,
        v -> {
          Document doc = new Document();
          doc.add(new MetaEmbedField(ME_FIELD, v, type));
          return doc;
        });
  }

  private void indexLucene(Path path) throws IOException {
    IndexWriterConfig config = writerConfig().setCodec(Codec.getDefault());
    index("lucene", "float32 (" + Codec.getDefault().getName() + ")", path, config,
        v -> {
          Document doc = new Document();
          doc.add(new KnnFloatVectorField(KNN_FIELD, v[0], VectorSimilarityFunction.DOT_PRODUCT));
          doc.add(new LateInteractionField(LI_FIELD, v));
          return doc;
        });
  }

  /**
   * Indexes {@code n} documents into throwaway in-memory indexes (our codec, and Lucene's unless
   * skipped), so that the first timed index is not the one that pays for JIT compilation.
   */
  private void warmIndexing(int n) throws IOException {
    if (n <= 0) {
      return;
    }
    log.println("indexing warm-up: " + n + " docs per index kind, in memory, not timed");
    FieldType type = MetaEmbedField.createFieldType(
        dim, vectors, VectorSimilarityFunction.DOT_PRODUCT, VectorStorage.FLOAT32);
    for (int kind = 0; kind < (skipLucene ? 1 : 2); kind++) {
      IndexWriterConfig config = writerConfig().setCodec(kind == 0 ? new MetaEmbedCodec() : Codec.getDefault());
      try (Directory dir = new ByteBuffersDirectory(); IndexWriter writer = new IndexWriter(dir, config)) {
        for (int id = 0; id < n; id++) {
          float[][] v = corpus.doc(id, vectors);
          Document doc = new Document();
          if (kind == 0) {
            doc.add(new MetaEmbedField(ME_FIELD, v, type));
          } else {
            doc.add(new KnnFloatVectorField(KNN_FIELD, v[0], VectorSimilarityFunction.DOT_PRODUCT));
            doc.add(new LateInteractionField(LI_FIELD, v));
          }
          writer.addDocument(doc);
          if (id == n / 2) {
            writer.flush(); // two segments, so forceMerge's code runs too
          }
        }
        writer.forceMerge(1);
      }
    }
  }

  private IndexWriterConfig writerConfig() {
    TieredMergePolicy mergePolicy = new TieredMergePolicy();
    mergePolicy.setNoCFSRatio(0); // sizes per file extension stay visible
    return new IndexWriterConfig()
        .setRAMBufferSizeMB(ramMb)
        .setUseCompoundFile(false)
        .setMergePolicy(mergePolicy)
        .setOpenMode(IndexWriterConfig.OpenMode.CREATE);
  }

  /** Data generation is outside the timed region: only addDocument, commit and forceMerge count. */
  private void index(String index, String storage, Path path, IndexWriterConfig config, DocBuilder builder)
      throws IOException {
    log.println("indexing " + index + " " + storage + " -> " + path);
    long indexNanos = 0;
    long mergeNanos;
    int segments;
    try (Directory dir = FSDirectory.open(path); IndexWriter writer = new IndexWriter(dir, config)) {
      Document[] batch = new Document[BATCH];
      long lastReport = System.nanoTime();
      for (int start = 0; start < docs; start += BATCH) {
        int n = Math.min(BATCH, docs - start);
        for (int i = 0; i < n; i++) {
          batch[i] = builder.build(corpus.doc(start + i, vectors));
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          writer.addDocument(batch[i]);
        }
        indexNanos += System.nanoTime() - t0;
        if (System.nanoTime() - lastReport > 10_000_000_000L) {
          lastReport = System.nanoTime();
          log.printf(Locale.ROOT, "  %d/%d docs, %.0f docs/s (addDocument time only)%n",
              start + n, docs, (start + n) / (indexNanos / 1e9));
        }
      }
      long t0 = System.nanoTime();
      writer.commit();
      indexNanos += System.nanoTime() - t0;
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        segments = reader.leaves().size();
      }
      t0 = System.nanoTime();
      writer.forceMerge(1);
      writer.commit();
      mergeNanos = System.nanoTime() - t0;
    }
    long size = 0;
    long mvd = 0;
    try (Stream<Path> files = Files.list(path)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(f) && !f.getFileName().toString().equals("write.lock")) {
          long bytes = Files.size(f);
          size += bytes;
          if (f.getFileName().toString().endsWith(".mvd")) {
            mvd += bytes;
          }
        }
      }
    }
    IndexStats stats = new IndexStats(index, storage, indexNanos, mergeNanos, size, mvd, segments);
    indexStats.add(stats);
    log.printf(Locale.ROOT,
        "  done: %.0f docs/s indexing (%d segments), forceMerge %.1f s, %.1f MB on disk, .mvd %.1f MB%n",
        docs / (indexNanos / 1e9), segments, mergeNanos / 1e9, size / 1e6, mvd / 1e6);
  }

  // ---------------------------------------------------------------- searching

  private record QueryStats(
      String index, String storage, String budget, String method, int queries, double meanMs,
      double p50Ms, double p99Ms, double qps, double recall) {}

  private interface QueryFactory {
    Query create(float[][] q);
  }

  private void search(Map<VectorStorage, Path> ours, Path lucenePath) throws IOException {
    int maxRq = budgets.stream().mapToInt(b -> b[0]).max().orElse(1);
    float[][][] qs = new float[queries][][];
    for (int q = 0; q < queries; q++) {
      qs[q] = corpus.query(q, queryVectors);
    }
    float[][][] warm = new float[warmup][][];
    for (int q = 0; q < warmup; q++) {
      warm[q] = corpus.query(queries + q, queryVectors);
    }
    log.println("queries: " + queries + " timed, " + warmup + " warm-up (exact: at most "
        + EXACT_WARMUP_MAX + "), max r_q " + maxRq);

    Map<VectorStorage, DirectoryReader> readers = new LinkedHashMap<>();
    DirectoryReader luceneReader = null;
    try {
      for (var e : ours.entrySet()) {
        readers.put(e.getKey(), DirectoryReader.open(FSDirectory.open(e.getValue())));
      }
      if (lucenePath != null) {
        luceneReader = DirectoryReader.open(FSDirectory.open(lucenePath));
      }
      IndexSearcher exactSearcher = new IndexSearcher(readers.get(VectorStorage.FLOAT32));
      List<Config> configs = new ArrayList<>();
      if (luceneReader != null) {
        IndexSearcher ls = new IndexSearcher(luceneReader);
        configs.add(new Config(ls, "lucene", "float32", "-", "KnnFloatVectorQuery k=" + knnK, warmup,
            null, q -> new KnnFloatVectorQuery(KNN_FIELD, q[0], knnK)));
      }
      for (int[] b : budgets) {
        String budget = b[0] + "x" + b[1];
        int[][] truth = new int[queries][];
        configs.add(new Config(exactSearcher, "metaembed", "float32", budget, "exact brute force",
            Math.min(warmup, EXACT_WARMUP_MAX), truth,
            q -> LateInteractionQuery.builder(ME_FIELD, q).k(k).budget(b[0], b[1]).exact().build()));
        for (var e : readers.entrySet()) {
          IndexSearcher searcher = new IndexSearcher(e.getValue());
          configs.add(new Config(searcher, "metaembed", e.getKey().attributeValue(), budget,
              "LateInteractionQuery", warmup, truth,
              q -> LateInteractionQuery.builder(ME_FIELD, q).k(k).budget(b[0], b[1])
                  .candidates(candidates).build()));
        }
        if (luceneReader != null) {
          IndexSearcher ls = new IndexSearcher(luceneReader);
          configs.add(new Config(ls, "lucene", "float32", budget,
              "RescoreTopN(Knn " + candidates + ") all doc vectors", warmup, truth,
              q -> RescoreTopNQuery.createLateInteractionQuery(
                  new KnnFloatVectorQuery(KNN_FIELD, q[0], candidates), candidates, LI_FIELD,
                  Arrays.copyOf(q, b[0]), VectorSimilarityFunction.DOT_PRODUCT)));
        }
      }
      // One warm-up pass over every configuration first, so that no configuration is timed
      // while the JIT is still compiling the code paths of the ones after it.
      log.println("warm-up pass over " + configs.size() + " configurations");
      for (Config c : configs) {
        for (int i = 0; i < c.warmup; i++) {
          c.searcher.search(c.factory.create(warm[i]), k);
        }
      }
      log.println("timed pass");
      for (Config c : configs) {
        // a few queries again right before timing: this configuration's index pages are hot
        for (int i = 0; i < Math.min(c.warmup, REWARM); i++) {
          c.searcher.search(c.factory.create(warm[i]), k);
        }
        measure(c, qs);
      }
    } finally {
      for (DirectoryReader r : readers.values()) {
        r.close();
      }
      if (luceneReader != null) {
        luceneReader.close();
      }
    }
  }

  private record Config(IndexSearcher searcher, String index, String storage, String budget,
      String method, int warmup, int[][] truth, QueryFactory factory) {}

  /**
   * Runs each timed query once. With {@code truth} null no recall is computed; with {@code truth}
   * holding nulls (the exact configuration of a budget), the hits are stored as ground truth.
   */
  private void measure(Config c, float[][][] qs) throws IOException {
    IndexSearcher searcher = c.searcher;
    QueryFactory factory = c.factory;
    int[][] truth = c.truth;
    String index = c.index, storage = c.storage, budget = c.budget, method = c.method;
    boolean recordTruth = truth != null && truth.length > 0 && truth[0] == null;
    long[] nanos = new long[qs.length];
    double recall = 0;
    for (int q = 0; q < qs.length; q++) {
      long t0 = System.nanoTime();
      TopDocs hits = searcher.search(factory.create(qs[q]), k);
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
    QueryStats stats = new QueryStats(index, storage, budget, method, qs.length,
        total / 1e6 / qs.length, percentile(sorted, 0.50) / 1e6, percentile(sorted, 0.99) / 1e6,
        qs.length / (total / 1e9), r);
    queryStats.add(stats);
    log.printf(Locale.ROOT, "  %-9s %-9s %-6s %-40s p50 %8.3f ms  p99 %8.3f ms  recall %s%n",
        index, storage, budget, method, stats.p50Ms, stats.p99Ms, fmtRecall(r));
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
    return found / (double) k;
  }

  private static long percentile(long[] sorted, double p) {
    int index = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.clamp(index, 0, sorted.length - 1)];
  }

  // ---------------------------------------------------------------- report

  private String report() {
    StringBuilder sb = new StringBuilder();
    sb.append("# MetaEmbed end-to-end benchmark\n\n");
    sb.append("| setting | value |\n|---|---|\n");
    machine.forEach((key, v) -> sb.append("| ").append(key).append(" | ").append(v.replace("|", "\\|")).append(" |\n"));
    sb.append(String.format(Locale.ROOT,
        "| data | %d docs × %d vectors × %d dims, %d clusters, noise topic/detail/jitter/query %s/%s/%s/%s, seed %d |\n",
        docs, vectors, dim, corpus.clusters, corpus.topicNoise, corpus.detailNoise, corpus.jitter,
        corpus.queryNoise, corpus.seed));
    sb.append(String.format(Locale.ROOT,
        "| queries | %d timed (%d query vectors), %d warm-up, k=%d, candidates=%d, single-threaded searcher |\n",
        queries, queryVectors, warmup, k, candidates));

    sb.append("\n## Indexing (forceMerge(1) timed separately; data generation excluded)\n\n");
    sb.append("| index | storage | segments before merge | docs/s (indexing) | docs/s (incl. forceMerge) | forceMerge s | size MB | .mvd MB | .mvd / float32 .mvd |\n");
    sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    long f32mvd = float32Mvd();
    for (IndexStats s : indexStats) {
      sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %.0f | %.0f | %.2f | %.1f | %s | %s |\n",
          s.index, s.storage, s.segmentsBeforeMerge, docs / (s.indexNanos / 1e9),
          docs / ((s.indexNanos + s.mergeNanos) / 1e9), s.mergeNanos / 1e9, s.sizeBytes / 1e6,
          s.index.equals("metaembed") ? String.format(Locale.ROOT, "%.1f", s.mvdBytes / 1e6) : "-",
          s.index.equals("metaembed") && f32mvd > 0
              ? String.format(Locale.ROOT, "%.3f", s.mvdBytes / (double) f32mvd) : "-"));
    }

    sb.append("\n## Queries (recall@").append(k).append(" vs exact MaxSim on float32 at the same budget)\n\n");
    sb.append("| index | storage | budget (rq×rc) | method | QPS | mean ms | p50 ms | p99 ms | recall@").append(k).append(" |\n");
    sb.append("|---|---|---|---|---:|---:|---:|---:|---:|\n");
    for (QueryStats s : queryStats) {
      sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.1f | %.3f | %.3f | %.3f | %s |\n",
          s.index, s.storage, s.budget, s.method, s.qps, s.meanMs, s.p50Ms, s.p99Ms,
          s.method.startsWith("exact") ? "(truth)" : fmtRecall(s.recall)));
    }

    sb.append("\n## Targets\n\n| ratio | value |\n|---|---:|\n");
    targets().forEach((key, v) -> sb.append("| ").append(key).append(" | ").append(v).append(" |\n"));
    return sb.toString();
  }

  private Map<String, String> targets() {
    Map<String, String> t = new LinkedHashMap<>();
    QueryStats f32Full = find("metaembed", "float32", "16x64", "LateInteractionQuery");
    QueryStats f32One = find("metaembed", "float32", "1x1", "LateInteractionQuery");
    QueryStats knn = queryStats.stream().filter(s -> s.method.startsWith("KnnFloatVectorQuery")).findFirst().orElse(null);
    if (f32Full != null && f32One != null) {
      t.put("float32 latency(16x64) / latency(1x1), p50", ratio(f32Full.p50Ms, f32One.p50Ms));
      t.put("float32 latency(16x64) / latency(1x1), mean", ratio(f32Full.meanMs, f32One.meanMs));
    }
    if (f32One != null && knn != null) {
      t.put("float32 latency(1x1) / plain KNN k=" + knnK + " (Lucene index), p50", ratio(f32One.p50Ms, knn.p50Ms));
      t.put("float32 latency(1x1) / plain KNN k=" + knnK + " (Lucene index), mean", ratio(f32One.meanMs, knn.meanMs));
    }
    IndexStats ourF32 = indexStats.stream().filter(s -> s.index.equals("metaembed") && s.storage.equals("float32")).findFirst().orElse(null);
    IndexStats lucene = indexStats.stream().filter(s -> s.index.equals("lucene")).findFirst().orElse(null);
    if (ourF32 != null && lucene != null) {
      t.put("indexing docs/s: metaembed float32 / Lucene (excl. forceMerge)",
          ratio(lucene.indexNanos, ourF32.indexNanos));
      t.put("indexing docs/s: metaembed float32 / Lucene (incl. forceMerge)",
          ratio(lucene.indexNanos + lucene.mergeNanos, ourF32.indexNanos + ourF32.mergeNanos));
      t.put("index size: metaembed float32 / Lucene", ratio(ourF32.sizeBytes, lucene.sizeBytes));
    }
    long f32mvd = float32Mvd();
    for (IndexStats s : indexStats) {
      if (s.index.equals("metaembed") && f32mvd > 0) {
        t.put(".mvd bytes " + s.storage + " / float32", ratio(s.mvdBytes, f32mvd));
      }
    }
    for (String budget : List.of("16x64", "2x4")) {
      for (VectorStorage storage : storages) {
        QueryStats s = find("metaembed", storage.attributeValue(), budget, "LateInteractionQuery");
        if (s != null) {
          t.put("recall@" + k + " " + storage.attributeValue() + " at " + budget, fmtRecall(s.recall));
        }
      }
      QueryStats l = queryStats.stream().filter(s -> s.index.equals("lucene") && s.budget.equals(budget)).findFirst().orElse(null);
      if (l != null) {
        t.put("recall@" + k + " Lucene RescoreTopN at " + budget + " (all doc vectors)", fmtRecall(l.recall));
      }
    }
    return t;
  }

  private long float32Mvd() {
    return indexStats.stream().filter(s -> s.index.equals("metaembed") && s.storage.equals("float32"))
        .mapToLong(s -> s.mvdBytes).findFirst().orElse(0);
  }

  private QueryStats find(String index, String storage, String budget, String method) {
    return queryStats.stream()
        .filter(s -> s.index.equals(index) && s.storage.equals(storage) && s.budget.equals(budget) && s.method.equals(method))
        .findFirst().orElse(null);
  }

  private static String ratio(double a, double b) {
    return b == 0 ? "n/a" : String.format(Locale.ROOT, "%.3f", a / b);
  }

  private static String fmtRecall(double r) {
    return Double.isNaN(r) ? "-" : String.format(Locale.ROOT, "%.3f", r);
  }

  private String json() {
    StringBuilder sb = new StringBuilder("{\n  \"options\": {");
    appendMap(sb, opts);
    sb.append("},\n  \"machine\": {");
    appendMap(sb, machine);
    sb.append("},\n  \"indexing\": [");
    for (int i = 0; i < indexStats.size(); i++) {
      IndexStats s = indexStats.get(i);
      sb.append(i == 0 ? "\n    " : ",\n    ").append(String.format(Locale.ROOT,
          "{\"index\": %s, \"storage\": %s, \"segmentsBeforeMerge\": %d, \"indexSeconds\": %.4f, \"forceMergeSeconds\": %.4f, "
              + "\"docsPerSec\": %.2f, \"docsPerSecInclMerge\": %.2f, \"sizeBytes\": %d, \"mvdBytes\": %d}",
          q(s.index), q(s.storage), s.segmentsBeforeMerge, s.indexNanos / 1e9, s.mergeNanos / 1e9,
          docs / (s.indexNanos / 1e9), docs / ((s.indexNanos + s.mergeNanos) / 1e9), s.sizeBytes, s.mvdBytes));
    }
    sb.append("\n  ],\n  \"queries\": [");
    for (int i = 0; i < queryStats.size(); i++) {
      QueryStats s = queryStats.get(i);
      sb.append(i == 0 ? "\n    " : ",\n    ").append(String.format(Locale.ROOT,
          "{\"index\": %s, \"storage\": %s, \"budget\": %s, \"method\": %s, \"queries\": %d, \"qps\": %.3f, "
              + "\"meanMs\": %.4f, \"p50Ms\": %.4f, \"p99Ms\": %.4f, \"recall\": %s}",
          q(s.index), q(s.storage), q(s.budget), q(s.method), s.queries, s.qps, s.meanMs, s.p50Ms, s.p99Ms,
          Double.isNaN(s.recall) ? "null" : String.format(Locale.ROOT, "%.4f", s.recall)));
    }
    sb.append("\n  ],\n  \"targets\": {");
    appendMap(sb, targets());
    sb.append("}\n}\n");
    return sb.toString();
  }

  private static void appendMap(StringBuilder sb, Map<String, String> map) {
    boolean first = true;
    for (var e : map.entrySet()) {
      sb.append(first ? "\n    " : ",\n    ").append(q(e.getKey())).append(": ").append(q(e.getValue()));
      first = false;
    }
    sb.append(map.isEmpty() ? "" : "\n  ");
  }

  private static String q(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        default -> {
          if (c < 0x20) {
            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }

  // ---------------------------------------------------------------- machine

  /** Lucene logs its vectorization choice once, when VectorUtil first loads: keep that message. */
  private static final Logger VECTORIZATION_LOGGER =
      Logger.getLogger("org.apache.lucene.internal.vectorization");

  private static List<String> captureVectorizationLog() {
    List<String> messages = new ArrayList<>();
    Handler handler = new Handler() {
      @Override
      public void publish(LogRecord record) {
        messages.add(record.getLevel() + ": " + record.getMessage());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    handler.setLevel(Level.ALL);
    VECTORIZATION_LOGGER.addHandler(handler);
    VectorUtil.dotProduct(new float[] {1f}, new float[] {1f}); // triggers the provider lookup
    VECTORIZATION_LOGGER.removeHandler(handler);
    return messages;
  }

  private void describeMachine(List<String> vectorizationLog) {
    Runtime rt = Runtime.getRuntime();
    machine.put("available processors", Integer.toString(rt.availableProcessors()));
    machine.put("JVM", System.getProperty("java.vm.name") + " " + Runtime.version()
        + " (" + System.getProperty("java.vendor") + ")");
    machine.put("OS", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
        + System.getProperty("os.arch"));
    machine.put("JVM flags", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
    machine.put("max heap", String.format(Locale.ROOT, "%.0f MB", rt.maxMemory() / 1048576.0));
    machine.put("jdk.incubator.vector module",
        ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() ? "present" : "absent");
    machine.put("Lucene vectorization", vectorizationLog.isEmpty()
        ? "(no log message captured)" : String.join("; ", vectorizationLog));
    machine.put("MaxSim kernel", MaxSimKernel.get().name());
    machine.put("Lucene default codec", Codec.getDefault().getName());
  }

  private static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
