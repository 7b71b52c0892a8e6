package dev.metaembed.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands in-process, on a 40-document slice of samples/manpages. */
class CliTest {
  private static final Path SAMPLES = Path.of("..", "samples", "manpages");
  private static final Set<String> EVAL_KEYS =
      Set.of(
          "budget_q",
          "budget_d",
          "ndcg_at_10",
          "recall_at_100",
          "mrr_at_10",
          "latency_ms_mean",
          "latency_ms_p99",
          "queries");

  @TempDir static Path data;
  @TempDir Path work;

  static Path corpus;
  static Path queries;
  static Path qrels;

  /** What a command printed and returned. */
  record Result(int exit, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = MetaEmbedCommand.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(exit, out.toString(), err.toString());
  }

  @BeforeAll
  static void slice() throws IOException {
    List<String> docs = Files.readAllLines(SAMPLES.resolve("corpus.jsonl")).subList(0, 40);
    Set<String> ids = new HashSet<>();
    for (String line : docs) {
      ids.add(JsonParser.parseString(line).getAsJsonObject().get("id").getAsString());
    }
    List<String> qrelLines = new ArrayList<>(List.of("query-id\tcorpus-id\tscore"));
    Set<String> queryIds = new HashSet<>();
    for (String line :
        Files.readAllLines(SAMPLES.resolve("qrels.tsv"))
            .subList(1, Files.readAllLines(SAMPLES.resolve("qrels.tsv")).size())) {
      String[] cols = line.split("\t");
      if (ids.contains(cols[1])) {
        qrelLines.add(line);
        queryIds.add(cols[0]);
      }
    }
    List<String> queryLines =
        Files.readAllLines(SAMPLES.resolve("queries.jsonl")).stream()
            .filter(
                l ->
                    queryIds.contains(
                        JsonParser.parseString(l).getAsJsonObject().get("id").getAsString()))
            .toList();
    corpus = Files.write(data.resolve("corpus.jsonl"), docs);
    queries = Files.write(data.resolve("queries.jsonl"), queryLines);
    qrels = Files.write(data.resolve("qrels.tsv"), qrelLines);
  }

  @Test
  void indexSearchEvalInspectRoundTrip() throws IOException {
    Path index = work.resolve("index");
    Result indexed =
        run(
            "index",
            "--corpus",
            corpus.toString(),
            "--index",
            index.toString(),
            "-q",
            "--lucene-baseline");
    assertEquals(0, indexed.exit(), indexed.err());
    assertTrue(indexed.out().contains("indexed 40 new documents"), indexed.out());

    String query =
        JsonParser.parseString(Files.readAllLines(queries).get(0))
            .getAsJsonObject()
            .get("text")
            .getAsString();
    Result search =
        run("search", "--index", index.toString(), "--budget", "4x8", "-k", "3", "--json", query);
    assertEquals(0, search.exit(), search.err());
    List<String> hits = search.out().lines().toList();
    assertEquals(3, hits.size());
    JsonObject first = JsonParser.parseString(hits.get(0)).getAsJsonObject();
    assertEquals(1, first.get("rank").getAsInt());
    assertTrue(first.get("score").getAsFloat() > 0);

    Result eval =
        run(
            "eval",
            "--index",
            index.toString(),
            "--queries",
            queries.toString(),
            "--qrels",
            qrels.toString(),
            "--budgets",
            "1x1,4x8,16x64",
            "--json",
            "--baseline",
            "lucene");
    assertEquals(0, eval.exit(), eval.err());
    List<String> rows = eval.out().lines().toList();
    assertEquals(4, rows.size(), eval.out());
    for (String row : rows) {
      JsonObject json = JsonParser.parseString(row).getAsJsonObject();
      assertEquals(EVAL_KEYS, json.keySet());
      double ndcg = json.get("ndcg_at_10").getAsDouble();
      assertTrue(ndcg > 0.3 && ndcg <= 1.0, row);
    }
    JsonObject full = JsonParser.parseString(rows.get(2)).getAsJsonObject();
    JsonObject lucene = JsonParser.parseString(rows.get(3)).getAsJsonObject();
    assertEquals(16, full.get("budget_q").getAsInt());
    assertEquals(64, full.get("budget_d").getAsInt());
    // same first stage, same full-budget score: the baseline finds the same quality
    assertEquals(
        full.get("ndcg_at_10").getAsDouble(), lucene.get("ndcg_at_10").getAsDouble(), 0.02);

    // a cascade that keeps every candidate (40 documents, k 100) ranks exactly as without it
    Result pruned =
        run(
            "eval",
            "--index",
            index.toString(),
            "--queries",
            queries.toString(),
            "--qrels",
            qrels.toString(),
            "--budgets",
            "1x1,4x8,16x64",
            "--json",
            "--prune",
            "2x4:100");
    assertEquals(0, pruned.exit(), pruned.err());
    List<String> prunedRows = pruned.out().lines().toList();
    for (int i = 0; i < 3; i++) {
      JsonObject plain = JsonParser.parseString(rows.get(i)).getAsJsonObject();
      JsonObject cascade = JsonParser.parseString(prunedRows.get(i)).getAsJsonObject();
      assertEquals(
          plain.get("ndcg_at_10").getAsDouble(),
          cascade.get("ndcg_at_10").getAsDouble(),
          1e-9,
          prunedRows.get(i));
    }

    Result table =
        run(
            "eval",
            "--index",
            index.toString(),
            "--queries",
            queries.toString(),
            "--qrels",
            qrels.toString(),
            "--budgets",
            "2x4");
    assertEquals(0, table.exit(), table.err());
    assertTrue(table.out().contains("metaembed  (2,4)"), table.out());
    String row =
        table.out().lines().filter(l -> l.startsWith("metaembed  (2,4)")).findFirst().orElseThrow();
    // KiB read per query, bound: 40 candidates x 4 vectors x (384 + 8) int8 bytes = 61.25 KiB
    assertEquals("61", row.trim().split("\\s+")[7], row);

    Result inspect = run("inspect", index.toString());
    assertEquals(0, inspect.exit(), inspect.err());
    // a new index without --storage is int8 (IndexCommand.DEFAULT_STORAGE)
    assertTrue(
        inspect.out().contains("MetaEmbed: dimension 384, max vectors 64, storage int8"),
        inspect.out());
    assertTrue(inspect.out().contains("r=8: 3136"), inspect.out());
    // each segment's own format version, read from its files, not this build's constant
    assertTrue(inspect.out().contains("similarity DOT_PRODUCT, format version 1"), inspect.out());
    assertTrue(inspect.out().contains("codec MetaEmbed104"), inspect.out());
    String id =
        JsonParser.parseString(Files.readAllLines(corpus).get(0))
            .getAsJsonObject()
            .get("id")
            .getAsString();
    Result doc = run("inspect", index.toString(), "--doc", id);
    assertEquals(0, doc.exit(), doc.err());
    assertTrue(doc.out().contains("id: " + id) && doc.out().contains("norms: 1.000"), doc.out());
    assertTrue(doc.out().contains("cos to corpus mean of its position (40 documents)"), doc.out());
    Result positions = run("inspect", index.toString(), "--vectors", "--pairs", "200");
    assertEquals(0, positions.exit(), positions.err());
    assertTrue(
        positions.out().contains("field page: 40 documents, 64 positions of 384 components"),
        positions.out());
    assertTrue(
        positions.out().contains(" of 64 positions collapsed (cross-document cosine > 0.70)"),
        positions.out());
    Result check = run("inspect", index.toString(), "--check");
    assertEquals(0, check.exit(), check.err());
    assertTrue(check.out().startsWith("CheckIndex: clean"), check.out());
  }

  @Test
  void userErrorsExitOneWithOneLine() throws IOException {
    Path bad =
        Files.writeString(
            work.resolve("bad.jsonl"),
            "{\"id\": \"a\", \"text\": \"fine\"}\n{\"id\": \"b\", \"text\": \n",
            StandardCharsets.UTF_8);
    assertUserError(
        "line 2: bad JSON",
        "index",
        "--corpus",
        bad.toString(),
        "--index",
        work.resolve("i1").toString(),
        "-q");
    Path noText = Files.writeString(work.resolve("notext.jsonl"), "{\"id\": \"a\"}\n");
    assertUserError(
        "line 1: missing \"text\"",
        "index",
        "--corpus",
        noText.toString(),
        "--index",
        work.resolve("i2").toString(),
        "-q");
    assertUserError(
        "no such file",
        "index",
        "--corpus",
        work.resolve("missing.jsonl").toString(),
        "--index",
        work.resolve("i3").toString());
    assertUserError(
        "no index at", "search", "--index", work.resolve("nothing").toString(), "query");
    assertUserError(
        "bad budget \"4by8\"",
        "search",
        "--index",
        work.resolve("nothing").toString(),
        "--budget",
        "4by8",
        "query");

    Path index = work.resolve("index");
    assertEquals(
        0, run("index", "--corpus", corpus.toString(), "--index", index.toString(), "-q").exit());
    assertUserError(
        "no such file",
        "eval",
        "--index",
        index.toString(),
        "--queries",
        queries.toString(),
        "--qrels",
        work.resolve("none.tsv").toString());
    assertUserError(
        "bad budget \"2x\"",
        "eval",
        "--index",
        index.toString(),
        "--queries",
        queries.toString(),
        "--qrels",
        qrels.toString(),
        "--budgets",
        "1x1,2x");
    assertUserError(
        "bad prune \"2x4\"",
        "eval",
        "--index",
        index.toString(),
        "--queries",
        queries.toString(),
        "--qrels",
        qrels.toString(),
        "--prune",
        "2x4");
    assertUserError(
        "--prune keeps 20 candidates, fewer than -k 100",
        "eval",
        "--index",
        index.toString(),
        "--queries",
        queries.toString(),
        "--qrels",
        qrels.toString(),
        "--prune",
        "2x4:20");
    assertUserError(
        "--prune is approximate and --exact",
        "eval",
        "--index",
        index.toString(),
        "--queries",
        queries.toString(),
        "--qrels",
        qrels.toString(),
        "--prune",
        "2x4:100",
        "--exact");
    assertUserError(
        "the index stores at most 64",
        "search",
        "--index",
        index.toString(),
        "--budget",
        "4x100",
        "query");
    assertUserError(
        "the model makes at most 16",
        "search",
        "--index",
        index.toString(),
        "--budget",
        "17x8",
        "query");
    assertUserError(
        "index with --lucene-baseline",
        "eval",
        "--index",
        index.toString(),
        "--queries",
        queries.toString(),
        "--qrels",
        qrels.toString(),
        "--baseline",
        "lucene");
    assertUserError("no document with id \"nope\"", "inspect", index.toString(), "--doc", "nope");
  }

  private static void assertUserError(String message, String... args) {
    Result result = run(args);
    assertEquals(1, result.exit(), result.err());
    assertTrue(result.err().contains(message), result.err());
    assertFalse(result.err().contains("\tat "), "no stack trace: " + result.err());
  }

  @Test
  void interruptedIndexingLeavesAReadableIndexAndResumes() throws IOException {
    List<String> lines = new ArrayList<>(Files.readAllLines(corpus));
    List<String> broken = new ArrayList<>(lines);
    broken.set(30, "{ this line is broken");
    Path brokenCorpus = Files.write(work.resolve("broken.jsonl"), broken);
    Path index = work.resolve("index");
    // a malformed line stops the run before anything of the file is indexed
    Result rejected =
        run(
            "index",
            "--corpus",
            brokenCorpus.toString(),
            "--index",
            index.toString(),
            "-q",
            "--commit-every",
            "10");
    assertEquals(1, rejected.exit());
    assertTrue(rejected.err().contains("line 31: bad JSON"), rejected.err());
    assertFalse(Files.exists(index), "nothing indexed from a malformed file");
    // a failure midway (simulated after 30 documents) leaves the last commit
    Result failed =
        run(
            "index",
            "--corpus",
            corpus.toString(),
            "--index",
            index.toString(),
            "-q",
            "--commit-every",
            "10",
            "--fail-after",
            "30");
    assertEquals(2, failed.exit());
    assertTrue(failed.err().contains("failing after 30 documents"), failed.err());
    int before;
    try (var dir = FSDirectory.open(index);
        DirectoryReader reader = DirectoryReader.open(dir)) {
      before = reader.numDocs();
      assertTrue(before >= 10 && before <= 30, "committed before the failure: " + before);
    }
    Result resumed = run("index", "--corpus", corpus.toString(), "--index", index.toString(), "-q");
    assertEquals(0, resumed.exit(), resumed.err());
    assertTrue(
        resumed
            .out()
            .contains("indexed " + (40 - before) + " new documents (" + before + " skipped"),
        resumed.out());
    try (var dir = FSDirectory.open(index);
        DirectoryReader reader = DirectoryReader.open(dir)) {
      assertEquals(40, reader.numDocs());
    }
    assertEquals(0, run("inspect", index.toString(), "--check").exit());
  }

  /**
   * Chunks encoded in the background while the writer indexes the previous one reach the index in
   * corpus order, and the encoder's thread count changes nothing: the same index document for
   * document and vector for vector (chunks of 7, so the last one is short).
   */
  @Test
  void pipelinedEncodingWritesTheSameIndexWhateverTheThreads() throws IOException {
    Path one = work.resolve("one-thread");
    Path three = work.resolve("three-threads");
    assertEquals(
        0,
        run(
                "index",
                "--corpus",
                corpus.toString(),
                "--index",
                one.toString(),
                "-q",
                "--threads",
                "1",
                "--commit-every",
                "7")
            .exit());
    assertEquals(
        0,
        run(
                "index",
                "--corpus",
                corpus.toString(),
                "--index",
                three.toString(),
                "-q",
                "--threads",
                "3",
                "--commit-every",
                "7")
            .exit());
    try (var dirOne = FSDirectory.open(one);
        DirectoryReader a = DirectoryReader.open(dirOne);
        var dirThree = FSDirectory.open(three);
        DirectoryReader b = DirectoryReader.open(dirThree)) {
      assertEquals(40, a.maxDoc());
      assertEquals(a.maxDoc(), b.maxDoc());
      for (int doc = 0; doc < a.maxDoc(); doc++) {
        assertEquals(storedId(a, doc), storedId(b, doc), "doc " + doc);
        float[][] x = vectors(a, doc);
        float[][] y = vectors(b, doc);
        assertEquals(x.length, y.length, "vectors of doc " + doc);
        for (int v = 0; v < x.length; v++) {
          assertTrue(java.util.Arrays.equals(x[v], y[v]), "doc " + doc + " vector " + v);
        }
      }
    }
    assertUserError(
        "--threads must be at least 1, got 0",
        "index",
        "--corpus",
        corpus.toString(),
        "--index",
        work.resolve("zero").toString(),
        "-q",
        "--threads",
        "0");
  }

  private static String storedId(DirectoryReader reader, int doc) throws IOException {
    return reader.storedFields().document(doc).get(IndexLayout.ID);
  }

  private static float[][] vectors(DirectoryReader reader, int doc) throws IOException {
    var leaves = reader.leaves();
    var leaf = leaves.get(org.apache.lucene.index.ReaderUtil.subIndex(doc, leaves));
    var values =
        dev.metaembed.lucene.codec.MetaEmbedVectorValues.get(leaf.reader(), IndexLayout.VECTORS);
    assertTrue(values.advanceExact(doc - leaf.docBase), "doc " + doc + " has vectors");
    return values.vectors(values.vectorCount());
  }

  @Test
  void builtinModelsAreNamedRecordedAndKept() throws IOException {
    List<String> ten = Files.readAllLines(corpus).subList(0, 10);
    Path small = Files.write(work.resolve("ten.jsonl"), ten);
    Path index = work.resolve("pooled-index");
    Result indexed =
        run(
            "index",
            "--corpus",
            small.toString(),
            "--index",
            index.toString(),
            "-q",
            "--model",
            "builtin:pooled-minilm");
    assertEquals(0, indexed.exit(), indexed.err());
    assertEquals("builtin:pooled-minilm", userData(index).get(IndexLayout.MODEL_KEY));
    assertUserError(
        "was indexed with model builtin:pooled-minilm, not builtin:metaembed-minilm",
        "index",
        "--corpus",
        small.toString(),
        "--index",
        index.toString(),
        "-q");
    assertUserError(
        "no built-in model named \"nope\"; built-in models: [metaembed-minilm, pooled-minilm]",
        "index",
        "--corpus",
        small.toString(),
        "--index",
        work.resolve("x").toString(),
        "-q",
        "--model",
        "builtin:nope");
    Result pooled = run("search", "--index", index.toString(), "-k", "1", "--json", "print files");
    assertEquals(0, pooled.exit(), pooled.err());

    // an index written before the trained default recorded "default": that meant the pooled model
    try (var dir = FSDirectory.open(index);
        IndexWriter writer = new IndexWriter(dir, new IndexWriterConfig())) {
      writer.setLiveCommitData(
          Map.of(IndexLayout.MODEL_KEY, IndexLayout.LEGACY_DEFAULT).entrySet());
      writer.commit();
    }
    assertEquals(IndexLayout.LEGACY_DEFAULT, userData(index).get(IndexLayout.MODEL_KEY));
    Result legacy = run("search", "--index", index.toString(), "-k", "1", "--json", "print files");
    assertEquals(pooled.out(), legacy.out(), "the legacy index is searched with the pooled model");
    assertUserError(
        "was indexed with model builtin:pooled-minilm, not builtin:metaembed-minilm",
        "index",
        "--corpus",
        small.toString(),
        "--index",
        index.toString(),
        "-q");
    Result trained =
        run(
            "search",
            "--index",
            index.toString(),
            "-k",
            "1",
            "--json",
            "--model",
            "builtin:metaembed-minilm",
            "print files");
    assertEquals(0, trained.exit(), trained.err());
    assertFalse(
        trained.out().equals(pooled.out()),
        "--model overrides the recorded model: " + trained.out());
  }

  private static Map<String, String> userData(Path index) throws IOException {
    try (var dir = FSDirectory.open(index);
        DirectoryReader reader = DirectoryReader.open(dir)) {
      return reader.getIndexCommit().getUserData();
    }
  }

  @Test
  void compactStorageIsKeptAndChecked() throws IOException {
    Path index = work.resolve("int8-index");
    Result indexed =
        run(
            "index",
            "--corpus",
            corpus.toString(),
            "--index",
            index.toString(),
            "-q",
            "--storage",
            "INT8");
    assertEquals(0, indexed.exit(), indexed.err());
    Result inspect = run("inspect", index.toString());
    assertTrue(inspect.out().contains("storage int8"), inspect.out());
    assertTrue(
        inspect.out().contains("r=8: 3136"),
        "8 int8 vectors of 384 + 8 correction bytes: " + inspect.out());
    Result search =
        run(
            "search",
            "--index",
            index.toString(),
            "--budget",
            "16x64",
            "-k",
            "3",
            "--json",
            "print files");
    assertEquals(0, search.exit(), search.err());
    assertEquals(3, search.out().lines().count());
    assertUserError(
        "stores its vectors as int8, not bit",
        "index",
        "--corpus",
        corpus.toString(),
        "--index",
        index.toString(),
        "-q",
        "--storage",
        "bit");
    assertUserError(
        "unknown storage \"int4\" (float32, bfloat16, int8 or bit)",
        "index",
        "--corpus",
        corpus.toString(),
        "--index",
        work.resolve("x").toString(),
        "--storage",
        "int4");
  }

  /** Without --storage, adding to an index keeps the index's storage, whatever the default. */
  @Test
  void addingWithoutStorageKeepsTheIndexStorage() throws IOException {
    Path index = work.resolve("float32-index");
    List<String> lines = Files.readAllLines(corpus);
    Path first = Files.write(work.resolve("first.jsonl"), lines.subList(0, 10));
    assertEquals(
        0,
        run(
                "index",
                "--corpus",
                first.toString(),
                "--index",
                index.toString(),
                "-q",
                "--storage",
                "float32")
            .exit());
    Result more = run("index", "--corpus", corpus.toString(), "--index", index.toString(), "-q");
    assertEquals(0, more.exit(), more.err());
    Result inspect = run("inspect", index.toString());
    assertTrue(inspect.out().contains("storage float32"), inspect.out());
    assertTrue(
        inspect.out().contains("documents: 40") || inspect.out().contains("40 documents"),
        inspect.out());
  }

  @Test
  void demoEvaluatesTheHeldOutQueriesWhenTheSampleListsThem() throws IOException {
    Path samples = Files.createDirectories(work.resolve("samples"));
    Files.write(samples.resolve("corpus.jsonl"), Files.readAllLines(corpus).subList(0, 20));
    Files.copy(queries, samples.resolve("queries.jsonl"));
    Files.copy(qrels, samples.resolve("qrels.tsv"));
    int all = Files.readAllLines(queries).size();
    Result plain = run("demo", "--samples", samples.toString(), "--examples", "1");
    assertEquals(0, plain.exit(), plain.err());
    assertTrue(plain.out().contains("on the sample's " + all + " queries (k=100)"), plain.out());
    assertSummaryMatchesTable(plain.out(), "On these " + all + " queries, nDCG@10 ");

    List<String> ids =
        Files.readAllLines(queries).stream()
            .map(l -> JsonParser.parseString(l).getAsJsonObject().get("id").getAsString())
            .toList();
    Files.write(
        samples.resolve(DemoCommand.HELD_OUT_IDS),
        List.of(ids.get(0), ids.get(2), "not-in-the-sample"));
    Result heldOut = run("demo", "--samples", samples.toString(), "--examples", "1");
    assertEquals(0, heldOut.exit(), heldOut.err());
    assertTrue(heldOut.out().contains("on the sample's 2 held-out queries"), heldOut.out());
    assertTrue(
        heldOut.out().contains("metaembed  (16,64)") && heldOut.out().contains(" 2\n"),
        heldOut.out());
    assertSummaryMatchesTable(heldOut.out(), "On these 2 held-out queries, nDCG@10 ");
    assertTrue(heldOut.out().contains("(1,1) is single-vector search on vector 0"), heldOut.out());
    assertFalse(heldOut.out().contains("trade quality for cost"), heldOut.out());
  }

  /** The demo's closing summary starts with this prefix and quotes the eval table printed above it. */
  private static void assertSummaryMatchesTable(String out, String prefix) {
    List<String> lines = out.lines().toList();
    int at =
        IntStream.range(0, lines.size())
            .filter(i -> lines.get(i).startsWith(prefix))
            .findFirst()
            .orElse(-1);
    assertTrue(
        at > 0 && at + 1 < lines.size(), "no summary starting with \"" + prefix + "\": " + out);
    String summary = lines.get(at) + "\n" + lines.get(at + 1);
    String[] first = tableRow(lines.subList(0, at), "(1,1)");
    String[] last = tableRow(lines.subList(0, at), "(16,64)");
    // columns: system, budget, nDCG@10, R@100, MRR@10, mean ms, ...
    double change = Double.parseDouble(last[2]) - Double.parseDouble(first[2]);
    String expected =
        Math.abs(change) < 0.0005 - 1e-9
            ? "nDCG@10 stays at " + first[2] + " from (1,1) to (16,64) ("
            : "nDCG@10 "
                + (change > 0 ? "goes" : "falls")
                + " from "
                + first[2]
                + " at (1,1) to "
                + last[2]
                + " at (16,64) (";
    assertTrue(summary.contains(expected), expected + "\n" + out);
    assertTrue(
        summary.contains(
            "Mean latency goes from " + first[5] + " ms at (1,1) to " + last[5] + " ms at (16,64)"),
        summary + "\n" + out);
  }

  private static String[] tableRow(List<String> lines, String budget) {
    String row =
        lines.stream()
            .filter(l -> l.startsWith("metaembed  " + budget + " "))
            .reduce((a, b) -> b)
            .orElseThrow(() -> new AssertionError("no eval row for " + budget + ": " + lines));
    return row.trim().split("\\s+");
  }

  @Test
  void helpShowsExamples() {
    for (String command : List.of("index", "search", "eval", "inspect", "demo")) {
      Result help = run(command, "--help");
      assertEquals(0, help.exit());
      assertTrue(help.out().contains("Example"), command + ": " + help.out());
    }
  }
}
