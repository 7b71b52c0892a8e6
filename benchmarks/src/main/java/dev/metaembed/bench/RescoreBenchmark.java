package dev.metaembed.bench;

import dev.metaembed.lucene.codec.MetaEmbedCodec;
import dev.metaembed.lucene.codec.MetaEmbedField;
import dev.metaembed.lucene.codec.MetaEmbedVectorValues;
import dev.metaembed.lucene.codec.VectorStorage;
import dev.metaembed.lucene.search.MaxSimValuesSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.LateInteractionField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.DoubleValues;
import org.apache.lucene.search.DoubleValuesSource;
import org.apache.lucene.search.LateInteractionFloatValuesSource;
import org.apache.lucene.store.MMapDirectory;
import org.apache.lucene.util.IOUtils;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Rescoring {@value #DOCS} candidates, MetaEmbed against Lucene's late interaction, side by side
 * in one run (time per op = all {@value #DOCS} documents of the single segment, in µs).
 *
 * <p>The index (MMapDirectory in a temp directory, deleted on tear-down) holds {@value #DOCS}
 * documents of {@value #VECTORS} random unit vectors of {@code dim} components under DOT_PRODUCT,
 * each document carrying the SAME vectors twice: a {@link MetaEmbedField} {@code "me"} (codec
 * {@link MetaEmbedCodec}, prefix store in {@code storage}) and a {@link LateInteractionField}
 * {@code "li"}; force-merged to one segment.
 *
 * <ul>
 *   <li>{@code metaembed}: {@link MaxSimValuesSource} with budget (r_q, r_c): reads only the
 *       first r_c vectors of each document and scores them against the first r_q query vectors.
 *   <li>{@code lucene}: {@link LateInteractionFloatValuesSource} with the first r_q query vectors.
 *       It has no document budget: it decodes and scores all {@value #VECTORS} vectors of every
 *       document, whatever r_c is.
 * </ul>
 *
 * <p>FLOPs (counted as in {@link MaxSimKernelBenchmark}, one multiply + one add per component
 * per pair): metaembed does {@code 1000 · 2 · r_q · r_c · dim} per op, lucene {@code 1000 · 2 ·
 * r_q · 64 · dim}. The comparable numbers are the two times at the same budget; at 16x64 both do
 * the same arithmetic. The setup checks once (FLOAT32 only, the compact storages being lossy)
 * that both give doc 0 the same score at 16x64 within 1e-4, and fails with {@link
 * IllegalStateException} otherwise.
 *
 * <p>One lucene op takes tens of milliseconds, so a 1 s iteration holds few ops and the first
 * seconds run before C2 has compiled the decoding loop (a 1 s smoke warm-up showed lucene slower at
 * 1x1 than at 16x64): hence 5 warm-up iterations of 2 s by default.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class RescoreBenchmark {
  static final int DOCS = 1_000;
  static final int VECTORS = 64;
  static final int QUERY_VECTORS = 16;

  @Param({"1x1", "2x4", "4x8", "8x16", "16x64"})
  public String budget;

  @Param({"128"})
  public int dim;

  @Param({"FLOAT32"})
  public VectorStorage storage;

  private Path tempDir;
  private MMapDirectory directory;
  private DirectoryReader reader;
  private LeafReaderContext leaf;
  private DoubleValuesSource metaembedSource;
  private DoubleValuesSource luceneSource;
  private int documentBudget;
  private float[] readBuffer;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    int[] rqRc = BenchData.budget(budget);
    SplittableRandom random = new SplittableRandom(7);
    float[][] query = BenchData.unitVectors(random, QUERY_VECTORS, dim);
    tempDir = Files.createTempDirectory("metaembed-rescore-bench");
    directory = new MMapDirectory(tempDir);
    FieldType type =
        MetaEmbedField.createFieldType(dim, VECTORS, VectorSimilarityFunction.DOT_PRODUCT, storage);
    IndexWriterConfig config =
        new IndexWriterConfig().setCodec(new MetaEmbedCodec()).setRAMBufferSizeMB(256);
    try (IndexWriter writer = new IndexWriter(directory, config)) {
      for (int d = 0; d < DOCS; d++) {
        float[][] vectors = BenchData.unitVectors(random, VECTORS, dim);
        Document doc = new Document();
        doc.add(new MetaEmbedField("me", vectors, type));
        doc.add(new LateInteractionField("li", vectors));
        writer.addDocument(doc);
      }
      writer.forceMerge(1);
    }
    reader = DirectoryReader.open(directory);
    if (reader.leaves().size() != 1 || reader.maxDoc() != DOCS) {
      throw new IllegalStateException(
          "expected one segment of " + DOCS + " docs, got " + reader.leaves().size() + " segments");
    }
    leaf = reader.leaves().get(0);

    if (storage == VectorStorage.FLOAT32) {
      double me = scoreDoc0(new MaxSimValuesSource("me", query, QUERY_VECTORS, VECTORS));
      double li = scoreDoc0(new LateInteractionFloatValuesSource("li", query));
      if (Math.abs(me - li) > 1e-4) {
        throw new IllegalStateException(
            "sanity check failed at 16x64, doc 0: metaembed " + me + " vs lucene " + li);
      }
      System.out.println("sanity check at 16x64, doc 0: metaembed " + me + ", lucene " + li);
    }

    metaembedSource = new MaxSimValuesSource("me", query, rqRc[0], rqRc[1]);
    documentBudget = rqRc[1];
    readBuffer = new float[rqRc[1] * dim];
    luceneSource = new LateInteractionFloatValuesSource("li", Arrays.copyOf(query, rqRc[0]));
  }

  private double scoreDoc0(DoubleValuesSource source) throws IOException {
    DoubleValues values = source.getValues(leaf, null);
    if (values.advanceExact(0) == false) {
      throw new IllegalStateException(source + " has no value for doc 0");
    }
    return values.doubleValue();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    reader.close();
    directory.close();
    IOUtils.rm(tempDir);
  }

  /** MetaEmbed budgeted MaxSim over all {@value #DOCS} documents; returns the sum of scores. */
  @Benchmark
  public double metaembed() throws IOException {
    return rescoreAll(metaembedSource);
  }

  /** Lucene's LateInteractionFloatValuesSource over all {@value #DOCS} documents. */
  @Benchmark
  public double lucene() throws IOException {
    return rescoreAll(luceneSource);
  }

  /**
   * Only the reads of {@link #metaembed}: each document's first r_c vectors copied (and decoded)
   * into a reused buffer, no scoring. Its share of {@link #metaembed} is what a zero-copy read
   * could save at most.
   */
  @Benchmark
  public double metaembedReadOnly() throws IOException {
    MetaEmbedVectorValues values = MetaEmbedVectorValues.get(leaf.reader(), "me");
    double sum = 0;
    for (int doc = 0; doc < DOCS; doc++) {
      if (values.advanceExact(doc)) {
        values.readVectors(documentBudget, readBuffer);
        sum += readBuffer[0];
      }
    }
    return sum;
  }

  private double rescoreAll(DoubleValuesSource source) throws IOException {
    DoubleValues values = source.getValues(leaf, null);
    double sum = 0;
    for (int doc = 0; doc < DOCS; doc++) {
      if (values.advanceExact(doc)) {
        sum += values.doubleValue();
      }
    }
    return sum;
  }
}
