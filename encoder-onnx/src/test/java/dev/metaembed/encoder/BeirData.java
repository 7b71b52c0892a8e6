package dev.metaembed.encoder;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A BEIR-format retrieval set (corpus.jsonl, queries.jsonl, qrels.tsv), for tests and studies. */
record BeirData(
    Map<String, String> corpus, Map<String, String> queries, Map<String, Set<String>> qrels) {

  static BeirData read(Path dir) throws IOException {
    Map<String, String> corpus = new LinkedHashMap<>();
    for (String line : Files.readAllLines(dir.resolve("corpus.jsonl"), StandardCharsets.UTF_8)) {
      JsonObject doc = JsonParser.parseString(line).getAsJsonObject();
      String title = doc.has("title") ? doc.get("title").getAsString() : "";
      String text = doc.get("text").getAsString();
      corpus.put(doc.get("id").getAsString(), title.isEmpty() ? text : title + ". " + text);
    }
    Map<String, String> queries = new LinkedHashMap<>();
    for (String line : Files.readAllLines(dir.resolve("queries.jsonl"), StandardCharsets.UTF_8)) {
      JsonObject query = JsonParser.parseString(line).getAsJsonObject();
      queries.put(query.get("id").getAsString(), query.get("text").getAsString());
    }
    Map<String, Set<String>> qrels = new HashMap<>();
    List<String> lines = Files.readAllLines(dir.resolve("qrels.tsv"), StandardCharsets.UTF_8);
    for (String line : lines.subList(1, lines.size())) {
      String[] cols = line.split("\t");
      if (Integer.parseInt(cols[2]) > 0 && corpus.containsKey(cols[1])) {
        qrels.computeIfAbsent(cols[0], k -> new HashSet<>()).add(cols[1]);
      }
    }
    queries.keySet().retainAll(qrels.keySet());
    return new BeirData(corpus, queries, qrels);
  }

  List<String> docIds() {
    return new ArrayList<>(corpus.keySet());
  }

  /** nDCG@10 of a ranking (best first) for one query with binary relevance. */
  double ndcgAt10(String queryId, List<String> ranking) {
    Set<String> relevant = qrels.get(queryId);
    double dcg = 0;
    for (int i = 0; i < Math.min(10, ranking.size()); i++) {
      if (relevant.contains(ranking.get(i))) {
        dcg += 1 / (Math.log(i + 2) / Math.log(2));
      }
    }
    double ideal = 0;
    for (int i = 0; i < Math.min(10, relevant.size()); i++) {
      ideal += 1 / (Math.log(i + 2) / Math.log(2));
    }
    return dcg / ideal;
  }
}
