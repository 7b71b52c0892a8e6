package dev.metaembed.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped default model ({@code builtin:metaembed-minilm}) has not collapsed: indexed with
 * {@code metaembed index}, the first {@value #DOCS} documents of samples/manpages have, at every
 * vector position, a cross-document mean cosine of at most {@value #MAX_CROSS_DOCUMENT_COSINE}
 * (the threshold at which {@code inspect --vectors} flags a position), and every vector after the
 * first a mean cosine to its document's vector 0 of at most {@value #MAX_COSINE_TO_FIRST}. Prints
 * the {@code inspect --vectors} table. 30 s on 2 cores shared with a training run, nearly all of it
 * encoding (25 s at 12 documents/s; {@code inspect --vectors} 1 s).
 *
 * <p>The model shipped when this test was written fails it: 54 of 64 positions have a
 * cross-document cosine above 0.70 (median 0.975), and 7 of the other 9 after vector 0 have a
 * cosine to vector 0 above 0.90 (docs/ENCODER.md, "Is the model healthy?"). Run it while disabled
 * with {@code -Djunit.jupiter.conditions.deactivate='org.junit.*DisabledCondition'}.
 */
@Disabled("enabled when the retrained model lands (issue 15)")
class DefaultModelVectorHealthTest {
  /** Largest mean cosine between one position's vectors of two different documents. */
  static final double MAX_CROSS_DOCUMENT_COSINE = 0.70;

  /** Largest mean cosine between a document's vector j ≥ 1 and its own vector 0. */
  static final double MAX_COSINE_TO_FIRST = 0.90;

  /** Sample documents indexed (of 1,000). */
  static final int DOCS = 300;

  static final int PAIRS = 2000;
  static final long SEED = 42;

  private static final Path SAMPLES = Path.of("..", "samples", "manpages");

  @TempDir Path work;

  @Test
  void everyPositionIsDistinctAcrossDocumentsAndFromVectorZero() throws IOException {
    Path corpus =
        Files.write(
            work.resolve("corpus.jsonl"),
            Files.readAllLines(SAMPLES.resolve("corpus.jsonl")).subList(0, DOCS));
    Path index = work.resolve("index");
    long start = System.nanoTime();
    assertEquals(0, run("index", "--corpus", corpus.toString(), "--index", index.toString(), "-q"));
    long indexed = System.nanoTime();
    assertEquals(
        0,
        run(
            "inspect",
            index.toString(),
            "--vectors",
            "--pairs",
            Integer.toString(PAIRS),
            "--seed",
            Long.toString(SEED)));
    System.out.printf(
        Locale.ROOT,
        "DefaultModelVectorHealthTest: indexing %d documents %.1f s, inspect --vectors %.1f s%n",
        DOCS,
        (indexed - start) / 1e9,
        (System.nanoTime() - indexed) / 1e9);

    List<String> problems = new ArrayList<>();
    try (Directory dir = FSDirectory.open(index);
        DirectoryReader reader = DirectoryReader.open(dir)) {
      for (VectorPositionStats.Position p :
          VectorPositionStats.scan(reader, IndexLayout.VECTORS).positions(PAIRS, SEED)) {
        if (p.crossDocumentCosine() > MAX_CROSS_DOCUMENT_COSINE) {
          problems.add(
              String.format(
                  Locale.ROOT,
                  "position %d: cross-document cosine %.3f",
                  p.position(),
                  p.crossDocumentCosine()));
        }
        if (p.position() >= 1 && p.cosineToFirst() > MAX_COSINE_TO_FIRST) {
          problems.add(
              String.format(
                  Locale.ROOT,
                  "position %d: cosine to vector 0 %.3f",
                  p.position(),
                  p.cosineToFirst()));
        }
      }
    }
    assertTrue(problems.isEmpty(), problems.size() + " problems:\n" + String.join("\n", problems));
  }

  /** Runs a command, its output and errors going to standard out and error; returns the exit code. */
  private static int run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = MetaEmbedCommand.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    System.out.print(out);
    System.err.print(err);
    return exit;
  }
}
