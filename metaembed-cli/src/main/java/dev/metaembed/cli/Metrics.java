package dev.metaembed.cli;

import java.util.List;
import java.util.Map;

/** Retrieval metrics of one ranking against graded qrels (relevance above 0). */
final class Metrics {
  private Metrics() {}

  static double ndcgAt10(List<String> ranking, Map<String, Integer> relevant) {
    double dcg = 0;
    for (int i = 0; i < Math.min(10, ranking.size()); i++) {
      int gain = relevant.getOrDefault(ranking.get(i), 0);
      dcg += (Math.pow(2, gain) - 1) / log2(i + 2);
    }
    double ideal = 0;
    List<Integer> gains = relevant.values().stream().sorted((a, b) -> b - a).toList();
    for (int i = 0; i < Math.min(10, gains.size()); i++) {
      ideal += (Math.pow(2, gains.get(i)) - 1) / log2(i + 2);
    }
    return ideal == 0 ? 0 : dcg / ideal;
  }

  static double recallAt100(List<String> ranking, Map<String, Integer> relevant) {
    long found = ranking.stream().limit(100).filter(relevant::containsKey).count();
    return relevant.isEmpty() ? 0 : found / (double) relevant.size();
  }

  static double mrrAt10(List<String> ranking, Map<String, Integer> relevant) {
    for (int i = 0; i < Math.min(10, ranking.size()); i++) {
      if (relevant.containsKey(ranking.get(i))) {
        return 1.0 / (i + 1);
      }
    }
    return 0;
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }
}
