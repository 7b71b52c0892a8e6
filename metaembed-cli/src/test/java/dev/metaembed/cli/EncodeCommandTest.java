package dev.metaembed.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.metaembed.encoder.MetaEmbedEncoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code metaembed encode}: the vectors it writes are exactly the default model's for the same
 * text (documents as {@code title. text}, queries as they are), in every output form; bad input
 * fails before anything is written.
 */
class EncodeCommandTest {
  private static final Path SAMPLES = Path.of("..", "samples", "manpages");
  @TempDir static Path work;
  private static Path corpus;
  private static List<JsonObject> docs;

  @BeforeAll
  static void slice() throws IOException {
    List<String> lines = Files.readAllLines(SAMPLES.resolve("corpus.jsonl")).subList(0, 5);
    docs = lines.stream().map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
    corpus = Files.write(work.resolve("corpus.jsonl"), lines);
  }

  @Test
  void documentsAreTheModelsVectors() throws IOException {
    Path out = work.resolve("docs.jsonl");
    CliTest.Result result =
        CliTest.run("encode", "--input", corpus.toString(), "--output", out.toString(), "-q");
    assertEquals(0, result.exit(), result.err());
    List<JsonObject> lines = parse(out);
    assertEquals(docs.size(), lines.size());
    List<String> texts = new ArrayList<>();
    for (JsonObject doc : docs) {
      String title = doc.has("title") ? doc.get("title").getAsString() : "";
      String text = doc.get("text").getAsString();
      texts.add(title.isEmpty() ? text : title + ". " + text);
    }
    try (MetaEmbedEncoder encoder = MetaEmbedEncoder.loadDefault()) {
      List<float[][]> expected = encoder.encodeDocuments(texts);
      for (int d = 0; d < docs.size(); d++) {
        assertEquals(docs.get(d).get("id").getAsString(), lines.get(d).get("id").getAsString());
        assertVectors(expected.get(d), lines.get(d).getAsJsonArray("vectors"), 64);
      }
    }
  }

  @Test
  void queriesTextLinesAndAPrefixOfVectors() throws IOException {
    Path queries =
        Files.write(
            work.resolve("queries.jsonl"),
            Files.readAllLines(SAMPLES.resolve("queries.jsonl")).subList(0, 2));
    CliTest.Result result =
        CliTest.run(
            "encode", "--input", queries.toString(), "--queries", "--max-vectors", "4", "-q");
    assertEquals(0, result.exit(), result.err());
    List<JsonObject> lines =
        result.out().lines().map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
    assertEquals(2, lines.size());
    Path text =
        Files.writeString(work.resolve("lines.txt"), "list directory contents\n\nfind files\n");
    CliTest.Result plain =
        CliTest.run("encode", "--input", text.toString(), "--text", "--queries", "-q");
    assertEquals(0, plain.exit(), plain.err());
    List<JsonObject> plainLines =
        plain.out().lines().map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
    assertEquals(
        List.of("1", "3"), plainLines.stream().map(o -> o.get("id").getAsString()).toList());
    try (MetaEmbedEncoder encoder = MetaEmbedEncoder.loadDefault()) {
      for (int q = 0; q < 2; q++) {
        String queryText =
            JsonParser.parseString(Files.readAllLines(queries).get(q))
                .getAsJsonObject()
                .get("text")
                .getAsString();
        assertVectors(encoder.encodeQuery(queryText), lines.get(q).getAsJsonArray("vectors"), 4);
      }
      assertVectors(
          encoder.encodeQuery("find files"), plainLines.get(1).getAsJsonArray("vectors"), 16);
    }
  }

  @Test
  void bulkBodiesForOpenSearch() throws IOException {
    CliTest.Result result =
        CliTest.run(
            "encode",
            "--input",
            corpus.toString(),
            "--bulk",
            "pages",
            "--field",
            "vecs",
            "--max-vectors",
            "2",
            "-q");
    assertEquals(0, result.exit(), result.err());
    List<String> lines = result.out().lines().toList();
    assertEquals(2 * docs.size(), lines.size());
    for (int d = 0; d < docs.size(); d++) {
      JsonObject action =
          JsonParser.parseString(lines.get(2 * d)).getAsJsonObject().getAsJsonObject("index");
      assertEquals("pages", action.get("_index").getAsString());
      assertEquals(docs.get(d).get("id").getAsString(), action.get("_id").getAsString());
      JsonObject source = JsonParser.parseString(lines.get(2 * d + 1)).getAsJsonObject();
      assertEquals(2, source.getAsJsonArray("vecs").size());
      assertEquals(docs.get(d).get("text").getAsString(), source.get("text").getAsString());
    }
  }

  @Test
  void badInputWritesNothing() throws IOException {
    Path out = work.resolve("never.jsonl");
    Path bad =
        Files.writeString(
            work.resolve("bad.jsonl"),
            Files.readAllLines(corpus).get(0) + "\n{not json\n",
            StandardCharsets.UTF_8);
    CliTest.Result result =
        CliTest.run("encode", "--input", bad.toString(), "--output", out.toString(), "-q");
    assertEquals(1, result.exit());
    assertTrue(result.err().contains("line 2"), result.err());
    assertFalse(Files.exists(out), "no output for a bad input");
    CliTest.Result tooMany =
        CliTest.run("encode", "--input", corpus.toString(), "--max-vectors", "65", "-q");
    assertEquals(1, tooMany.exit());
    assertTrue(tooMany.err().contains("--max-vectors must be in 1..64"), tooMany.err());
    CliTest.Result empty =
        CliTest.run(
            "encode",
            "--input",
            Files.writeString(work.resolve("empty.txt"), "\n").toString(),
            "--text",
            "-q");
    assertEquals(1, empty.exit());
    assertTrue(empty.err().contains("holds nothing to encode"), empty.err());
    try (var files = Files.list(work)) {
      assertTrue(
          files.noneMatch(f -> f.getFileName().toString().endsWith(".part")),
          "temporary files left");
    }
  }

  private static List<JsonObject> parse(Path file) throws IOException {
    return Files.readAllLines(file).stream()
        .map(l -> JsonParser.parseString(l).getAsJsonObject())
        .toList();
  }

  /** The first {@code count} vectors, bit for bit (Java's float printing reads back exactly). */
  private static void assertVectors(float[][] expected, JsonArray actual, int count) {
    assertEquals(count, actual.size());
    for (int v = 0; v < count; v++) {
      JsonArray vector = actual.get(v).getAsJsonArray();
      float[] values = new float[vector.size()];
      for (int c = 0; c < values.length; c++) {
        values[c] = vector.get(c).getAsFloat();
      }
      assertArrayEquals(expected[v], values, "vector " + v);
    }
  }
}
