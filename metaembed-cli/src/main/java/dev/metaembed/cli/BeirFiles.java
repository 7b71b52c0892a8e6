package dev.metaembed.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.util.ArrayUtil;

/**
 * BEIR-format files: {@code corpus.jsonl} ({@code _id} or {@code id}, {@code title}, {@code
 * text}), {@code queries.jsonl} ({@code _id} or {@code id}, {@code text}) and {@code qrels.tsv}
 * (header, then query-id, corpus-id, score). Files are UTF-8; blank lines are skipped; a JSON
 * number or boolean where a string is expected is taken as its text. Every other problem is a
 * {@link UserException} naming the file and the line: bad UTF-8, bad JSON, not an object, a
 * missing or empty id, a missing "text", a value that is an object or array, a corpus line with
 * nothing to encode (title and text both blank), an id longer than Lucene's 32766-byte term limit,
 * a blank query text, a qrels line without three tab-separated columns or whose score is not a
 * whole number in the int range.
 */
final class BeirFiles {
  private BeirFiles() {}

  /** One corpus document. */
  record Document(String id, String title, String text) {
    /** What the encoder reads: {@code "title. text"}, or the text alone without a title. */
    String encoderText() {
      return title.isEmpty() ? text : title + ". " + text;
    }
  }

  /** Streams the corpus to {@code sink}, line by line. */
  static void readCorpus(Path file, Consumer<Document> sink) throws IOException {
    forEachJsonLine(
        file,
        (json, line) -> {
          String id = id(json, file, line);
          if (id.getBytes(StandardCharsets.UTF_8).length > IndexWriter.MAX_TERM_LENGTH) {
            throw new UserException(
                file
                    + " line "
                    + line
                    + ": the id is longer than "
                    + IndexWriter.MAX_TERM_LENGTH
                    + " bytes");
          }
          String title = optionalString(json, "title", file, line);
          String text = requiredString(json, "text", file, line);
          if (text.isBlank() && (title == null || title.isBlank())) {
            throw new UserException(
                file + " line " + line + ": \"title\" and \"text\" are empty: nothing to encode");
          }
          sink.accept(new Document(id, title == null ? "" : title, text));
        });
  }

  /**
   * Reads the whole corpus and returns its number of documents: a malformed line fails here,
   * before anything is indexed.
   */
  static long checkCorpus(Path file) throws IOException {
    long[] count = {0};
    readCorpus(file, doc -> count[0]++);
    return count[0];
  }

  /**
   * Plain text, one input per line: line number (from 1) to text, in file order; blank lines are
   * skipped, bytes that are not UTF-8 are a user error naming the line.
   */
  static Map<String, String> readTextLines(Path file) throws IOException {
    Map<String, String> lines = new LinkedHashMap<>();
    forEachLine(
        file,
        (line, number) -> {
          if (line.isBlank() == false) {
            lines.put(Integer.toString(number), line);
          }
        });
    return lines;
  }

  /** Query id to text, in file order. */
  static Map<String, String> readQueries(Path file) throws IOException {
    Map<String, String> queries = new LinkedHashMap<>();
    forEachJsonLine(
        file,
        (json, line) -> {
          String text = requiredString(json, "text", file, line);
          if (text.isBlank()) {
            throw new UserException(file + " line " + line + ": \"text\" is empty");
          }
          queries.put(id(json, file, line), text);
        });
    return queries;
  }

  /** Query id to (corpus id to relevance), relevance above 0 only. */
  static Map<String, Map<String, Integer>> readQrels(Path file) throws IOException {
    Map<String, Map<String, Integer>> qrels = new HashMap<>();
    forEachLine(
        file,
        (line, number) -> {
          if (line.isBlank() || (number == 1 && line.startsWith("query-id"))) {
            return;
          }
          String[] cols = line.split("\t");
          if (cols.length < 3) {
            throw new UserException(
                file + " line " + number + ": expected query-id<TAB>corpus-id<TAB>score");
          }
          String value = cols[2].trim();
          int score;
          try {
            score = Integer.parseInt(value);
          } catch (NumberFormatException e) {
            String problem =
                value.matches("[+-]?[0-9]+") ? "is out of range" : "is not a whole number";
            throw new UserException(
                file + " line " + number + ": score \"" + cols[2] + "\" " + problem);
          }
          if (score > 0) {
            qrels.computeIfAbsent(cols[0], k -> new HashMap<>()).put(cols[1], score);
          }
        });
    return qrels;
  }

  private interface LineHandler {
    void accept(JsonObject json, int line) throws IOException;
  }

  private static void forEachJsonLine(Path file, LineHandler handler) throws IOException {
    forEachLine(
        file,
        (line, lineNumber) -> {
          if (line.isBlank()) {
            return;
          }
          JsonElement element;
          try {
            element = JsonParser.parseString(line);
          } catch (JsonParseException e) {
            throw new UserException(
                file + " line " + lineNumber + ": bad JSON (" + rootCause(e) + ")");
          }
          if (element.isJsonObject() == false) {
            throw new UserException(file + " line " + lineNumber + ": expected a JSON object");
          }
          handler.accept(element.getAsJsonObject(), lineNumber);
        });
  }

  private interface TextLineHandler {
    void accept(String line, int lineNumber) throws IOException;
  }

  /**
   * Each line of a UTF-8 file with its number (lines end at \n; a \r before it is dropped). Bytes
   * that are not UTF-8 are a user error naming the line: a {@code Reader} decodes ahead, so would
   * report them on an earlier line, or as an internal error.
   */
  private static void forEachLine(Path file, TextLineHandler handler) throws IOException {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder(); // reports malformed input
    try (InputStream in = Files.newInputStream(requireFile(file))) {
      byte[] buffer = new byte[1 << 16];
      byte[] line = new byte[256];
      int length = 0;
      int lineNumber = 0;
      for (int n = in.read(buffer); n != -1; n = in.read(buffer)) {
        for (int i = 0; i < n; i++) {
          if (buffer[i] == '\n') {
            handler.accept(decode(decoder, line, length, file, ++lineNumber), lineNumber);
            length = 0;
          } else {
            line = ArrayUtil.grow(line, length + 1);
            line[length++] = buffer[i];
          }
        }
      }
      if (length > 0) {
        handler.accept(decode(decoder, line, length, file, ++lineNumber), lineNumber);
      }
    }
  }

  private static String decode(
      CharsetDecoder decoder, byte[] bytes, int length, Path file, int lineNumber) {
    if (length > 0 && bytes[length - 1] == '\r') {
      length--;
    }
    try {
      return decoder.reset().decode(ByteBuffer.wrap(bytes, 0, length)).toString();
    } catch (CharacterCodingException e) {
      throw new UserException(file + " line " + lineNumber + ": not valid UTF-8");
    }
  }

  /** Gson's message, on one line and without its advice to programmers. */
  private static String rootCause(Throwable e) {
    while (e.getCause() != null) {
      e = e.getCause();
    }
    String message = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
    return message.replace(
        "Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON",
        "malformed JSON");
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
