package dev.metaembed.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaembed.lucene.codec.MetaEmbedCodec;
import dev.metaembed.lucene.codec.MetaEmbedField;
import dev.metaembed.lucene.codec.MetaEmbedVectorValues;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Indexes full 64-vector documents and checks that the writer's heap stays bounded by Lucene's RAM
 * buffer (vectors stream to disk) and that every document reads back. The suite runs a few
 * thousand documents; the run noted on the codec issue uses {@code -Dmetaembed.heap.docs=100000
 * -Dtests.jvm.extra=-Xmx1g} (see docs/CODEC.md).
 */
class LargeIndexHeapTest {
  private static final int DIM = 128;
  private static final int VECTORS = 64;
  private static final double RAM_BUFFER_MB = IndexWriterConfig.DEFAULT_RAM_BUFFER_SIZE_MB;

  @TempDir Path indexPath;

  @Test
  void fullDocumentsStreamToDiskWithBoundedHeap() throws IOException {
    int docs = Integer.getInteger("metaembed.heap.docs", 3000);
    long seed = Long.getLong("metaembed.heap.seed", System.nanoTime());
    System.out.printf("LargeIndexHeapTest: docs=%d seed=%d (-Dmetaembed.heap.seed=%d)%n", docs, seed, seed);
    FieldType type = MetaEmbedField.createFieldType(DIM, VECTORS, VectorSimilarityFunction.DOT_PRODUCT);
    long peakWriterBytes = 0;
    long peakHeap = 0;
    long start = System.nanoTime();
    try (Directory dir = FSDirectory.open(indexPath);
        IndexWriter writer =
            new IndexWriter(dir, writerConfig())) {
      for (int id = 0; id < docs; id++) {
        Document doc = new Document();
        doc.add(new StoredField("id", id));
        doc.add(new MetaEmbedField("page", document(seed, id), type));
        writer.addDocument(doc);
        peakWriterBytes = Math.max(peakWriterBytes, writer.ramBytesUsed());
        if (id % 1000 == 0) {
          peakHeap = Math.max(peakHeap, usedHeap());
        }
        if (id > 0 && id % 10_000 == 0) {
          System.out.printf("  %d docs, %.1f s, writer %.1f MB, heap %.1f MB%n", id,
              (System.nanoTime() - start) / 1e9, peakWriterBytes / 1e6, peakHeap / 1e6);
        }
      }
      writer.commit();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long vectorBytes = (long) docs * VECTORS * DIM * Float.BYTES;
    long prefixBytes = sizeOf(indexPath, ".mvd");
    System.out.printf(
        "LargeIndexHeapTest: %d docs x %d x %d in %.1f s; vectors %.1f MB, .mvd %.1f MB;"
            + " peak IndexWriter.ramBytesUsed %.1f MB; peak used heap (sampled) %.1f MB; max heap %.1f MB%n",
        docs, VECTORS, DIM, seconds, vectorBytes / 1e6, prefixBytes / 1e6, peakWriterBytes / 1e6,
        peakHeap / 1e6, Runtime.getRuntime().maxMemory() / 1e6);
    assertTrue(prefixBytes >= vectorBytes, "all vectors on disk");
    assertTrue(peakWriterBytes < 2 * RAM_BUFFER_MB * 1024 * 1024, "writer heap bounded by RAM buffer");
    checkSample(seed, docs);
  }

  private static IndexWriterConfig writerConfig() {
    IndexWriterConfig config = new IndexWriterConfig().setCodec(new MetaEmbedCodec());
    config.setUseCompoundFile(false); // so the prefix store's size can be read off its files
    config.getMergePolicy().setNoCFSRatio(0);
    return config;
  }

  private void checkSample(long seed, int docs) throws IOException {
    SplittableRandom pick = new SplittableRandom(seed);
    try (Directory dir = FSDirectory.open(indexPath);
        DirectoryReader reader = DirectoryReader.open(dir)) {
      assertEquals(docs, reader.numDocs());
      for (LeafReaderContext ctx : reader.leaves()) {
        LeafReader leaf = ctx.reader();
        MetaEmbedVectorValues values = MetaEmbedVectorValues.get(leaf, "page");
        for (int doc = pick.nextInt(Math.min(50, leaf.maxDoc())); doc < leaf.maxDoc(); doc += 1 + pick.nextInt(100)) {
          int id = leaf.storedFields().document(doc).getField("id").numericValue().intValue();
          assertTrue(values.advanceExact(doc));
          float[][] want = document(seed, id);
          float[][] got = values.vectors(VECTORS);
          assertEquals(VECTORS, got.length);
          for (int i = 0; i < VECTORS; i++) {
            assertArrayEquals(want[i], got[i], "doc id " + id + " vector " + i);
          }
        }
      }
    }
  }

  /** Document {@code id}'s vectors, the same every time for the same seed. */
  private static float[][] document(long seed, int id) {
    SplittableRandom random = new SplittableRandom(seed * 31 + id);
    float[][] vectors = new float[VECTORS][DIM];
    for (float[] v : vectors) {
      for (int c = 0; c < DIM; c++) {
        v[c] = (float) random.nextDouble(-1, 1);
      }
    }
    return vectors;
  }

  private static long usedHeap() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static long sizeOf(Path dir, String suffix) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(suffix)).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
