package dev.metaembed.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonSyntaxException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * BEIR-format files: {@code corpus.jsonl} ({@code _id} or {@code id}, {@code title}, {@code
 * text}), {@code queries.jsonl} ({@code _id} or {@code id}, {@code text}) and {@code qrels.tsv}
 * (header, then query-id, corpus-id, score). Errors name the file and line.
 */
final class BeirFiles {
  private BeirFiles() {}

  /** One corpus document. */
  record Document(String id, String title, String text) {}

  /** Streams the corpus to {@code sink}, line by line. */
  static void readCorpus(Path file, Consumer<Document> sink) throws IOException {
    forEachJsonLine(file, (json, line) -> {
      String title = optionalString(json, "title", file, line);
      sink.accept(new Document(id(json, file, line), title == null ? "" : title, requiredString(json, "text", file, line)));
    });
  }

  /** Lines of a file that are not blank. */
  static long countLines(Path file) throws IOException {
    try (var lines = Files.lines(requireFile(file), StandardCharsets.UTF_8)) {
      return lines.filter(l -> l.isBlank() == false).count();
    }
  }

  /** Query id to text, in file order. */
  static Map<String, String> readQueries(Path file) throws IOException {
    Map<String, String> queries = new LinkedHashMap<>();
    forEachJsonLine(file, (json, line) -> queries.put(id(json, file, line), requiredString(json, "text", file, line)));
    return queries;
  }

  /** Query id to (corpus id to relevance), relevance above 0 only. */
  static Map<String, Map<String, Integer>> readQrels(Path file) throws IOException {
    Map<String, Map<String, Integer>> qrels = new HashMap<>();
    List<String> lines = Files.readAllLines(requireFile(file), StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank() || (i == 0 && line.startsWith("query-id"))) {
        continue;
      }
      String[] cols = line.split("\t");
      if (cols.length < 3) {
        throw new UserException(file + " line " + (i + 1) + ": expected query-id<TAB>corpus-id<TAB>score");
      }
      int score;
      try {
        score = Integer.parseInt(cols[2].trim());
      } catch (NumberFormatException e) {
        throw new UserException(file + " line " + (i + 1) + ": score \"" + cols[2] + "\" is not a whole number");
      }
      if (score > 0) {
        qrels.computeIfAbsent(cols[0], k -> new HashMap<>()).put(cols[1], score);
      }
    }
    return qrels;
  }

  private interface LineHandler {
    void accept(JsonObject json, int line) throws IOException;
  }

  private static void forEachJsonLine(Path file, LineHandler handler) throws IOException {
    try (BufferedReader reader = Files.newBufferedReader(requireFile(file), StandardCharsets.UTF_8)) {
      int lineNumber = 0;
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        lineNumber++;
        if (line.isBlank()) {
          continue;
        }
        JsonElement element;
        try {
          element = JsonParser.parseString(line);
        } catch (JsonSyntaxException e) {
          throw new UserException(file + " line " + lineNumber + ": bad JSON (" + rootCause(e) + ")");
        }
        if (element.isJsonObject() == false) {
          throw new UserException(file + " line " + lineNumber + ": expected a JSON object");
        }
        handler.accept(element.getAsJsonObject(), lineNumber);
      }
    }
  }

  private static String rootCause(Throwable e) {
    while (e.getCause() != null) {
      e = e.getCause();
    }
    return e.getMessage();
  }

  private static Path requireFile(Path file) throws NoSuchFileException {
    if (Files.isRegularFile(file) == false) {
      throw new UserException("no such file: " + file);
    }
    return file;
  }

  private static String id(JsonObject json, Path file, int line) {
    String id = optionalString(json, "_id", file, line);
    if (id == null) {
      id = optionalString(json, "id", file, line);
    }
    if (id == null || id.isEmpty()) {
      throw new UserException(file + " line " + line + ": missing \"_id\" or \"id\"");
    }
    return id;
  }

  private static String requiredString(JsonObject json, String key, Path file, int line) {
    String value = optionalString(json, key, file, line);
    if (value == null) {
      throw new UserException(file + " line " + line + ": missing \"" + key + "\"");
    }
    return value;
  }

  private static String optionalString(JsonObject json, String key, Path file, int line) {
    JsonElement value = json.get(key);
    if (value == null || value.isJsonNull()) {
      return null;
    }
    if (value.isJsonPrimitive() == false) {
      throw new UserException(file + " line " + line + ": \"" + key + "\" must be a string");
    }
    return value.getAsString();
  }
}
