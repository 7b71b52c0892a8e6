package dev.metaembed.cli;

import static dev.metaembed.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaembed.cli.CliTest.Result;
import dev.metaembed.lucene.codec.MetaEmbedCodec;
import dev.metaembed.lucene.codec.MetaEmbedField;
import dev.metaembed.lucene.codec.VectorStorage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code inspect --vectors} and {@code inspect --doc} on a hand-made index whose positions behave
 * in known ways. 16 documents d0..d15 of 16-component vectors, written in 3 segments, d0 deleted:
 * vector 0 of d<i>i</i> is the unit vector e<i>i</i> (so different documents are orthogonal),
 * vector 1 is the same vector (1/4, …, 1/4) for every document (collapsed), vector 2 is a copy of
 * vector 0, vector 3 is random; d15 has only vectors 0 and 1. Live: 15 documents at positions 0
 * and 1, 14 at positions 2 and 3. Prints its seed; {@code -Dmetaembed.test.seed=S} repeats a run.
 */
class InspectVectorsTest {
  private static final int DIM = 16;
  private static final int DOCS = 16;

  @TempDir Path work;

  private static long seed() {
    long seed = Long.getLong("metaembed.test.seed", new Random().nextLong());
    System.out.println("InspectVectorsTest seed: -Dmetaembed.test.seed=" + seed);
    return seed;
  }

  @Test
  void vectorsReportsCollapsedCopiedAndRandomPositions() throws IOException {
    long seed = seed();
    Path index = buildIndex(VectorStorage.FLOAT32, seed);
    Result result = run("inspect", index.toString(), "--vectors", "--seed", Long.toString(seed));
    assertEquals(0, result.exit(), result.err());
    String out = result.out();
    System.out.print(out);
    assertTrue(out.contains("field page: 15 documents, 4 positions of 16 components"), out);
    assertTrue(out.contains("2000 random pairs of different documents (seed " + seed + ")"), out);

    // position 0: one-hot vectors, pairwise orthogonal; mean = (e1 + ... + e15) / 15, norm
    // 1/sqrt(15)
    assertRow(out, 0, "15", "0.000", "2000", "1.000", fixed(1 / Math.sqrt(15)));
    assertFalse(line(out, 0).contains("collapsed"), out);
    // position 1: the same vector everywhere; cosine of (1/4, ..., 1/4) to a one-hot vector 0 is
    // 1/4
    assertRow(out, 1, "15", "1.000", "2000", "0.250", "1.000");
    assertTrue(line(out, 1).endsWith("collapsed"), out);
    // position 2: a copy of vector 0; d15 has no vector 2, so fewer pairs (about 2000 * 13/15)
    String[] copy = columns(out, 2);
    assertEquals(
        Arrays.asList("14", "0.000", "1.000", fixed(1 / Math.sqrt(14))),
        Arrays.asList(copy[1], copy[2], copy[4], copy[5]),
        out);
    int pairs = Integer.parseInt(copy[3]);
    assertTrue(pairs > 1500 && pairs < 2000, "pairs where both documents have vector 2: " + pairs);
    // position 3: random, unrelated across documents and to vector 0
    String[] random = columns(out, 3);
    assertEquals("14", random[1]);
    assertEquals(copy[3], random[3], "same pairs as position 2");
    double crossDoc = Double.parseDouble(random[2]);
    double meanNorm = Double.parseDouble(random[5]);
    assertTrue(Math.abs(crossDoc) < 0.4, out);
    assertTrue(Math.abs(Double.parseDouble(random[4])) < 0.4, out);
    assertTrue(meanNorm < 0.6, out);
    // over all n^2 ordered pairs the mean cosine is |mean|^2; without the n self-pairs:
    double allDistinctPairs = (14 * 14 * meanNorm * meanNorm - 14) / (14 * 13);
    assertEquals(allDistinctPairs, crossDoc, 0.05, "sampled vs exact mean over distinct pairs");
    assertFalse(line(out, 3).contains("collapsed"), out);

    assertTrue(
        out.contains("field page: 1 of 4 positions collapsed (cross-document cosine > 0.70)"), out);
    Result again = run("inspect", index.toString(), "--vectors", "--seed", Long.toString(seed));
    assertEquals(out, again.out(), "the same seed draws the same pairs");
  }

  @Test
  void statisticsAgreeWithHandComputedValues() throws IOException {
    Path index = buildIndex(VectorStorage.FLOAT32, seed());
    try (Directory dir = FSDirectory.open(index);
        var reader = org.apache.lucene.index.DirectoryReader.open(dir)) {
      assertEquals(3, reader.leaves().size(), "several segments");
      VectorPositionStats stats = VectorPositionStats.scan(reader, IndexLayout.VECTORS);
      assertEquals(15, stats.documents());
      var positions = stats.positions(500, 1);
      assertEquals(0.0, positions.get(0).crossDocumentCosine(), 1e-7);
      assertEquals(1.0, positions.get(1).crossDocumentCosine(), 1e-6);
      assertEquals(0.25, positions.get(1).cosineToFirst(), 1e-6);
      assertEquals(1.0, positions.get(2).cosineToFirst(), 1e-6);
      assertEquals(1 / Math.sqrt(15), positions.get(0).meanNorm(), 1e-6);
      assertEquals(1.0, positions.get(1).meanNorm(), 1e-6);
      assertTrue(positions.get(1).collapsed());
      float[] mean0 = stats.meanDirection(0);
      assertEquals(1 / Math.sqrt(15), mean0[7], 1e-6);
      assertEquals(0, mean0[0], 0, "d0 is deleted");
    }
  }

  /** The figures come from decoded vectors, so compact storage gives nearly the same report. */
  @ParameterizedTest
  @EnumSource(
      value = VectorStorage.class,
      names = {"BFLOAT16", "INT8"})
  void compactStorageIsDecodedFirst(VectorStorage storage) throws IOException {
    long seed = seed();
    Path index = buildIndex(storage, seed);
    Result result =
        run(
            "inspect",
            index.toString(),
            "--vectors",
            "--pairs",
            "300",
            "--seed",
            Long.toString(seed));
    assertEquals(0, result.exit(), result.err());
    String out = result.out();
    assertTrue(out.contains("300 random pairs"), out);
    assertEquals(1.0, Double.parseDouble(columns(out, 1)[2]), 0.002, out);
    assertEquals(1.0, Double.parseDouble(columns(out, 2)[4]), 0.01, out);
    assertEquals(0.0, Double.parseDouble(columns(out, 2)[2]), 0.01, out);
    assertTrue(out.contains("1 of 4 positions collapsed"), out);
  }

  @Test
  void docPrintsCosinesToVectorZeroAndToTheCorpusMean() throws IOException {
    Path index = buildIndex(VectorStorage.FLOAT32, seed());
    Result result = run("inspect", index.toString(), "--doc", "d3");
    assertEquals(0, result.exit(), result.err());
    String out = result.out();
    System.out.print(out);
    assertTrue(out.contains("id: d3"), out);
    assertTrue(out.contains("field page: 4 vectors of 16, norms: 1.000 1.000 1.000 1.000"), out);
    assertTrue(
        out.contains("cos to vector 0  cos to corpus mean of its position (15 documents)"), out);
    // e3 against the mean direction (e1 + ... + e15) / sqrt(15)
    assertEquals(
        Arrays.asList("0", "1.000", fixed(1 / Math.sqrt(15))), Arrays.asList(columns(out, 0)), out);
    assertEquals(Arrays.asList("1", "0.250", "1.000"), Arrays.asList(columns(out, 1)), out);
    assertEquals(
        Arrays.asList("2", "1.000", fixed(1 / Math.sqrt(14))), Arrays.asList(columns(out, 2)), out);
    assertEquals(3, columns(out, 3).length, out);

    Result shorter = run("inspect", index.toString(), "--doc", "d15");
    assertTrue(shorter.out().contains("field page: 2 vectors of 16"), shorter.out());
    assertEquals(
        Arrays.asList("1", "0.250", "1.000"),
        Arrays.asList(columns(shorter.out(), 1)),
        shorter.out());
  }

  @Test
  void badInputIsAOneLineUserError() throws IOException {
    Path plain = work.resolve("plain");
    try (Directory dir = FSDirectory.open(plain);
        IndexWriter writer = new IndexWriter(dir, new IndexWriterConfig())) {
      Document doc = new Document();
      doc.add(new StringField(IndexLayout.ID, "a", Field.Store.YES));
      doc.add(
          new KnnFloatVectorField(
              "plain", new float[] {1, 0, 0, 0}, VectorSimilarityFunction.COSINE));
      writer.addDocument(doc);
    }
    assertUserError(
        "has no MetaEmbed field: nothing for --vectors to show",
        "inspect",
        plain.toString(),
        "--vectors");
    Path index = buildIndex(VectorStorage.FLOAT32, 1);
    assertUserError(
        "--pairs must be at least 1, got 0",
        "inspect",
        index.toString(),
        "--vectors",
        "--pairs",
        "0");
    assertUserError(
        "--pairs must be at least 1, got -5",
        "inspect",
        index.toString(),
        "--vectors",
        "--pairs",
        "-5");
    assertUserError("--pairs", "inspect", index.toString(), "--vectors", "--pairs", "many");
  }

  private static void assertUserError(String message, String... args) {
    Result result = run(args);
    assertEquals(1, result.exit(), result.err());
    assertTrue(result.err().lines().findFirst().orElse("").contains(message), result.err());
    assertFalse(result.err().contains("\tat "), "no stack trace: " + result.err());
    assertTrue(result.out().isEmpty(), result.out());
  }

  /** The index described in the class comment, with the prefix store in {@code storage}. */
  private Path buildIndex(VectorStorage storage, long seed) throws IOException {
    Path path = work.resolve("index-" + storage);
    Random random = new Random(seed);
    FieldType type =
        MetaEmbedField.createFieldType(DIM, 4, VectorSimilarityFunction.DOT_PRODUCT, storage);
    float[] same = new float[DIM];
    Arrays.fill(same, 0.25f);
    IndexWriterConfig config =
        new IndexWriterConfig()
            .setCodec(new MetaEmbedCodec())
            .setMergePolicy(NoMergePolicy.INSTANCE);
    try (Directory dir = FSDirectory.open(path);
        IndexWriter writer = new IndexWriter(dir, config)) {
      for (int i = 0; i < DOCS; i++) {
        float[] oneHot = new float[DIM];
        oneHot[i] = 1;
        float[][] vectors =
            i == DOCS - 1
                ? new float[][] {oneHot, same}
                : new float[][] {oneHot, same, oneHot.clone(), unitGaussian(random)};
        Document doc = new Document();
        doc.add(new StringField(IndexLayout.ID, "d" + i, Field.Store.YES));
        doc.add(new MetaEmbedField(IndexLayout.VECTORS, vectors, type));
        writer.addDocument(doc);
        if (i % 6 == 5) {
          writer.commit();
        }
      }
      writer.deleteDocuments(new Term(IndexLayout.ID, "d0"));
    }
    return path;
  }

  private static float[] unitGaussian(Random random) {
    float[] v = new float[DIM];
    double norm = 0;
    for (int c = 0; c < DIM; c++) {
      v[c] = (float) random.nextGaussian();
      norm += v[c] * v[c];
    }
    for (int c = 0; c < DIM; c++) {
      v[c] /= (float) Math.sqrt(norm);
    }
    return v;
  }

  private static String fixed(double value) {
    return String.format(java.util.Locale.ROOT, "%.3f", value);
  }

  /** The table line of {@code position} (a line starting with it after spaces). */
  private static String line(String out, int position) {
    return out.lines()
        .filter(
            l ->
                l.startsWith("  ") && l.strip().split("\\s+")[0].equals(Integer.toString(position)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no row " + position + " in\n" + out));
  }

  private static String[] columns(String out, int position) {
    return Arrays.stream(line(out, position).strip().split("\\s+"))
        .filter(c -> c.equals("collapsed") == false)
        .toArray(String[]::new);
  }

  private static void assertRow(
      String out,
      int position,
      String docs,
      String crossDoc,
      String pairs,
      String toFirst,
      String meanNorm) {
    assertEquals(
        Arrays.asList(Integer.toString(position), docs, crossDoc, pairs, toFirst, meanNorm),
        Arrays.asList(columns(out, position)),
        out);
  }
}
