package dev.metaembed.bench;

import dev.metaembed.bench.EndToEndResults.IndexStats;
import dev.metaembed.lucene.codec.MetaEmbedCodec;
import dev.metaembed.lucene.codec.MetaEmbedField;
import dev.metaembed.lucene.codec.VectorStorage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.LateInteractionField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LogDocMergePolicy;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * Builds the benchmark's indexes: ours (field {@value #ME_FIELD}, {@code MetaEmbedCodec}) once per
 * storage, and Lucene's baseline ({@value #KNN_FIELD} = vector 0 as KnnFloatVectorField, {@value
 * #LI_FIELD} = all vectors as LateInteractionField, default codec). Times addDocument + commit and
 * forceMerge(1) separately, counts segments before the merge and measures the merged index on disk.
 */
final class EndToEndIndexer {
  static final String ME_FIELD = "me";
  static final String KNN_FIELD = "v0";
  static final String LI_FIELD = "li";
  private static final int BATCH = 256;
  private static final long PROGRESS_NANOS = 10_000_000_000L;

  private interface DocBuilder {
    Document build(float[][] vectors);
  }

  private final EndToEndOptions options;
  private final ClusteredCorpus corpus;
  private final PrintStream log;

  EndToEndIndexer(EndToEndOptions options, ClusteredCorpus corpus, PrintStream log) {
    this.options = options;
    this.corpus = corpus;
    this.log = log;
  }

  /** Builds our index with the given storage in {@code path} (replacing what is there). */
  IndexStats indexOurs(Path path, VectorStorage storage) throws IOException {
    IndexWriterConfig config = writerConfig().setCodec(new MetaEmbedCodec());
    return index(
        EndToEndResults.METAEMBED, storage.attributeValue(), path, config, ourDocs(storage));
  }

  /** Builds the Lucene baseline index in {@code path} (replacing what is there). */
  IndexStats indexLucene(Path path) throws IOException {
    IndexWriterConfig config = writerConfig().setCodec(Codec.getDefault());
    String storage = "float32 (" + Codec.getDefault().getName() + ")";
    return index(EndToEndResults.LUCENE, storage, path, config, EndToEndIndexer::luceneDoc);
  }

  /**
   * Indexes {@code --index-warmup} documents (at most {@code --docs}) into throwaway in-memory
   * indexes (our codec, and Lucene's unless skipped), so that the first timed index is not the one
   * that pays for JIT compilation.
   */
  void warmUp() throws IOException {
    int n = Math.min(options.docs, options.indexWarmup);
    if (n <= 0) {
      return;
    }
    log.println("indexing warm-up: " + n + " docs per index kind, in memory, not timed");
    warmUp(n, writerConfig().setCodec(new MetaEmbedCodec()), ourDocs(VectorStorage.FLOAT32));
    if (!options.skipLucene) {
      warmUp(n, writerConfig().setCodec(Codec.getDefault()), EndToEndIndexer::luceneDoc);
    }
  }

  private void warmUp(int n, IndexWriterConfig config, DocBuilder builder) throws IOException {
    try (Directory dir = new ByteBuffersDirectory();
        IndexWriter writer = new IndexWriter(dir, config)) {
      for (int id = 0; id < n; id++) {
        writer.addDocument(builder.build(corpus.doc(id, options.vectors)));
        if (id == n / 2) {
          writer.flush(); // two segments, so forceMerge's code runs too
        }
      }
      writer.forceMerge(1);
    }
  }

  private DocBuilder ourDocs(VectorStorage storage) {
    FieldType type =
        MetaEmbedField.createFieldType(
            options.dim, options.vectors, VectorSimilarityFunction.DOT_PRODUCT, storage);
    return v -> {
      Document doc = new Document();
      doc.add(new MetaEmbedField(ME_FIELD, v, type));
      return doc;
    };
  }

  private static Document luceneDoc(float[][] v) {
    Document doc = new Document();
    doc.add(new KnnFloatVectorField(KNN_FIELD, v[0], VectorSimilarityFunction.DOT_PRODUCT));
    doc.add(new LateInteractionField(LI_FIELD, v));
    return doc;
  }

  private IndexWriterConfig writerConfig() {
    // adjacent merges only: doc ids keep insertion order, so hits compare across indexes
    LogDocMergePolicy mergePolicy = new LogDocMergePolicy();
    mergePolicy.setNoCFSRatio(0); // sizes per file extension stay visible
    return new IndexWriterConfig()
        .setRAMBufferSizeMB(options.ramMb)
        .setUseCompoundFile(false)
        .setMergePolicy(mergePolicy)
        .setOpenMode(IndexWriterConfig.OpenMode.CREATE);
  }

  private IndexStats index(
      String index, String storage, Path path, IndexWriterConfig config, DocBuilder builder)
      throws IOException {
    log.println("indexing " + index + " " + storage + " -> " + path);
    long indexNanos;
    long mergeNanos;
    int segments;
    try (Directory dir = FSDirectory.open(path);
        IndexWriter writer = new IndexWriter(dir, config)) {
      indexNanos = addAllAndCommit(writer, builder);
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        segments = reader.leaves().size();
      }
      long t0 = System.nanoTime();
      writer.forceMerge(1);
      writer.commit();
      mergeNanos = System.nanoTime() - t0;
    }
    long[] sizes = diskSizes(path);
    log.printf(
        Locale.ROOT,
        "  done: %.0f docs/s indexing (%d segments), forceMerge %.1f s, %.1f MB on disk, .mvd %.1f MB%n",
        options.docs / (indexNanos / 1e9),
        segments,
        mergeNanos / 1e9,
        sizes[0] / 1e6,
        sizes[1] / 1e6);
    return new IndexStats(index, storage, indexNanos, mergeNanos, sizes[0], sizes[1], segments);
  }

  /** Adds every document, then commits; returns the nanoseconds of addDocument + commit only. */
  private long addAllAndCommit(IndexWriter writer, DocBuilder builder) throws IOException {
    int docs = options.docs;
    long indexNanos = 0;
    Document[] batch = new Document[BATCH];
    long lastReport = System.nanoTime();
    for (int start = 0; start < docs; start += BATCH) {
      int n = Math.min(BATCH, docs - start);
      for (int i = 0; i < n; i++) {
        batch[i] = builder.build(corpus.doc(start + i, options.vectors));
      }
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        writer.addDocument(batch[i]);
      }
      indexNanos += System.nanoTime() - t0;
      if (System.nanoTime() - lastReport > PROGRESS_NANOS) {
        lastReport = System.nanoTime();
        log.printf(
            Locale.ROOT,
            "  %d/%d docs, %.0f docs/s (addDocument time only)%n",
            start + n,
            docs,
            (start + n) / (indexNanos / 1e9));
      }
    }
    long t0 = System.nanoTime();
    writer.commit();
    return indexNanos + System.nanoTime() - t0;
  }

  /** {total bytes, bytes of .mvd files} of the index files in {@code path} (write.lock excluded). */
  private static long[] diskSizes(Path path) throws IOException {
    long size = 0;
    long mvd = 0;
    try (Stream<Path> files = Files.list(path)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String name = f.getFileName().toString();
        if (Files.isRegularFile(f) && !name.equals("write.lock")) {
          long bytes = Files.size(f);
          size += bytes;
          if (name.endsWith(".mvd")) {
            mvd += bytes;
          }
        }
      }
    }
    return new long[] {size, mvd};
  }
}
