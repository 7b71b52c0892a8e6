package dev.metaembed.cli;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "search",
    description = "Search an index with a budget (query vectors x document vectors).",
    footer = {
      "",
      "Examples:",
      "  metaembed search --index /tmp/manpages \"list directory contents\"",
      "  metaembed search --index /tmp/manpages --budget 4x8 -k 5 --json \"copy files\""
    })
final class SearchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Option(names = "--index", required = true, description = "index folder")
  Path index;

  @Option(
      names = "--budget",
      converter = Budget.Converter.class,
      description = "QxD, e.g. 4x8 (default: every vector)")
  Budget budget;

  @Option(
      names = "-k",
      defaultValue = "10",
      description = "hits to show (default: ${DEFAULT-VALUE})")
  int k;

  @Option(
      names = "--candidates",
      description = "graph candidates per segment (default: max(100, 10k))")
  Integer candidates;

  @Option(names = "--exact", description = "score every document instead of graph candidates")
  boolean exact;

  @Option(names = "--json", description = "one JSON object per hit")
  boolean json;

  @Option(
      names = "--model",
      description = "model folder or builtin:NAME (default: the one the index was built with)")
  String model;

  @Parameters(index = "0", paramLabel = "QUERY", description = "query text")
  String query;

  @Override
  public Integer call() throws IOException {
    if (k < 1) {
      throw new UserException("-k must be at least 1, got " + k);
    }
    if (query.isBlank()) {
      throw new UserException("the query is empty: give the text to search for");
    }
    PrintWriter out = spec.commandLine().getOut();
    try (Searcher s = new Searcher(index, model, IndexLayout.defaultThreads())) {
      Budget used = budget == null ? s.fullBudget() : budget;
      s.checkBudget(used);
      float[][] vectors = s.encoder.encodeQuery(query);
      TopDocs hits = s.search(vectors, used, k, candidates, exact);
      int rank = 0;
      for (ScoreDoc hit : hits.scoreDocs) {
        rank++;
        String id = s.storedField(hit.doc, IndexLayout.ID);
        String title = s.storedField(hit.doc, IndexLayout.TITLE);
        if (json) {
          JsonObject line = new JsonObject();
          line.addProperty("rank", rank);
          line.addProperty("id", id);
          line.addProperty("title", title);
          line.addProperty("score", hit.score);
          out.println(line);
        } else {
          out.printf(
              Locale.ROOT,
              "%3d  %8.4f  %s%s%n",
              rank,
              hit.score,
              id,
              title.isEmpty() ? "" : "  " + title);
        }
      }
      if (json == false && rank == 0) {
        out.println("no hits");
      }
    }
    return 0;
  }
}
