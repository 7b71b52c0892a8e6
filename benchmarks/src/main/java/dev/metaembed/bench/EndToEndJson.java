package dev.metaembed.bench;

import dev.metaembed.bench.EndToEndResults.IndexStats;
import dev.metaembed.bench.EndToEndResults.QueryStats;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The JSON report: {@code options} (every option as given), {@code machine}, {@code indexing} and
 * {@code queries} (one object per row of the Markdown tables, raw numbers) and {@code targets}.
 * Query objects carry {@code threads} and {@code qpsThreads} only when {@code --threads} N &gt; 1.
 */
final class EndToEndJson {
  private EndToEndJson() {}

  static String json(
      EndToEndOptions options,
      Map<String, String> machine,
      EndToEndResults results,
      Map<String, String> targets) {
    StringBuilder sb = new StringBuilder("{\n  \"options\": {");
    appendMap(sb, options.values);
    sb.append("},\n  \"machine\": {");
    appendMap(sb, machine);
    sb.append("},\n  \"indexing\": [");
    appendList(sb, results.indexing.stream().map(s -> indexing(s, options.docs)).toList());
    sb.append("\n  ],\n  \"queries\": [");
    appendList(sb, results.queries.stream().map(s -> query(s, options.threads)).toList());
    sb.append("\n  ],\n  \"targets\": {");
    appendMap(sb, targets);
    sb.append("}\n}\n");
    return sb.toString();
  }

  private static String indexing(IndexStats s, int docs) {
    return String.format(
        Locale.ROOT,
        "{\"index\": %s, \"storage\": %s, \"segmentsBeforeMerge\": %d, \"indexSeconds\": %.4f, \"forceMergeSeconds\": %.4f, "
            + "\"docsPerSec\": %.2f, \"docsPerSecInclMerge\": %.2f, \"sizeBytes\": %d, \"mvdBytes\": %d}",
        q(s.index()),
        q(s.storage()),
        s.segmentsBeforeMerge(),
        s.indexNanos() / 1e9,
        s.mergeNanos() / 1e9,
        docs / (s.indexNanos() / 1e9),
        docs / ((s.indexNanos() + s.mergeNanos()) / 1e9),
        s.sizeBytes(),
        s.mvdBytes());
  }

  private static String query(QueryStats s, int threads) {
    String concurrent =
        threads > 1
            ? String.format(
                Locale.ROOT, "\"threads\": %d, \"qpsThreads\": %.3f, ", threads, s.qpsThreads())
            : "";
    return String.format(
        Locale.ROOT,
        "{\"index\": %s, \"storage\": %s, \"budget\": %s, \"method\": %s, \"queries\": %d, \"qps\": %.3f, %s"
            + "\"meanMs\": %.4f, \"p50Ms\": %.4f, \"p99Ms\": %.4f, \"recall\": %s}",
        q(s.index()),
        q(s.storage()),
        q(s.budget()),
        q(s.method()),
        s.queries(),
        s.qps(),
        concurrent,
        s.meanMs(),
        s.p50Ms(),
        s.p99Ms(),
        Double.isNaN(s.recall()) ? "null" : String.format(Locale.ROOT, "%.4f", s.recall()));
  }

  private static void appendList(StringBuilder sb, List<String> objects) {
    for (int i = 0; i < objects.size(); i++) {
      sb.append(i == 0 ? "\n    " : ",\n    ").append(objects.get(i));
    }
  }

  private static void appendMap(StringBuilder sb, Map<String, String> map) {
    boolean first = true;
    for (var e : map.entrySet()) {
      sb.append(first ? "\n    " : ",\n    ")
          .append(q(e.getKey()))
          .append(": ")
          .append(q(e.getValue()));
      first = false;
    }
    sb.append(map.isEmpty() ? "" : "\n  ");
  }

  /** {@code s} as a JSON string literal. */
  static String q(String s) {
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
}
