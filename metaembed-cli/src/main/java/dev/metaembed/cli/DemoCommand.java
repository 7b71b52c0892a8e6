package dev.metaembed.cli;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Test-time scaling on real text: indexes the repository's man pages sample with the default
 * encoder, shows example queries at three budgets, and ends with quality and latency per budget.
 */
@Command(
    name = "demo",
    description =
        "Index samples/manpages, search it at budgets 1x1, 4x8 and 16x64, and evaluate every budget.",
    footer = {"", "Example:", "  metaembed demo"})
final class DemoCommand implements Callable<Integer> {
  /** In the samples folder: the ids of the queries held out from training the default model. */
  static final String HELD_OUT_IDS = "heldout-query-ids.txt";

  private static final List<Budget> SHOWN =
      List.of(new Budget(1, 1), new Budget(4, 8), new Budget(16, 64));

  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Option(
      names = "--samples",
      defaultValue = "samples/manpages",
      description = "BEIR folder to use (default: ${DEFAULT-VALUE})")
  Path samples;

  @Option(
      names = "--examples",
      defaultValue = "3",
      description = "example queries to show (default: ${DEFAULT-VALUE})")
  int examples;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path corpus = samples.resolve("corpus.jsonl");
    if (Files.isRegularFile(corpus) == false) {
      throw new UserException(
          "no " + corpus + ": run the demo from the repository root, or pass --samples");
    }
    Path index = Files.createTempDirectory("metaembed-demo-");
    try {
      out.printf(
          Locale.ROOT,
          "== Indexing %d man pages from %s with the default encoder (MetaEmbed meta tokens trained on all-MiniLM-L6-v2: 16 query, 64 page vectors)%n",
          BeirFiles.checkCorpus(corpus),
          samples);
      out.flush();
      require(
          MetaEmbedCommand.run(
              new String[] {
                "index", "--corpus", corpus.toString(), "--index", index.toString(), "-q"
              },
              out,
              err));
      Path queries = heldOutQueries(index);
      showExamples(out, index, queries);
      out.println();
      boolean heldOut = queries.equals(samples.resolve("queries.jsonl")) == false;
      out.println(
          "== Quality and latency per budget on the sample's "
              + BeirFiles.readQueries(queries).size()
              + (heldOut
                  ? " held-out queries (never seen in training the default model; k=100)"
                  : " queries (k=100)"));
      out.flush();
      List<EvalCommand.Row> rows =
          EvalCommand.run(
              out,
              "--index",
              index.toString(),
              "--queries",
              queries.toString(),
              "--qrels",
              samples.resolve("qrels.tsv").toString(),
              "-q");
      out.println();
      summary(rows, heldOut).lines().forEach(out::println);
      out.println(
          "(1,1) is single-vector search on vector 0; larger budgets read more of each candidate's vectors.");
      out.println("Index your own corpus with 'metaembed index'.");
    } finally {
      deleteRecursively(index);
      Files.deleteIfExists(heldOutQueriesFile(index));
    }
    return 0;
  }

  /**
   * The sample's queries of the held-out split (heldout-query-ids.txt), written next to the index;
   * all of the sample's queries when the samples folder has no such list.
   */
  private Path heldOutQueries(Path index) throws IOException {
    Path ids = samples.resolve(HELD_OUT_IDS);
    Path all = samples.resolve("queries.jsonl");
    if (Files.isRegularFile(ids) == false) {
      return all;
    }
    Set<String> heldOut = Set.copyOf(Files.readAllLines(ids, StandardCharsets.UTF_8));
    Path file = heldOutQueriesFile(index);
    List<String> lines = new ArrayList<>();
    for (Map.Entry<String, String> query : BeirFiles.readQueries(all).entrySet()) {
      if (heldOut.contains(query.getKey())) {
        JsonObject line = new JsonObject();
        line.addProperty("id", query.getKey());
        line.addProperty("text", query.getValue());
        lines.add(line.toString());
      }
    }
    return Files.write(file, lines, StandardCharsets.UTF_8);
  }

  private static Path heldOutQueriesFile(Path index) {
    return index.resolveSibling(index.getFileName() + "-heldout-queries.jsonl");
  }

  private void showExamples(PrintWriter out, Path index, Path queryFile) throws IOException {
    Map<String, String> queries = BeirFiles.readQueries(queryFile);
    Map<String, Map<String, Integer>> qrels = BeirFiles.readQrels(samples.resolve("qrels.tsv"));
    List<String> ids =
        new ArrayList<>(queries.keySet()).subList(0, Math.min(examples, queries.size()));
    try (Searcher s = new Searcher(index, null, IndexLayout.defaultThreads())) {
      for (String id : ids) {
        out.printf(
            Locale.ROOT,
            "%n== Query \"%s\"   (relevant: %s)%n",
            queries.get(id),
            qrels.getOrDefault(id, Map.of()).keySet());
        float[][] vectors = s.encoder.encodeQuery(queries.get(id));
        for (Budget budget : SHOWN) {
          TopDocs hits = s.search(vectors, budget, 3, null, false);
          StringBuilder line =
              new StringBuilder(String.format(Locale.ROOT, "  budget %-8s", budget));
          for (ScoreDoc hit : hits.scoreDocs) {
            String doc = s.storedField(hit.doc, IndexLayout.ID);
            boolean relevant = qrels.getOrDefault(id, Map.of()).containsKey(doc);
            line.append(
                String.format(Locale.ROOT, "  %s%s (%.3f)", relevant ? "*" : "", doc, hit.score));
          }
          out.println(line);
        }
      }
      out.println("  (* = relevant)");
    }
  }

  /**
   * What the eval just measured, in words: nDCG@10 and mean latency from the first budget to the
   * last (the cheapest and the most expensive of the demo), and the budget with the best nDCG@10
   * (all of them on a tie).
   * Numbers are the table's (4 decimals for nDCG@10, 2 for milliseconds); nDCG@10 "goes from" a
   * lower to a higher value, "falls from" a higher to a lower one and "stays at" the first when the
   * two, as printed, differ by less than 0.0005. Only rows of system {@code metaembed} count.
   */
  static String summary(List<EvalCommand.Row> allRows, boolean heldOut) {
    List<EvalCommand.Row> rows =
        allRows.stream().filter(r -> r.system().equals("metaembed")).toList();
    if (rows.isEmpty()) {
      return "No budget was evaluated.";
    }
    EvalCommand.Row first = rows.get(0);
    EvalCommand.Row last = rows.get(rows.size() - 1);
    String on =
        String.format(
            Locale.ROOT,
            "On these %d %s, ",
            first.queries(),
            heldOut ? "held-out queries" : "queries");
    if (rows.size() == 1) {
      return on
          + String.format(
              Locale.ROOT,
              "nDCG@10 at %s is %.4f. Mean latency is %.2f ms.",
              first.budget(),
              first.ndcg(),
              first.meanMs());
    }
    double from = round4(first.ndcg());
    double to = round4(last.ndcg());
    long tenThousandths =
        Math.round(to * 10_000) - Math.round(from * 10_000); // exact: both have 4 decimals
    double change = tenThousandths / 10_000.0;
    String ndcg;
    if (Math.abs(tenThousandths) < 5) {
      ndcg =
          String.format(
              Locale.ROOT,
              "nDCG@10 stays at %.4f from %s to %s (%+.4f)",
              from,
              first.budget(),
              last.budget(),
              change);
    } else {
      ndcg =
          String.format(
              Locale.ROOT,
              "nDCG@10 %s from %.4f at %s to %.4f at %s (%+.4f)",
              change > 0 ? "goes" : "falls",
              from,
              first.budget(),
              to,
              last.budget(),
              change);
    }
    double bestNdcg = rows.stream().mapToDouble(r -> round4(r.ndcg())).max().orElseThrow();
    List<String> best =
        rows.stream()
            .filter(r -> round4(r.ndcg()) == bestNdcg)
            .map(r -> r.budget().toString())
            .toList();
    String bestText;
    if (best.size() == 1) {
      bestText = String.format(Locale.ROOT, "the best budget is %s (%.4f)", best.get(0), bestNdcg);
    } else if (best.size() == rows.size()) {
      bestText = String.format(Locale.ROOT, "every budget scores %.4f", bestNdcg);
    } else {
      bestText =
          String.format(
              Locale.ROOT,
              "the best budgets are %s and %s (%.4f each)",
              String.join(", ", best.subList(0, best.size() - 1)),
              best.get(best.size() - 1),
              bestNdcg);
    }
    String latency =
        String.format(
            Locale.ROOT,
            "Mean latency goes from %.2f ms at %s to %.2f ms at %s",
            first.meanMs(),
            first.budget(),
            last.meanMs(),
            last.budget());
    if (first.meanMs() > 0) {
      latency += String.format(Locale.ROOT, " (%.1fx)", last.meanMs() / first.meanMs());
    }
    return on + ndcg + "; " + bestText + ".\n" + latency + ".";
  }

  /** The value as the eval table prints it. */
  private static double round4(double value) {
    return Double.parseDouble(String.format(Locale.ROOT, "%.4f", value));
  }

  private static void require(int exitCode) {
    if (exitCode != 0) {
      throw new UserException("the demo stopped: a step failed (exit code " + exitCode + ")");
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
