package dev.metaembed.cli;

import com.google.gson.JsonObject;
import dev.metaembed.lucene.search.LateInteractionQuery;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.LateInteractionRescorer;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "eval",
    description = "Quality and latency per budget on BEIR queries and qrels.",
    footer = {
      "",
      "Examples:",
      "  metaembed eval --index /tmp/manpages --queries samples/manpages/queries.jsonl --qrels samples/manpages/qrels.tsv",
      "  metaembed eval --index idx --queries q.jsonl --qrels qrels.tsv --budgets 1x1,16x64 --json --baseline lucene",
      "",
      "Latency is search time only, after an untimed pass over the first 100 queries at each budget;",
      "query encoding is timed apart. With --json, one line per budget",
      "(keys budget_q, budget_d, ndcg_at_10, recall_at_100, mrr_at_10, latency_ms_mean, latency_ms_p99,",
      "queries); --baseline lucene adds one line after them for Lucene's LateInteractionRescorer",
      "(same first stage, full budget; needs an index built with --lucene-baseline)."
    })
final class EvalCommand implements Callable<Integer> {
  /** Queries searched untimed before each budget's timed pass: JIT, caches, first page touches. */
  static final int WARM_UP_QUERIES = 100;

  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Option(names = "--index", required = true, description = "index folder")
  Path index;

  @Option(names = "--queries", required = true, description = "queries.jsonl")
  Path queries;

  @Option(names = "--qrels", required = true, description = "qrels.tsv")
  Path qrels;

  @Option(
      names = "--budgets",
      defaultValue = "1x1,2x4,4x8,8x16,16x64",
      description = "comma-separated budgets (default: ${DEFAULT-VALUE})")
  String budgets;

  @Option(
      names = "-k",
      defaultValue = "100",
      description = "hits per query (default: ${DEFAULT-VALUE})")
  int k;

  @Option(
      names = "--candidates",
      description = "graph candidates per segment (default: max(100, 10k))")
  Integer candidates;

  @Option(names = "--exact", description = "score every document instead of graph candidates")
  boolean exact;

  @Option(
      names = "--prune",
      description =
          "cascade, approximate: at each budget larger than QxD, rank the candidates at QxD and rescore only the best KEEP, written QxD:KEEP, e.g. 2x4:200 (KEEP at least k; not with --exact)")
  String prune;

  @Option(names = "--json", description = "one JSON object per budget")
  boolean json;

  @Option(
      names = "--baseline",
      description = "also run a baseline: lucene (LateInteractionRescorer)")
  String baseline;

  @Option(
      names = "--model",
      description = "model folder or builtin:NAME (default: the one the index was built with)")
  String model;

  /** One evaluated configuration. */
  record Row(
      String system,
      Budget budget,
      double ndcg,
      double recall,
      double mrr,
      double meanMs,
      double p99Ms,
      int queries,
      double bytesPerQuery) {}

  @Override
  public Integer call() throws IOException {
    evaluateAndPrint();
    return 0;
  }

  /**
   * Runs eval as the command line would with these arguments, printing the same output to
   * {@code out}, and returns the rows it printed (the demo summarizes them).
   */
  static List<Row> run(PrintWriter out, String... args) throws IOException {
    EvalCommand eval = new EvalCommand();
    new CommandLine(eval).setOut(out).parseArgs(args);
    return eval.evaluateAndPrint();
  }

  /** Evaluates every budget (and the baseline), prints the rows and returns them. */
  private List<Row> evaluateAndPrint() throws IOException {
    List<Budget> parsed = Budget.parseList(budgets);
    Prune cascade = prune == null ? null : Prune.parse(prune);
    if (cascade != null && (exact || cascade.keep() < k)) {
      throw new UserException(
          exact
              ? "--prune is approximate and --exact scores every document: use one"
              : "--prune keeps " + cascade.keep() + " candidates, fewer than -k " + k);
    }
    if (baseline != null && baseline.equals("lucene") == false) {
      throw new UserException("unknown baseline \"" + baseline + "\": the only one is lucene");
    }
    Map<String, String> queryTexts = BeirFiles.readQueries(queries);
    Map<String, Map<String, Integer>> relevance = BeirFiles.readQrels(qrels);
    List<String> ids = queryTexts.keySet().stream().filter(relevance::containsKey).toList();
    if (ids.isEmpty()) {
      throw new UserException("no query in " + queries + " has relevance judgements in " + qrels);
    }
    PrintWriter out = spec.commandLine().getOut();
    try (Searcher s = new Searcher(index, model, IndexLayout.defaultThreads())) {
      parsed.forEach(s::checkBudget);
      if (baseline != null && hasLuceneField(s) == false) {
        throw new UserException(
            index
                + " has no Lucene late-interaction field: index with --lucene-baseline to compare");
      }
      long t0 = System.nanoTime();
      List<float[][]> vectors = new ArrayList<>();
      for (String id : ids) {
        vectors.add(s.encoder.encodeQuery(queryTexts.get(id)));
      }
      double encodeMs = (System.nanoTime() - t0) / 1e6 / ids.size();
      List<Row> rows = new ArrayList<>();
      for (Budget budget : parsed) {
        rows.add(evaluate(s, "metaembed", budget, ids, vectors, relevance, cascade));
      }
      if (baseline != null) {
        rows.add(evaluate(s, "lucene", s.fullBudget(), ids, vectors, relevance, null));
      }
      print(out, rows, encodeMs);
      return rows;
    }
  }

  private boolean hasLuceneField(Searcher s) {
    return s.reader.leaves().stream()
        .anyMatch(
            ctx -> ctx.reader().getFieldInfos().fieldInfo(IndexLayout.LUCENE_VECTORS) != null);
  }

  private Row evaluate(
      Searcher s,
      String system,
      Budget budget,
      List<String> ids,
      List<float[][]> vectors,
      Map<String, Map<String, Integer>> relevance,
      Prune cascade)
      throws IOException {
    for (int q = 0; q < Math.min(WARM_UP_QUERIES, vectors.size()); q++) { // untimed
      search(s, system, budget, vectors.get(q), cascade);
    }
    double ndcg = 0;
    double recall = 0;
    double mrr = 0;
    long[] nanos = new long[ids.size()];
    for (int q = 0; q < ids.size(); q++) {
      long start = System.nanoTime();
      TopDocs hits = search(s, system, budget, vectors.get(q), cascade);
      nanos[q] = System.nanoTime() - start;
      List<String> ranking = new ArrayList<>();
      for (ScoreDoc hit : hits.scoreDocs) {
        ranking.add(s.storedField(hit.doc, IndexLayout.ID));
      }
      Map<String, Integer> relevant = relevance.get(ids.get(q));
      ndcg += Metrics.ndcgAt10(ranking, relevant);
      recall += Metrics.recallAt100(ranking, relevant);
      mrr += Metrics.mrrAt10(ranking, relevant);
    }
    Arrays.sort(nanos);
    double mean = Arrays.stream(nanos).average().orElse(0) / 1e6;
    double p99 = nanos[Math.min(nanos.length - 1, (int) Math.ceil(0.99 * nanos.length) - 1)] / 1e6;
    int n = ids.size();
    return new Row(
        system,
        budget,
        ndcg / n,
        recall / n,
        mrr / n,
        mean,
        p99,
        n,
        bytesPerQuery(s, budget, system, cascade));
  }

  private TopDocs search(Searcher s, String system, Budget budget, float[][] vectors, Prune cascade)
      throws IOException {
    return system.equals("lucene")
        ? luceneRerank(s, vectors)
        : s.search(vectors, budget, k, candidates, exact, cascade);
  }

  /**
   * Lucene's reference on the same candidates: the graph over vector 0 gives each segment's top
   * {@code candidates} (the first stage of our query), all of them are reranked by Lucene's
   * LateInteractionRescorer.
   */
  private TopDocs luceneRerank(Searcher s, float[][] vectors) throws IOException {
    int perSegment = firstStageSize();
    int firstStage = perSegment * s.reader.leaves().size();
    TopDocs candidatesFound =
        s.searcher.search(
            LateInteractionQuery.builder(IndexLayout.VECTORS, vectors)
                .k(firstStage)
                .budget(1, 1)
                .candidates(perSegment)
                .build(),
            firstStage);
    return LateInteractionRescorer.create(
            IndexLayout.LUCENE_VECTORS, vectors, VectorSimilarityFunction.DOT_PRODUCT)
        .rescore(s.searcher, candidatesFound, k);
  }

  /** Graph candidates per segment, as LateInteractionQuery uses them. */
  private int firstStageSize() {
    return candidates != null ? candidates : Math.max(100, 10 * k);
  }

  /**
   * Vector bytes a query reads, upper bound: candidates per segment × segments × r_c × the bytes of
   * one stored vector (all documents when exact); with --prune, the candidates' pruning prefixes
   * plus KEEP per segment at r_c; Lucene's rescorer decodes every stored float vector of its
   * candidates.
   */
  private double bytesPerQuery(Searcher s, Budget budget, String system, Prune cascade) {
    long docs = s.reader.numDocs();
    int segments = s.reader.leaves().size();
    long scored = exact ? docs : Math.min(docs, (long) firstStageSize() * segments);
    int perDoc =
        system.equals("lucene") ? s.storedVectors : Math.min(budget.document(), s.storedVectors);
    int vectorBytes = system.equals("lucene") ? s.dimension * Float.BYTES : s.bytesPerVector;
    if (cascade != null && cascade.appliesTo(budget) && exact == false) {
      long kept = Math.min(scored, (long) cascade.keep() * segments);
      int small = Math.min(cascade.budget().document(), s.storedVectors);
      return ((double) scored * small + (double) kept * perDoc) * vectorBytes;
    }
    return (double) scored * perDoc * vectorBytes;
  }

  private void print(PrintWriter out, List<Row> rows, double encodeMs) {
    if (json) {
      for (Row row : rows) {
        JsonObject line = new JsonObject();
        line.addProperty("budget_q", row.budget().query());
        line.addProperty("budget_d", row.budget().document());
        line.addProperty("ndcg_at_10", row.ndcg());
        line.addProperty("recall_at_100", row.recall());
        line.addProperty("mrr_at_10", row.mrr());
        line.addProperty("latency_ms_mean", row.meanMs());
        line.addProperty("latency_ms_p99", row.p99Ms());
        line.addProperty("queries", row.queries());
        out.println(line);
      }
      return;
    }
    out.println(table(rows));
    out.printf(Locale.ROOT, "query encoding (not in latency): %.2f ms/query mean%n", encodeMs);
  }

  static String table(List<Row> rows) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "%-10s %-9s %9s %9s %9s %10s %10s %12s %8s%n",
            "system",
            "budget",
            "nDCG@10",
            "R@100",
            "MRR@10",
            "mean ms",
            "p99 ms",
            "KiB read/q",
            "queries"));
    for (Row row : rows) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%-10s %-9s %9.4f %9.4f %9.4f %10.2f %10.2f %12.0f %8d%n",
              row.system(),
              row.budget(),
              row.ndcg(),
              row.recall(),
              row.mrr(),
              row.meanMs(),
              row.p99Ms(),
              row.bytesPerQuery() / 1024,
              row.queries()));
    }
    return sb.toString().stripTrailing();
  }
}
