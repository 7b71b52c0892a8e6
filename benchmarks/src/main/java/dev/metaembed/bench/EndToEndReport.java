package dev.metaembed.bench;

import dev.metaembed.bench.EndToEndResults.IndexStats;
import dev.metaembed.bench.EndToEndResults.QueryStats;
import java.util.Locale;
import java.util.Map;

/**
 * The Markdown report: settings (machine, data, queries), indexing table, queries table (with a
 * "QPS (N threads)" column only when {@code --threads} N &gt; 1) and targets table.
 */
final class EndToEndReport {
  private final EndToEndOptions options;
  private final ClusteredCorpus corpus;
  private final Map<String, String> machine;
  private final EndToEndResults results;
  private final StringBuilder sb = new StringBuilder();

  private EndToEndReport(
      EndToEndOptions options,
      ClusteredCorpus corpus,
      Map<String, String> machine,
      EndToEndResults results) {
    this.options = options;
    this.corpus = corpus;
    this.machine = machine;
    this.results = results;
  }

  static String markdown(
      EndToEndOptions options,
      ClusteredCorpus corpus,
      Map<String, String> machine,
      EndToEndResults results,
      Map<String, String> targets) {
    EndToEndReport report = new EndToEndReport(options, corpus, machine, results);
    report.settings();
    report.indexing();
    report.queries();
    report.sb.append("\n## Targets\n\n| ratio | value |\n|---|---:|\n");
    targets.forEach(
        (key, v) -> report.sb.append("| ").append(key).append(" | ").append(v).append(" |\n"));
    return report.sb.toString();
  }

  private void settings() {
    sb.append("# MetaEmbed end-to-end benchmark\n\n");
    sb.append("| setting | value |\n|---|---|\n");
    machine.forEach(
        (key, v) ->
            sb.append("| ").append(key).append(" | ").append(v.replace("|", "\\|")).append(" |\n"));
    sb.append(
        String.format(
            Locale.ROOT,
            "| data | %d docs × %d vectors × %d dims, %d clusters, noise topic/detail/jitter/query %s/%s/%s/%s, seed %d |\n",
            options.docs,
            options.vectors,
            options.dim,
            corpus.clusters,
            corpus.topicNoise,
            corpus.detailNoise,
            corpus.jitter,
            corpus.queryNoise,
            corpus.seed));
    sb.append(
        String.format(
            Locale.ROOT,
            "| queries | %d timed (%d query vectors), %d warm-up, k=%d, candidates=%d, single-threaded searcher%s |\n",
            options.queries,
            options.queryVectors,
            options.warmup,
            options.k,
            options.candidates,
            threaded()
                ? "; throughput also with " + options.threads + " concurrent query threads"
                : ""));
  }

  private void indexing() {
    sb.append("\n## Indexing (forceMerge(1) timed separately; data generation excluded)\n\n");
    sb.append(
        "| index | storage | segments before merge | docs/s (indexing) | docs/s (incl. forceMerge) | forceMerge s | size MB | .mvd MB | .mvd / float32 .mvd |\n");
    sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    long f32mvd = results.float32Mvd();
    int docs = options.docs;
    for (IndexStats s : results.indexing) {
      boolean ours = s.index().equals(EndToEndResults.METAEMBED);
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %d | %.0f | %.0f | %.2f | %.1f | %s | %s |\n",
              s.index(),
              s.storage(),
              s.segmentsBeforeMerge(),
              docs / (s.indexNanos() / 1e9),
              docs / ((s.indexNanos() + s.mergeNanos()) / 1e9),
              s.mergeNanos() / 1e9,
              s.sizeBytes() / 1e6,
              ours ? String.format(Locale.ROOT, "%.1f", s.mvdBytes() / 1e6) : "-",
              ours && f32mvd > 0
                  ? String.format(Locale.ROOT, "%.3f", s.mvdBytes() / (double) f32mvd)
                  : "-"));
    }
  }

  private void queries() {
    int k = options.k;
    String threadsHead = threaded() ? " QPS (" + options.threads + " threads) |" : "";
    sb.append("\n## Queries (recall@")
        .append(k)
        .append(" vs exact MaxSim on ")
        .append(options.truth.attributeValue())
        .append(" at the same budget)\n\n");
    sb.append("| index | storage | budget (rq×rc) | method | QPS |")
        .append(threadsHead)
        .append(" mean ms | p50 ms | p99 ms | recall@")
        .append(k)
        .append(" |\n");
    sb.append("|---|---|---|---|---:|")
        .append(threaded() ? "---:|" : "")
        .append("---:|---:|---:|---:|\n");
    for (QueryStats s : results.queries) {
      String threadsCell = threaded() ? String.format(Locale.ROOT, " %.1f |", s.qpsThreads()) : "";
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %s | %.1f |%s %.3f | %.3f | %.3f | %s |\n",
              s.index(),
              s.storage(),
              s.budget(),
              s.method(),
              s.qps(),
              threadsCell,
              s.meanMs(),
              s.p50Ms(),
              s.p99Ms(),
              s.method().equals(EndToEndConfigs.EXACT) && s.storage().equals("float32")
                  ? "(truth)"
                  : EndToEndResults.formatRecall(s.recall())));
    }
  }

  private boolean threaded() {
    return options.threads > 1;
  }
}
