package dev.metaembed.lucene.codec;

import java.io.IOException;
import java.util.function.Function;
import org.apache.lucene.codecs.FilterCodec;
import org.apache.lucene.codecs.KnnFieldVectorsWriter;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;
import org.apache.lucene.index.Sorter;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * While indexing, a MetaEmbed field's writer holds vector 0 (for the graph) and about a byte per
 * document, never maxVectors × dimension per document: a 64-vector field costs about what a
 * single-vector field of the same dimension costs.
 */
public class TestMetaEmbedIndexingHeap extends LuceneTestCase {
  private static final int DIM = 16;
  private static final int MAX_VECTORS = 64;
  private static final VectorSimilarityFunction SIM = VectorSimilarityFunction.EUCLIDEAN;

  public void testFieldWriterHeapDoesNotScaleWithMaxVectors() throws IOException {
    var type = MetaEmbedField.createFieldType(DIM, MAX_VECTORS, SIM);
    long[] metaEmbed =
        fieldWriterGrowth(
            new MetaEmbedVectorsFormat(),
            i ->
                new MetaEmbedField(
                    "f", full(RandomMetaEmbedDocs.randomVector(random(), DIM)), type));
    long[] single =
        fieldWriterGrowth(
            new Lucene99HnswVectorsFormat(),
            i ->
                new KnnFloatVectorField("f", RandomMetaEmbedDocs.randomVector(random(), DIM), SIM));
    long[] flat =
        fieldWriterGrowth(
            new Lucene99HnswVectorsFormat(),
            i ->
                new KnnFloatVectorField(
                    "f", RandomMetaEmbedDocs.randomVector(random(), DIM * MAX_VECTORS), SIM));
    String report =
        "heap growth per 1000 docs: MetaEmbed 64x"
            + DIM
            + "="
            + metaEmbed[1]
            + " single "
            + DIM
            + "-dim="
            + single[1]
            + " single "
            + (DIM * MAX_VECTORS)
            + "-dim="
            + flat[1];
    if (VERBOSE) {
      System.out.println(report);
    }
    assertTrue(
        "ramBytesUsed must grow as vectors arrive: " + metaEmbed[0] + " -> " + metaEmbed[1],
        metaEmbed[1] > 0);
    assertTrue(report, metaEmbed[1] < 2 * single[1]);
    assertTrue(report, flat[1] > 10 * metaEmbed[1]);
  }

  private static float[][] full(float[] topic) {
    float[][] vectors = new float[MAX_VECTORS][];
    for (int i = 0; i < MAX_VECTORS; i++) {
      vectors[i] = topic.clone();
      vectors[i][i % DIM] += 0.01f * i;
    }
    return vectors;
  }

  /** Field writer heap after 100 docs, and its growth from 100 to 1100 docs. */
  private long[] fieldWriterGrowth(KnnVectorsFormat format, Function<Integer, Field> field)
      throws IOException {
    CapturingFormat capturing = new CapturingFormat(format);
    IndexWriterConfig iwc =
        newIndexWriterConfig()
            .setCodec(new CapturingCodec(capturing))
            .setRAMBufferSizeMB(1024)
            .setMaxBufferedDocs(IndexWriterConfig.DISABLE_AUTO_FLUSH);
    try (Directory dir = newDirectory();
        IndexWriter writer = new IndexWriter(dir, iwc)) {
      for (int i = 0; i < 1100; i++) {
        Document doc = new Document();
        doc.add(field.apply(i));
        writer.addDocument(doc);
        if (i == 99) {
          capturing.before = capturing.fieldWriter.ramBytesUsed();
        }
      }
      long growth = capturing.fieldWriter.ramBytesUsed() - capturing.before;
      writer.rollback();
      return new long[] {capturing.before, growth};
    }
  }

  private static final class CapturingCodec extends FilterCodec {
    private final KnnVectorsFormat format;

    CapturingCodec(KnnVectorsFormat format) {
      super("CapturingCodec", new MetaEmbedCodec());
      this.format = format;
    }

    @Override
    public KnnVectorsFormat knnVectorsFormat() {
      return format;
    }
  }

  /** Remembers the field writer the indexing chain gets; the index is never read. */
  private static final class CapturingFormat extends KnnVectorsFormat {
    private final KnnVectorsFormat in;
    KnnFieldVectorsWriter<?> fieldWriter;
    long before;

    CapturingFormat(KnnVectorsFormat in) {
      super(in.getName());
      this.in = in;
    }

    @Override
    public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
      KnnVectorsWriter writer = in.fieldsWriter(state);
      return new KnnVectorsWriter() {
        @Override
        public KnnFieldVectorsWriter<?> addField(FieldInfo fieldInfo) throws IOException {
          fieldWriter = writer.addField(fieldInfo);
          return fieldWriter;
        }

        @Override
        public void flush(int maxDoc, Sorter.DocMap sortMap) throws IOException {
          writer.flush(maxDoc, sortMap);
        }

        @Override
        public void finish() throws IOException {
          writer.finish();
        }

        @Override
        public long ramBytesUsed() {
          return writer.ramBytesUsed();
        }

        @Override
        public void close() throws IOException {
          writer.close();
        }
      };
    }

    @Override
    public KnnVectorsReader fieldsReader(SegmentReadState state) {
      throw new UnsupportedOperationException();
    }

    @Override
    public int getMaxDimensions(String fieldName) {
      return in.getMaxDimensions(fieldName);
    }
  }
}
