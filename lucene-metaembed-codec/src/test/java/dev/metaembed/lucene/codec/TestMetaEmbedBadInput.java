package dev.metaembed.lucene.codec;

import java.io.IOException;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * Bad input gets an {@link IllegalArgumentException} naming the field and the problem, at field
 * construction or {@code addDocument}, and the writer stays usable with nothing indexed lost.
 */
public class TestMetaEmbedBadInput extends LuceneTestCase {
  private static final FieldType DOT =
      MetaEmbedField.createFieldType(4, 3, VectorSimilarityFunction.DOT_PRODUCT);
  private static final FieldType COSINE =
      MetaEmbedField.createFieldType(4, 3, VectorSimilarityFunction.COSINE);

  private static final float[] GOOD = {0.5f, 0.5f, 0.5f, 0.5f};

  public void testNaNAndInfinity() {
    assertRejected("component 2 is NaN", () -> field(DOT, GOOD, new float[] {1, 0, Float.NaN, 0}));
    assertRejected(
        "component 0 is Infinity",
        () -> field(DOT, new float[] {Float.POSITIVE_INFINITY, 0, 0, 0}));
    assertRejected(
        "component 3 is -Infinity",
        () -> field(DOT, new float[] {1, 0, 0, Float.NEGATIVE_INFINITY}));
  }

  public void testWrongLength() {
    assertRejected(
        "vector 1: has 3 components, the field's dimension is 4",
        () -> field(DOT, GOOD, new float[3]));
    assertRejected("vector 0: has 5 components", () -> field(DOT, new float[] {1, 2, 3, 4, 5}));
  }

  public void testEmptyNullAndTooMany() {
    assertRejected("must have 1..3 vectors, got 0", () -> field(DOT));
    assertRejected("must have 1..3 vectors, got 4", () -> field(DOT, GOOD, GOOD, GOOD, GOOD));
    assertRejected("vectors must not be null", () -> new MetaEmbedField("page", null, DOT));
    assertRejected("vector 1: must not be null", () -> field(DOT, GOOD, null));
  }

  public void testZeroVectorOnlyRejectedForCosine() {
    assertRejected(
        "vector 1: is a zero vector, which cosine cannot score",
        () -> field(COSINE, GOOD, new float[4]));
    assertEquals(64 * 4 + 2, field(DOT, GOOD, new float[4]).vectorValue().length);
  }

  public void testTypeNotFromCreateFieldType() {
    FieldType plain = KnnFloatVectorField.createFieldType(12, VectorSimilarityFunction.DOT_PRODUCT);
    assertRejected(
        "the type must come from MetaEmbedField.createFieldType", () -> field(plain, GOOD));
  }

  public void testFieldTypeLimits() {
    var sim = VectorSimilarityFunction.EUCLIDEAN;
    expectMessage(
        "dimension must be in 1..4096, got 0", () -> MetaEmbedField.createFieldType(0, 4, sim));
    expectMessage(
        "dimension must be in 1..4096, got 4097",
        () -> MetaEmbedField.createFieldType(4097, 4, sim));
    expectMessage(
        "maxVectors must be in 1..64, got 0", () -> MetaEmbedField.createFieldType(8, 0, sim));
    expectMessage(
        "maxVectors must be in 1..64, got 65", () -> MetaEmbedField.createFieldType(8, 65, sim));
    expectThrows(NullPointerException.class, () -> MetaEmbedField.createFieldType(8, 4, null));
    FieldType largest = MetaEmbedField.createFieldType(4096, 64, sim);
    assertEquals(MetaEmbedVectorsFormat.MAX_FLAT_DIMENSIONS, largest.vectorDimension());
  }

  public void testValueCannotBeReplaced() {
    MetaEmbedField field = field(DOT, GOOD);
    expectThrows(UnsupportedOperationException.class, () -> field.setVectorValue(new float[12]));
  }

  /** Each rejected document leaves the writer usable and every accepted document intact. */
  public void testWriterStaysUsableAfterRejectedDocuments() throws IOException {
    try (Directory dir = newDirectory();
        IndexWriter writer =
            new IndexWriter(dir, newIndexWriterConfig().setCodec(new MetaEmbedCodec()))) {
      writer.addDocument(doc("ok-1", field(DOT, GOOD)));
      // another maxVectors: Lucene sees another flattened dimension
      assertRejectedAtAdd(
          writer,
          "page",
          doc(
              "bad-1",
              field(
                  MetaEmbedField.createFieldType(4, 5, VectorSimilarityFunction.DOT_PRODUCT),
                  GOOD)));
      // another similarity
      assertRejectedAtAdd(
          writer,
          "page",
          doc(
              "bad-2",
              field(
                  MetaEmbedField.createFieldType(4, 3, VectorSimilarityFunction.EUCLIDEAN), GOOD)));
      // same maxVectors × dimension (12), other shape
      FieldType sixByTwo =
          MetaEmbedField.createFieldType(6, 2, VectorSimilarityFunction.DOT_PRODUCT);
      float[] six = {1, 0, 0, 0, 0, 0};
      assertRejectedAtAdd(writer, "vector dimension", doc("bad-3", field(sixByTwo, six)));
      // a plain vector under a MetaEmbed type: no padding where the layout needs it
      float[] plain = new float[DOT.vectorDimension()];
      java.util.Arrays.fill(plain, 0.1f);
      assertRejectedAtAdd(
          writer,
          "only a MetaEmbedField can fill",
          doc("bad-5", new KnnFloatVectorField("page", plain, DOT)));
      writer.commit(); // the next segment must still know the field's shape
      assertRejectedAtAdd(writer, "vector dimension", doc("bad-6", field(sixByTwo, six, six)));
      // the same field twice in one document
      assertRejectedAtAdd(
          writer, "appears more than once", doc("bad-4", field(DOT, GOOD), field(DOT, GOOD)));
      writer.addDocument(doc("ok-2", field(DOT, GOOD, GOOD)));
      writer.commit();
      writer.addDocument(doc("ok-3", field(DOT, GOOD, GOOD, GOOD)));
      writer.forceMerge(1);
      writer.commit();
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        assertEquals(3, reader.numDocs());
        int vectors = 0;
        for (LeafReaderContext ctx : reader.leaves()) {
          MetaEmbedVectorValues values = MetaEmbedVectorValues.get(ctx.reader(), "page");
          for (int doc = 0; doc < ctx.reader().maxDoc(); doc++) {
            if (ctx.reader().getLiveDocs() == null || ctx.reader().getLiveDocs().get(doc)) {
              assertTrue(values.advanceExact(doc));
              vectors += values.vectorCount();
            }
          }
        }
        assertEquals(1 + 2 + 3, vectors);
      }
    }
  }

  public void testPlainFieldIsNotMetaEmbed() throws IOException {
    try (Directory dir = newDirectory();
        IndexWriter writer =
            new IndexWriter(dir, newIndexWriterConfig().setCodec(new MetaEmbedCodec()))) {
      Document doc = new Document();
      doc.add(new KnnFloatVectorField("plain", new float[] {1, 2}));
      writer.addDocument(doc);
      try (DirectoryReader reader = DirectoryReader.open(writer)) {
        var leaf = reader.leaves().get(0).reader();
        expectMessage(
            "plain vector field, not a MetaEmbed field",
            () -> MetaEmbedVectorValues.get(leaf, "plain"));
        Document metaEmbed = doc("ok", field(DOT, GOOD));
        writer.addDocument(metaEmbed);
        try (DirectoryReader reopened = DirectoryReader.openIfChanged(reader)) {
          var segment = reopened.leaves().get(reopened.leaves().size() - 1).reader();
          var accept = org.apache.lucene.search.AcceptDocs.fromLiveDocs(null, segment.maxDoc());
          expectMessage(
              "field \"page\": a query vector needs 4 components, got 5",
              () -> segment.searchNearestVectors("page", new float[5], 1, accept, 10));
          assertEquals(
              1, segment.searchNearestVectors("page", GOOD, 1, accept, 10).scoreDocs.length);
        }
        assertNull(MetaEmbedVectorValues.get(leaf, "missing"));
      }
    }
  }

  private static MetaEmbedField field(FieldType type, float[]... vectors) {
    return new MetaEmbedField("page", vectors, type);
  }

  private static Document doc(String id, Field... fields) {
    Document doc = new Document();
    doc.add(new StringField("id", id, Field.Store.YES));
    for (Field f : fields) {
      doc.add(f);
    }
    return doc;
  }

  private static void assertRejected(String message, ThrowingRunnable construction) {
    IllegalArgumentException e = expectThrows(IllegalArgumentException.class, construction);
    assertTrue(e.getMessage(), e.getMessage().contains("field \"page\""));
    assertTrue(e.getMessage(), e.getMessage().contains(message));
  }

  private static void expectMessage(String message, ThrowingRunnable runnable) {
    IllegalArgumentException e = expectThrows(IllegalArgumentException.class, runnable);
    assertTrue(e.getMessage(), e.getMessage().contains(message));
  }

  private static void assertRejectedAtAdd(IndexWriter writer, String message, Document doc) {
    IllegalArgumentException e =
        expectThrows(IllegalArgumentException.class, () -> writer.addDocument(doc));
    assertTrue(e.getMessage(), e.getMessage().contains("page"));
    assertTrue(e.getMessage(), e.getMessage().contains(message));
    assertTrue(writer.isOpen());
  }
}
