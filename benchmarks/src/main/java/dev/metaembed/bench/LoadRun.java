package dev.metaembed.bench;

import dev.metaembed.bench.EndToEndOptions.Budget;
import dev.metaembed.lucene.codec.MetaEmbedCodec;
import dev.metaembed.lucene.codec.MetaEmbedField;
import dev.metaembed.lucene.codec.MetaEmbedVectorValues;
import dev.metaembed.lucene.search.LateInteractionQuery;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.MMapDirectory;
import org.apache.lucene.util.IOUtils;

/**
 * Load run of the query path: {@code --threads} (default 4 × available processors) threads send
 * {@link LateInteractionQuery} searches, a uniform mix of {@code --budgets}, to one shared
 * IndexSearcher (no executor: one thread per query) for {@code --seconds} after an unrecorded
 * warm-up, and every latency is kept. Reports throughput and exact p50/p90/p99/p99.9/max per budget
 * and overall (Markdown-ish table, then one JSON line), and counts errors: an exception, fewer than
 * min(k, docs) hits or a non-finite score. Any error makes the exit status 1.
 *
 * <p>The index ({@code --docs} synthetic clustered documents of {@code --vectors} × {@code --dim},
 * {@code --storage}, MetaEmbedCodec, DOT_PRODUCT) is built in a temporary directory, or in {@code
 * --dir}, where a later run with the same shape reuses it. Progress goes to stderr. Timings are
 * reported, never asserted. Usage: {@code ./metaembed bench load [--seconds 60] [--help]}.
 */
public final class LoadRun {
  private static final String FIELD = "me";
  private static final long PROGRESS_NANOS = 10_000_000_000L;

  private LoadRun() {}

  public static void main(String[] args) throws Exception {
    LoadRunOptions options = LoadRunOptions.parse(args);
    if (options == null) {
      return; // --help
    }
    PrintStream log = System.err;
    Map<String, String> machine = EndToEndMachine.describe();
    machine.forEach((key, v) -> log.println("  " + key + ": " + v));
    boolean temp = options.dir.isEmpty();
    Path path = temp ? Files.createTempDirectory("metaembed-load") : Path.of(options.dir);
    Result result;
    try (Directory dir = new MMapDirectory(path)) {
      int segments = buildOrReuse(options, dir, log);
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        IndexSearcher searcher = new IndexSearcher(reader);
        ClusteredCorpus corpus = options.corpus();
        float[][][] queries = new float[options.queries][][];
        for (int q = 0; q < queries.length; q++) {
          queries[q] = corpus.query(q, options.queryVectors);
        }
        int expectedHits = Math.min(options.k, reader.numDocs());
        if (options.warmupSeconds > 0) {
          log.printf(
              Locale.ROOT,
              "warm-up: %d s, %d threads (not recorded)%n",
              options.warmupSeconds,
              options.threads);
          run(
              options,
              searcher,
              queries,
              expectedHits,
              options.warmupSeconds,
              options.seed ^ 0x5bd1e995L);
        }
        String loadBefore = loadAverage();
        long cpuBefore = processCpuNanos();
        log.printf(
            Locale.ROOT,
            "measured: %d s, %d threads, budgets %s%n",
            options.seconds,
            options.threads,
            options.budgets.stream().map(Budget::label).toList());
        result = run(options, searcher, queries, expectedHits, options.seconds, options.seed);
        result.segments = segments;
        result.loadBefore = loadBefore;
        result.loadAfter = loadAverage();
        long cpuAfter = processCpuNanos();
        result.cpuSeconds =
            cpuBefore < 0 || cpuAfter < 0 ? Double.NaN : (cpuAfter - cpuBefore) / 1e9;
      }
    } finally {
      if (temp) {
        IOUtils.rm(path);
      }
    }
    System.out.print(result.table(options));
    String json = result.json(options, machine);
    System.out.println(json);
    if (!options.json.isEmpty()) {
      Files.writeString(Path.of(options.json), json + "\n", StandardCharsets.UTF_8);
      log.println("wrote " + options.json);
    }
    if (result.errors() > 0) {
      log.println("LoadRun: " + result.errors() + " errors; first: ");
      result.firstError.printStackTrace(log);
      System.exit(1);
    }
  }

  /** Indexes the corpus into {@code dir} unless it already holds it; returns the segment count. */
  private static int buildOrReuse(LoadRunOptions options, Directory dir, PrintStream log)
      throws IOException {
    if (DirectoryReader.indexExists(dir)) {
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        checkShape(options, reader);
        log.println(
            "reusing the index in "
                + options.dir
                + ": "
                + reader.numDocs()
                + " docs, "
                + reader.leaves().size()
                + " segments");
        return reader.leaves().size();
      }
    }
    FieldType type =
        MetaEmbedField.createFieldType(
            options.dim, options.vectors, VectorSimilarityFunction.DOT_PRODUCT, options.storage);
    ClusteredCorpus corpus = options.corpus();
    IndexWriterConfig config =
        new IndexWriterConfig()
            .setCodec(new MetaEmbedCodec())
            .setRAMBufferSizeMB(options.ramMb)
            .setOpenMode(IndexWriterConfig.OpenMode.CREATE);
    log.printf(
        Locale.ROOT,
        "indexing %d docs x %d x %d %s%n",
        options.docs,
        options.vectors,
        options.dim,
        options.storage.attributeValue());
    long t0 = System.nanoTime();
    long lastReport = t0;
    try (IndexWriter writer = new IndexWriter(dir, config)) {
      for (int id = 0; id < options.docs; id++) {
        Document doc = new Document();
        doc.add(new MetaEmbedField(FIELD, corpus.doc(id, options.vectors), type));
        writer.addDocument(doc);
        if (System.nanoTime() - lastReport > PROGRESS_NANOS) {
          lastReport = System.nanoTime();
          log.printf(Locale.ROOT, "  %d/%d docs%n", id + 1, options.docs);
        }
      }
      writer.commit();
    }
    try (DirectoryReader reader = DirectoryReader.open(dir)) {
      log.printf(
          Locale.ROOT,
          "  indexed in %.1f s, %d segments%n",
          (System.nanoTime() - t0) / 1e9,
          reader.leaves().size());
      return reader.leaves().size();
    }
  }

  /** Refuses to reuse an index of another shape (documents, dimension, vectors, storage). */
  private static void checkShape(LoadRunOptions options, DirectoryReader reader)
      throws IOException {
    for (LeafReaderContext context : reader.leaves()) {
      MetaEmbedVectorValues values = MetaEmbedVectorValues.get(context.reader(), FIELD);
      if (values == null
          || values.dimension() != options.dim
          || values.maxVectors() != options.vectors
          || values.storage() != options.storage) {
        throw new IllegalArgumentException(
            "--dir "
                + options.dir
                + " holds an index of another shape;"
                + " remove it or give the options it was built with");
      }
    }
    if (reader.numDocs() != options.docs) {
      throw new IllegalArgumentException(
          "--dir "
              + options.dir
              + " holds "
              + reader.numDocs()
              + " docs, --docs is "
              + options.docs);
    }
  }

  /** Runs the load for {@code seconds} and returns what every thread recorded. */
  private static Result run(
      LoadRunOptions options,
      IndexSearcher searcher,
      float[][][] queries,
      int expectedHits,
      int seconds,
      long seed)
      throws Exception {
    ExecutorService pool =
        Executors.newFixedThreadPool(
            options.threads,
            r -> {
              Thread t = new Thread(r, "load");
              t.setDaemon(true);
              return t;
            });
    try {
      CountDownLatch ready = new CountDownLatch(options.threads);
      CountDownLatch go = new CountDownLatch(1);
      long[] deadline = new long[1];
      List<Future<Worker>> futures = new ArrayList<>();
      for (int t = 0; t < options.threads; t++) {
        Worker worker =
            new Worker(options, searcher, queries, expectedHits, new SplittableRandom(seed + t));
        futures.add(
            pool.submit(
                () -> {
                  ready.countDown();
                  go.await();
                  worker.runUntil(deadline[0]);
                  return worker;
                }));
      }
      ready.await();
      long start = System.nanoTime();
      deadline[0] = start + seconds * 1_000_000_000L;
      go.countDown(); // publishes deadline[0] to the workers
      List<Worker> workers = new ArrayList<>();
      for (Future<Worker> f : futures) {
        workers.add(f.get());
      }
      return new Result(options.budgets, workers, (System.nanoTime() - start) / 1e9);
    } finally {
      pool.shutdownNow();
    }
  }

  /** One thread's queries: random query, random budget, every latency and error recorded. */
  private static final class Worker {
    private final LoadRunOptions options;
    private final IndexSearcher searcher;
    private final float[][][] queries;
    private final int expectedHits;
    private final SplittableRandom random;
    final List<LatencyStats.Recorder> latencies = new ArrayList<>();
    final long[] errors;
    Throwable firstError;

    Worker(
        LoadRunOptions options,
        IndexSearcher searcher,
        float[][][] queries,
        int expectedHits,
        SplittableRandom random) {
      this.options = options;
      this.searcher = searcher;
      this.queries = queries;
      this.expectedHits = expectedHits;
      this.random = random;
      for (int b = 0; b < options.budgets.size(); b++) {
        latencies.add(new LatencyStats.Recorder());
      }
      this.errors = new long[options.budgets.size()];
    }

    void runUntil(long deadline) {
      while (System.nanoTime() < deadline) {
        int b = random.nextInt(options.budgets.size());
        Budget budget = options.budgets.get(b);
        LateInteractionQuery.Builder builder =
            LateInteractionQuery.builder(FIELD, queries[random.nextInt(queries.length)])
                .k(options.k)
                .budget(budget.rq(), budget.rc());
        if (options.candidates > 0) {
          builder.candidates(options.candidates);
        }
        LateInteractionQuery query = builder.build();
        long t0 = System.nanoTime();
        try {
          TopDocs hits = searcher.search(query, options.k);
          latencies.get(b).add(System.nanoTime() - t0);
          check(hits);
        } catch (Throwable t) {
          errors[b]++;
          if (firstError == null) {
            firstError = new RuntimeException(query.toString(), t);
          }
        }
      }
    }

    private void check(TopDocs hits) {
      if (hits.scoreDocs.length != expectedHits) {
        throw new IllegalStateException(hits.scoreDocs.length + " hits, expected " + expectedHits);
      }
      for (ScoreDoc hit : hits.scoreDocs) {
        if (!Float.isFinite(hit.score)) {
          throw new IllegalStateException("doc " + hit.doc + " has score " + hit.score);
        }
      }
    }
  }

  /** The measured run: per budget and overall latencies, errors, wall time. */
  private static final class Result {
    final List<Budget> budgets;
    final List<LatencyStats> perBudget = new ArrayList<>();
    final LatencyStats overall;
    final long[] errors;
    final double wallSeconds;
    Throwable firstError;
    int segments;
    String loadBefore = "", loadAfter = "";

    /** CPU time this process got during the measured run (all threads, JIT and GC included). */
    double cpuSeconds = Double.NaN;

    Result(List<Budget> budgets, List<Worker> workers, double wallSeconds) {
      this.budgets = budgets;
      this.wallSeconds = wallSeconds;
      this.errors = new long[budgets.size()];
      List<LatencyStats.Recorder> all = new ArrayList<>();
      for (int b = 0; b < budgets.size(); b++) {
        List<LatencyStats.Recorder> ofBudget = new ArrayList<>();
        for (Worker w : workers) {
          ofBudget.add(w.latencies.get(b));
          errors[b] += w.errors[b];
        }
        all.addAll(ofBudget);
        perBudget.add(new LatencyStats(ofBudget));
      }
      overall = new LatencyStats(all);
      for (Worker w : workers) {
        if (firstError == null) {
          firstError = w.firstError;
        }
      }
    }

    long errors() {
      long sum = 0;
      for (long e : errors) {
        sum += e;
      }
      return sum;
    }

    String table(LoadRunOptions o) {
      StringBuilder sb = new StringBuilder();
      sb.append(
          String.format(
              Locale.ROOT,
              "LoadRun: %d threads (%d available processors), %.1f s measured after %d s warm-up; %d docs x %d x %d %s,"
                  + " %d segments, k=%d, candidates=%s; load average before %s, after %s;"
                  + " process CPU %.1f s of %.1f s wall x %d processors%n",
              o.threads,
              Runtime.getRuntime().availableProcessors(),
              wallSeconds,
              o.warmupSeconds,
              o.docs,
              o.vectors,
              o.dim,
              o.storage.attributeValue(),
              segments,
              o.k,
              o.candidates > 0 ? o.candidates : "default",
              loadBefore,
              loadAfter,
              cpuSeconds,
              wallSeconds,
              Runtime.getRuntime().availableProcessors()));
      sb.append(
          String.format(
              Locale.ROOT,
              "%-9s %9s %9s %8s %8s %8s %9s %8s %8s %6s%n",
              "budget",
              "queries",
              "QPS",
              "mean ms",
              "p50 ms",
              "p90 ms",
              "p99 ms",
              "p99.9 ms",
              "max ms",
              "errors"));
      for (int b = 0; b < budgets.size(); b++) {
        row(sb, budgets.get(b).label(), perBudget.get(b), errors[b]);
      }
      row(sb, "overall", overall, errors());
      return sb.toString();
    }

    private void row(StringBuilder sb, String label, LatencyStats s, long errorCount) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%-9s %9d %9.1f %8.3f %8.3f %8.3f %9.3f %8.3f %8.3f %6d%n",
              label,
              s.count(),
              s.count() / wallSeconds,
              s.meanMs(),
              s.percentileMs(50),
              s.percentileMs(90),
              s.percentileMs(99),
              s.percentileMs(99.9),
              s.maxMs(),
              errorCount));
    }

    String json(LoadRunOptions o, Map<String, String> machine) {
      StringBuilder sb = new StringBuilder("{\"bench\": \"load\", \"options\": {");
      boolean first = true;
      for (var e : o.values.entrySet()) {
        sb.append(first ? "" : ", ")
            .append(EndToEndJson.q(e.getKey()))
            .append(": ")
            .append(EndToEndJson.q(e.getValue()));
        first = false;
      }
      sb.append(
          String.format(
              Locale.ROOT,
              "}, \"availableProcessors\": %d, \"maxSimKernel\": %s, \"jvm\": %s, \"segments\": %d, \"loadAverageBefore\": %s,"
                  + " \"loadAverageAfter\": %s, \"cpuSeconds\": %s, \"seconds\": %.3f, \"errors\": %d, \"qps\": %.2f, \"overall\": {%s}, \"budgets\": [",
              Runtime.getRuntime().availableProcessors(),
              EndToEndJson.q(machine.getOrDefault("MaxSim kernel", "")),
              EndToEndJson.q(machine.getOrDefault("JVM", "")),
              segments,
              EndToEndJson.q(loadBefore),
              EndToEndJson.q(loadAfter),
              LatencyStats.json(cpuSeconds),
              wallSeconds,
              errors(),
              overall.count() / wallSeconds,
              overall.jsonFields()));
      for (int b = 0; b < budgets.size(); b++) {
        sb.append(b == 0 ? "" : ", ")
            .append(
                String.format(
                    Locale.ROOT,
                    "{\"budget\": %s, \"qps\": %.2f, \"errors\": %d, %s}",
                    EndToEndJson.q(budgets.get(b).label()),
                    perBudget.get(b).count() / wallSeconds,
                    errors[b],
                    perBudget.get(b).jsonFields()));
      }
      return sb.append("]}").toString();
    }
  }

  /** CPU time of this process so far in nanoseconds, or -1 when the JVM does not tell. */
  @SuppressForbidden(
      reason =
          "the process CPU time is only in the JDK's com.sun.management; checked, -1 without it")
  private static long processCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime()
        : -1;
  }

  /** The first three fields of /proc/loadavg (1, 5, 15 minutes), or "n/a". */
  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
  }
}
