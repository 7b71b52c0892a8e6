package dev.metaembed.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.metaembed.lucene.codec.MetaEmbedVectorValues;
import dev.metaembed.lucene.search.LateInteractionQuery;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random malformed lines in the files of {@code index}, {@code eval} and {@code search}, against an
 * index of a small slice of samples/manpages: every malformed line makes the command exit 1 with
 * the documented one-line message naming the file and the line (see {@link BeirFiles}), what the
 * documentation accepts (blank lines, CRLF, numbers as ids, unknown query ids in qrels, scores of 0
 * or less, extra fields and columns) is accepted, and after every command the index holds exactly
 * the documents it held before, bit for bit, and still answers a search. An append whose corpus has
 * a malformed line indexes nothing of that file, even the valid documents before the line, with
 * small and large commit intervals. At the end the held-out documents are appended and the index
 * is checked with {@code inspect --check}.
 *
 * <p>Prints its seed; {@code -Dmetaembed.fuzz.seed=S} repeats a run, {@code
 * -Dmetaembed.fuzz.iterations=N} runs N iterations (default 40: 3 to 17 s on 2 cores; 500 iterations take about 21 s).
 */
class CliFuzzTest {
  private static final Path SAMPLES = Path.of("..", "samples", "manpages");
  private static final int BASE_DOCS = 12;
  private static final int NEW_DOCS = 6;

  @TempDir Path work;

  private Random random;
  private Path index;
  private final List<String> baseDocs = new ArrayList<>();
  private final List<String> newDocs = new ArrayList<>();
  private final List<String> queryLines = new ArrayList<>();
  private final List<String> qrelLines = new ArrayList<>();
  private Map<String, float[][]> indexed;
  private final Map<String, Integer> tried = new TreeMap<>();
  private final Map<String, Integer> outcomes = new TreeMap<>();

  /** Per kind, the bad lines a command had to report (the first bad line of a file). */
  private final Map<String, Integer> reported = new TreeMap<>();

  private int files;

  /** What a command printed and returned. */
  record Result(int exit, String out, String err) {}

  /** One line of a generated file, and the error it must cause (null: accepted). */
  record Line(byte[] bytes, String error, String kind) {
    static Line of(String text, String error, String kind) {
      return new Line(text.getBytes(StandardCharsets.UTF_8), error, kind);
    }
  }

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = MetaEmbedCommand.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(exit, out.toString(), err.toString());
  }

  @Test
  void malformedLinesAreRejectedAndTheIndexStaysIntact() throws IOException {
    long seed = Long.getLong("metaembed.fuzz.seed", new Random().nextLong());
    int iterations = Integer.getInteger("metaembed.fuzz.iterations", 40);
    System.out.println(
        "CliFuzzTest seed="
            + seed
            + " iterations="
            + iterations
            + " (repeat with -Dmetaembed.fuzz.seed="
            + seed
            + ")");
    random = new Random(seed);
    long start = System.nanoTime();
    slice();
    index = work.resolve("index");
    Path base = Files.write(work.resolve("base.jsonl"), baseDocs);
    Result first = run("index", "--corpus", base.toString(), "--index", index.toString(), "-q");
    assertEquals(0, first.exit(), first.err());
    indexed = readIndex();
    assertEquals(BASE_DOCS, indexed.size());

    for (int i = 0; i < iterations; i++) {
      int pick = random.nextInt(10);
      String what = pick < 4 ? corpusAppend() : pick < 9 ? eval() : search();
      assertIndexIntact("iteration " + i + " (seed " + seed + "): " + what);
    }

    // the index still takes new documents
    List<String> all = new ArrayList<>(baseDocs);
    all.addAll(newDocs);
    Path full = Files.write(work.resolve("full.jsonl"), all);
    Result appended = run("index", "--corpus", full.toString(), "--index", index.toString(), "-q");
    assertEquals(0, appended.exit(), appended.err());
    assertTrue(
        appended
            .out()
            .contains("indexed " + NEW_DOCS + " new documents (" + BASE_DOCS + " skipped"),
        appended.out());
    assertEquals(BASE_DOCS + NEW_DOCS, readIndex().size());
    Result check = run("inspect", index.toString(), "--check");
    assertEquals(0, check.exit(), check.err());
    assertTrue(check.out().startsWith("CheckIndex: clean"), check.out());

    int total = tried.values().stream().mapToInt(Integer::intValue).sum();
    System.out.printf(
        "CliFuzzTest seed=%d: %d iterations, %d files, %d corrupted or odd lines in %.1f s; commands %s;"
            + " reported bad lines per kind %s; lines written per kind %s%n",
        seed,
        iterations,
        files,
        total,
        (System.nanoTime() - start) / 1e9,
        outcomes,
        reported,
        tried);
  }

  // ---- the three commands ----

  /** index (append) with a corpus of indexed and new documents, some lines corrupted. */
  private String corpusAppend() throws IOException {
    List<Line> lines = new ArrayList<>();
    for (String doc : pickSome(baseDocs, 1, 6)) {
      lines.add(Line.of(doc, null, null));
    }
    boolean reject = random.nextInt(6) != 0;
    if (reject) {
      for (String doc : pickSome(newDocs, 1, 4)) {
        lines.add(random.nextInt(lines.size() + 1), Line.of(doc, null, null));
      }
      List<Integer> positions = new ArrayList<>();
      for (int i = 0; i < lines.size(); i++) {
        positions.add(i);
      }
      java.util.Collections.shuffle(positions, random);
      for (int at : positions.subList(0, 1 + random.nextInt(Math.min(3, positions.size())))) {
        lines.set(at, corruptCorpusLine(new String(lines.get(at).bytes(), StandardCharsets.UTF_8)));
      }
    }
    addHarmlessLines(lines, true);
    Path file = write("corpus", lines);
    String commitEvery = Integer.toString(random.nextBoolean() ? 1 + random.nextInt(3) : 500);
    Result result =
        run(
            "index",
            "--corpus",
            file.toString(),
            "--index",
            index.toString(),
            "-q",
            "--commit-every",
            commitEvery);
    String expected = expectedError(file, lines);
    if (expected == null) {
      assertEquals(0, result.exit(), result.err());
      assertTrue(result.out().contains("indexed 0 new documents"), result.out());
      outcomes.merge("index accepted", 1, Integer::sum);
    } else {
      assertUserError(result, expected, "index --commit-every " + commitEvery);
      outcomes.merge("index rejected", 1, Integer::sum);
    }
    return "index "
        + file.getFileName()
        + (expected == null ? " accepted" : " rejected: " + expected);
  }

  /** eval with corrupted queries and/or qrels. */
  private String eval() throws IOException {
    List<Line> queries = new ArrayList<>();
    for (String line : pickSome(queryLines, 1, queryLines.size())) {
      queries.add(Line.of(line, null, null));
    }
    List<Line> qrels = new ArrayList<>();
    boolean header = random.nextBoolean();
    if (header) {
      qrels.add(Line.of("query-id\tcorpus-id\tscore", null, null));
    }
    for (String line : pickSome(qrelLines, 1, qrelLines.size())) {
      qrels.add(Line.of(line, null, null));
    }
    boolean corruptQueries = random.nextBoolean();
    boolean corruptQrels = corruptQueries == false || random.nextBoolean();
    if (random.nextInt(4) != 0) { // else only harmless changes
      if (corruptQueries) {
        int at = random.nextInt(queries.size());
        queries.set(
            at, corruptQueryLine(new String(queries.get(at).bytes(), StandardCharsets.UTF_8)));
      }
      if (corruptQrels) {
        int first = header ? 1 : 0;
        int at = first + random.nextInt(qrels.size() - first);
        qrels.set(
            at,
            corruptQrelsLine(new String(qrels.get(at).bytes(), StandardCharsets.UTF_8), at > 0));
      }
    }
    addHarmlessLines(queries, true);
    addQrelsOddities(qrels);
    Path queriesFile = write("queries", queries);
    Path qrelsFile = write("qrels", qrels);
    Result result =
        run(
            "eval",
            "--index",
            index.toString(),
            "--queries",
            queriesFile.toString(),
            "--qrels",
            qrelsFile.toString(),
            "--budgets",
            "1x1",
            "-k",
            "10",
            "--json",
            "-q");
    String expected = expectedError(queriesFile, queries);
    if (expected == null) {
      expected = expectedError(qrelsFile, qrels);
    }
    if (expected == null) {
      int judged = judgedQueries(queries, qrels);
      if (judged == 0) {
        assertUserError(
            result,
            "no query in " + queriesFile + " has relevance judgements in " + qrelsFile,
            "eval");
        outcomes.merge("eval rejected: no judged query", 1, Integer::sum);
        return "eval: no judged query";
      }
      assertEquals(0, result.exit(), result.err());
      List<String> rows = result.out().lines().toList();
      assertEquals(1, rows.size(), result.out());
      assertEquals(
          judged,
          JsonParser.parseString(rows.get(0)).getAsJsonObject().get("queries").getAsInt(),
          result.out());
      outcomes.merge("eval accepted", 1, Integer::sum);
      return "eval accepted, " + judged + " judged queries";
    }
    assertUserError(result, expected, "eval");
    outcomes.merge("eval rejected", 1, Integer::sum);
    return "eval rejected: " + expected;
  }

  /** search with an odd or empty query text. */
  private String search() {
    String text =
        JsonParser.parseString(queryLines.get(random.nextInt(queryLines.size())))
            .getAsJsonObject()
            .get("text")
            .getAsString();
    String kind;
    switch (random.nextInt(4)) {
      case 0 -> {
        text = RandomPick.of(random, "", " ", "\t", " \n ");
        kind = "search: blank query";
      }
      case 1 -> {
        text = text.repeat(200);
        kind = "search: very long query";
      }
      case 2 -> {
        text = text + " \u0000\u0007\u202e\uD83D\uDE00 \\\" {";
        kind = "search: control characters and symbols";
      }
      default -> kind = "search: plain query";
    }
    tried.merge(kind, 1, Integer::sum);
    Result result = run("search", "--index", index.toString(), "-k", "3", "--json", text);
    if (text.isBlank()) {
      assertUserError(result, "the query is empty", "search");
      outcomes.merge("search rejected", 1, Integer::sum);
      reported.merge(kind, 1, Integer::sum);
    } else {
      assertEquals(0, result.exit(), result.err());
      assertEquals(3, result.out().lines().count(), result.out());
      outcomes.merge("search accepted", 1, Integer::sum);
    }
    return kind;
  }

  // ---- corruptions: each returns the line and the error it must cause ----

  private Line corruptCorpusLine(String valid) {
    JsonObject json = JsonParser.parseString(valid).getAsJsonObject();
    return switch (random.nextInt(12)) {
      case 0, 9 -> truncated(valid);
      case 1 -> trailingGarbage(valid);
      case 2 -> notAnObject();
      case 3 -> {
        json.remove("id");
        if (random.nextBoolean()) {
          json.addProperty(random.nextBoolean() ? "id" : "_id", "");
        }
        yield Line.of(json.toString(), "missing \"_id\" or \"id\"", "corpus: missing or empty id");
      }
      case 4 -> {
        json.remove("text");
        if (random.nextBoolean()) {
          json.add("text", com.google.gson.JsonNull.INSTANCE);
        }
        yield Line.of(json.toString(), "missing \"text\"", "corpus: missing text");
      }
      case 5 -> {
        String key = RandomPick.of(random, "id", "title", "text");
        json.add(key, random.nextBoolean() ? new JsonArray() : new JsonObject());
        yield Line.of(
            json.toString(),
            "\"" + key + "\" must be a string",
            "corpus: object or array as a string");
      }
      case 6 -> {
        json.addProperty("title", RandomPick.of(random, "", " "));
        json.addProperty("text", RandomPick.of(random, "", "  ", "\t"));
        yield Line.of(
            json.toString(),
            "\"title\" and \"text\" are empty: nothing to encode",
            "corpus: nothing to encode");
      }
      case 7 -> {
        json.addProperty("id", "x".repeat(32767 + random.nextInt(100)));
        yield Line.of(
            json.toString(), "the id is longer than 32766 bytes", "corpus: id over 32766 bytes");
      }
      case 8 -> {
        int depth = 1000 + random.nextInt(100_000);
        json.add("text", JsonParser.parseString("1")); // replaced below
        String line =
            json.toString()
                .replace("\"text\":1", "\"text\":" + "[".repeat(depth) + "]".repeat(depth));
        yield Line.of(line, "bad JSON", "json: deeply nested");
      }
      default -> invalidUtf8(valid, "corpus");
    };
  }

  private Line corruptQueryLine(String valid) {
    JsonObject json = JsonParser.parseString(valid).getAsJsonObject();
    return switch (random.nextInt(9)) {
      case 0 -> truncated(valid);
      case 1 -> trailingGarbage(valid);
      case 2 -> notAnObject();
      case 3 -> {
        json.remove("id");
        yield Line.of(json.toString(), "missing \"_id\" or \"id\"", "queries: missing id");
      }
      case 4 -> {
        json.remove("text");
        yield Line.of(json.toString(), "missing \"text\"", "queries: missing text");
      }
      case 5 -> {
        json.addProperty("text", RandomPick.of(random, "", " ", "\t \t"));
        yield Line.of(json.toString(), "\"text\" is empty", "queries: blank text");
      }
      case 6 -> {
        json.add("id", new JsonArray());
        yield Line.of(json.toString(), "\"id\" must be a string", "queries: array as id");
      }
      default -> invalidUtf8(valid, "queries");
    };
  }

  private Line corruptQrelsLine(String valid, boolean afterLineOne) {
    String[] cols = valid.split("\t");
    return switch (random.nextInt(afterLineOne ? 6 : 5)) {
      case 0 ->
          Line.of(
              String.join(RandomPick.of(random, " ", "  ", ","), cols),
              "expected query-id<TAB>corpus-id<TAB>score",
              "qrels: no tabs");
      case 1 ->
          Line.of(
              cols[0] + "\t" + cols[1],
              "expected query-id<TAB>corpus-id<TAB>score",
              "qrels: two columns");
      case 2 -> {
        String score = RandomPick.of(random, "1.5", "one", "1e3", "0x10", " ", "score", "½");
        yield Line.of(
            cols[0] + "\t" + cols[1] + "\t" + score,
            "score \"" + score + "\" is not a whole number",
            "qrels: score not a whole number");
      }
      case 3 -> {
        String score = (random.nextBoolean() ? "" : "-") + "9".repeat(11 + random.nextInt(30));
        yield Line.of(
            cols[0] + "\t" + cols[1] + "\t" + score,
            "score \"" + score + "\" is out of range",
            "qrels: huge score");
      }
      case 4 -> invalidUtf8(valid, "qrels");
      default ->
          Line.of(
              "query-id\tcorpus-id\tscore",
              "score \"score\" is not a whole number",
              "qrels: header after line 1");
    };
  }

  private Line truncated(String valid) {
    return Line.of(
        valid.substring(0, 1 + random.nextInt(valid.length() - 1)),
        "bad JSON",
        "json: truncated line");
  }

  private Line trailingGarbage(String valid) {
    return Line.of(
        valid + RandomPick.of(random, "}", " x", ",{}", "]", " {\"id\": \"2\"}"),
        "bad JSON",
        "json: text after the object");
  }

  private Line notAnObject() {
    return Line.of(
        RandomPick.of(random, "[1, 2]", "\"text\"", "42", "null", "true", "[]"),
        "expected a JSON object",
        "json: not an object");
  }

  private Line invalidUtf8(String valid, String file) {
    byte[] bytes = valid.getBytes(StandardCharsets.UTF_8);
    byte[][] bad = {
      {(byte) 0xff},
      {(byte) 0xc3, 0x28},
      {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
      {(byte) 0x80},
      {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
      {(byte) 0xe2, (byte) 0x82}
    };
    byte[] insert = bad[random.nextInt(bad.length)];
    int at;
    do {
      at = random.nextInt(bytes.length + 1);
    } while (at < bytes.length && (bytes[at] & 0xc0) == 0x80); // not inside a character
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(bytes, 0, at);
    out.writeBytes(insert);
    out.write(bytes, at, bytes.length - at);
    return new Line(out.toByteArray(), "not valid UTF-8", file + ": invalid UTF-8");
  }

  /** Blank lines, CRLF endings, extra fields, repeated lines: the documentation accepts them. */
  private void addHarmlessLines(List<Line> lines, boolean json) {
    int extras = random.nextInt(3);
    for (int i = 0; i < extras; i++) {
      switch (random.nextInt(json ? 4 : 2)) {
        case 0 ->
            lines.add(
                random.nextInt(lines.size() + 1),
                Line.of(RandomPick.of(random, "", " ", "\t", "  \t "), null, "blank line"));
        case 1 -> {
          int at = random.nextInt(lines.size());
          Line line = lines.get(at);
          byte[] crlf = Arrays.copyOf(line.bytes(), line.bytes().length + 1);
          crlf[crlf.length - 1] = '\r';
          lines.set(
              at,
              new Line(crlf, line.error(), line.kind() == null ? "CRLF line end" : line.kind()));
        }
        case 2 -> {
          int at = random.nextInt(lines.size());
          Line line = lines.get(at);
          if (line.error() == null && line.kind() == null) {
            JsonObject object =
                JsonParser.parseString(new String(line.bytes(), StandardCharsets.UTF_8))
                    .getAsJsonObject();
            object.addProperty("metadata", random.nextInt());
            object.add("extra", new JsonArray());
            lines.set(at, Line.of(object.toString(), null, "extra fields"));
          }
        }
        default -> {
          Line line = lines.get(random.nextInt(lines.size()));
          if (line.error() == null) {
            lines.add(
                random.nextInt(lines.size() + 1), new Line(line.bytes(), null, "repeated line"));
          }
        }
      }
    }
  }

  /** Qrels the documentation accepts: unknown ids, scores of 0 or less, extra columns, blank lines. */
  private void addQrelsOddities(List<Line> qrels) {
    int extras = random.nextInt(4);
    for (int i = 0; i < extras; i++) {
      String[] cols = qrelLines.get(random.nextInt(qrelLines.size())).split("\t");
      Line line =
          switch (random.nextInt(6)) {
            case 0 ->
                Line.of(
                    "qnone" + random.nextInt(1000) + "\t" + cols[1] + "\t1",
                    null,
                    "qrels: unknown query id");
            case 1 ->
                Line.of(
                    cols[0]
                        + "\tnot-in-corpus-"
                        + random.nextInt(1000)
                        + "\t"
                        + (1 + random.nextInt(3)),
                    null,
                    "qrels: unknown corpus id");
            case 2 ->
                Line.of(
                    cols[0] + "\t" + cols[1] + "\t" + RandomPick.of(random, "0", "-1", " 0 "),
                    null,
                    "qrels: score 0 or less");
            case 3 ->
                Line.of(
                    cols[0] + "\t" + cols[1] + "\t" + cols[2] + "\textra\tcolumns",
                    null,
                    "qrels: extra columns");
            case 4 -> Line.of(String.join("\t", cols) + "\r", null, "CRLF line end");
            default -> Line.of(RandomPick.of(random, "", " ", "\t"), null, "blank line");
          };
      qrels.add(1 + random.nextInt(qrels.size()), line);
    }
  }

  // ---- expectations ----

  /**
   * The documented message for the first bad line of a file, or null when every line is accepted;
   * counts the first bad line's kind as the one the command must report.
   */
  private String expectedError(Path file, List<Line> lines) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).error() != null) {
        reported.merge(lines.get(i).kind(), 1, Integer::sum);
        return file + " line " + (i + 1) + ": " + lines.get(i).error();
      }
    }
    return null;
  }

  /** Queries of the file that have a judgement above 0, as eval counts them (last line of an id wins). */
  private static int judgedQueries(List<Line> queries, List<Line> qrels) {
    Set<String> ids = new HashSet<>();
    for (Line line : queries) {
      String text = new String(line.bytes(), StandardCharsets.UTF_8);
      if (text.isBlank() == false) {
        ids.add(JsonParser.parseString(text).getAsJsonObject().get("id").getAsString());
      }
    }
    Set<String> judged = new HashSet<>();
    for (int i = 0; i < qrels.size(); i++) {
      String text = new String(qrels.get(i).bytes(), StandardCharsets.UTF_8).strip();
      String[] cols = text.split("\t");
      if (text.isEmpty() || (i == 0 && text.startsWith("query-id"))) {
        continue;
      }
      if (Integer.parseInt(cols[2].trim()) > 0) {
        judged.add(cols[0]);
      }
    }
    ids.retainAll(judged);
    return ids.size();
  }

  private void assertUserError(Result result, String message, String command) {
    assertEquals(1, result.exit(), command + ": " + result.err() + " (expected: " + message + ")");
    assertTrue(result.err().startsWith("metaembed: "), result.err());
    assertTrue(
        result.err().contains(message),
        command + ": expected \"" + message + "\", got: " + result.err());
    assertFalse(result.err().contains("\tat "), "no stack trace: " + result.err());
    assertEquals(1, result.err().lines().count(), "one line: " + result.err());
  }

  /** The index holds exactly the documents it held, bit for bit, and a search finds a document by its own vectors. */
  private void assertIndexIntact(String after) throws IOException {
    Map<String, float[][]> now = readIndex();
    assertEquals(indexed.keySet(), now.keySet(), after);
    for (var entry : indexed.entrySet()) {
      float[][] want = entry.getValue();
      float[][] got = now.get(entry.getKey());
      assertEquals(want.length, got.length, after);
      for (int i = 0; i < want.length; i++) {
        assertArrayEquals(want[i], got[i], after + ": " + entry.getKey() + " vector " + i);
      }
    }
    String id = List.copyOf(indexed.keySet()).get(random.nextInt(indexed.size()));
    float[][] query = Arrays.copyOf(indexed.get(id), Math.min(8, indexed.get(id).length));
    try (Directory dir = FSDirectory.open(index);
        DirectoryReader reader = DirectoryReader.open(dir)) {
      IndexSearcher searcher = new IndexSearcher(reader);
      TopDocs hits =
          searcher.search(
              LateInteractionQuery.builder(IndexLayout.VECTORS, query).k(1).exact().build(), 1);
      assertEquals(1, hits.scoreDocs.length, after);
      assertEquals(
          id, searcher.storedFields().document(hits.scoreDocs[0].doc).get(IndexLayout.ID), after);
    }
  }

  private Map<String, float[][]> readIndex() throws IOException {
    Map<String, float[][]> docs = new HashMap<>();
    try (Directory dir = FSDirectory.open(index);
        DirectoryReader reader = DirectoryReader.open(dir)) {
      for (LeafReaderContext leaf : reader.leaves()) {
        MetaEmbedVectorValues values =
            MetaEmbedVectorValues.get(leaf.reader(), IndexLayout.VECTORS);
        StoredFields stored = leaf.reader().storedFields();
        for (int doc = 0; doc < leaf.reader().maxDoc(); doc++) {
          if (leaf.reader().getLiveDocs() != null
              && leaf.reader().getLiveDocs().get(doc) == false) {
            continue;
          }
          assertTrue(values.advanceExact(doc));
          String id = stored.document(doc).get(IndexLayout.ID);
          if (docs.put(id, values.vectors(values.maxVectors())) != null) {
            fail("document " + id + " is in the index twice");
          }
        }
      }
    }
    return docs;
  }

  // ---- files ----

  /** The first documents of samples/manpages, their judged queries and qrels. */
  private void slice() throws IOException {
    List<String> docs =
        Files.readAllLines(SAMPLES.resolve("corpus.jsonl")).subList(0, BASE_DOCS + NEW_DOCS);
    baseDocs.addAll(docs.subList(0, BASE_DOCS));
    newDocs.addAll(docs.subList(BASE_DOCS, docs.size()));
    Set<String> ids = new HashSet<>();
    for (String line : baseDocs) {
      ids.add(JsonParser.parseString(line).getAsJsonObject().get("id").getAsString());
    }
    Map<String, String> queryById = new LinkedHashMap<>();
    for (String line : Files.readAllLines(SAMPLES.resolve("queries.jsonl"))) {
      queryById.put(JsonParser.parseString(line).getAsJsonObject().get("id").getAsString(), line);
    }
    List<String> qrels = Files.readAllLines(SAMPLES.resolve("qrels.tsv"));
    for (String line : qrels.subList(1, qrels.size())) {
      String[] cols = line.split("\t");
      if (ids.contains(cols[1])) {
        qrelLines.add(line);
        if (queryLines.contains(queryById.get(cols[0])) == false) {
          queryLines.add(queryById.get(cols[0]));
        }
      }
    }
    assertTrue(queryLines.size() >= 3, "judged queries in the slice: " + queryLines.size());
  }

  private Path write(String name, List<Line> lines) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Line line : lines) {
      out.writeBytes(line.bytes());
      out.write('\n');
      if (line.kind() != null) {
        tried.merge(line.kind(), 1, Integer::sum);
      }
    }
    files++;
    return Files.write(
        work.resolve(name + "-" + files + (name.equals("qrels") ? ".tsv" : ".jsonl")),
        out.toByteArray());
  }

  private List<String> pickSome(List<String> from, int min, int max) {
    List<String> copy = new ArrayList<>(from);
    java.util.Collections.shuffle(copy, random);
    return copy.subList(0, min + random.nextInt(Math.min(max, copy.size()) - min + 1));
  }

  private static final class RandomPick {
    @SafeVarargs
    static <T> T of(Random random, T... values) {
      return values[random.nextInt(values.length)];
    }
  }
}
