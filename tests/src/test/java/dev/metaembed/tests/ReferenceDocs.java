package dev.metaembed.tests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import dev.metaembed.lucene.codec.MetaEmbedField;
import dev.metaembed.lucene.codec.MetaEmbedVectorValues;
import dev.metaembed.lucene.codec.SpecEncoding;
import dev.metaembed.lucene.codec.VectorStorage;
import java.io.IOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.util.Bits;

/**
 * The test's own record of what was indexed, to check an index against bit for bit: id → the
 * vectors the index must return for that document (-0.0 as +0.0; vectors 1 and up encoded and
 * decoded with the field's storage, vector 0 exact).
 */
final class ReferenceDocs {
  static final String ID = "id";
  static final String FIELD = "page";

  private final int dim;
  private final int maxVectors;
  private final FieldType type;
  private final VectorStorage storage;
  private final Map<String, float[][]> expected = new ConcurrentHashMap<>();

  ReferenceDocs(
      int dim, int maxVectors, VectorSimilarityFunction similarity, VectorStorage storage) {
    this.dim = dim;
    this.maxVectors = maxVectors;
    this.type = MetaEmbedField.createFieldType(dim, maxVectors, similarity, storage);
    this.storage = storage;
  }

  FieldType type() {
    return type;
  }

  int dimension() {
    return dim;
  }

  int maxVectors() {
    return maxVectors;
  }

  VectorStorage storage() {
    return storage;
  }

  /** Random vectors for one document: 1..maxVectors of them, valid for the field's similarity. */
  float[][] randomVectors(Random random) {
    float[][] vectors = new float[1 + random.nextInt(maxVectors)][dim];
    for (float[] vector : vectors) {
      double norm = 0;
      for (int c = 0; c < dim; c++) {
        vector[c] = random.nextFloat() * 2 - 1;
        norm += vector[c] * vector[c];
      }
      if (norm == 0) {
        vector[0] = 1f;
        norm = 1;
      }
      if (type.vectorSimilarityFunction() == VectorSimilarityFunction.DOT_PRODUCT) {
        for (int c = 0; c < dim; c++) {
          vector[c] /= (float) Math.sqrt(norm);
        }
      }
    }
    return vectors;
  }

  /** A document with a string id and the vectors; not yet recorded (see {@link #put}). */
  Document document(String id, float[][] vectors) {
    Document doc = new Document();
    doc.add(new StringField(ID, id, Field.Store.YES));
    doc.add(new MetaEmbedField(FIELD, vectors, type));
    return doc;
  }

  /** Records that {@code id} now holds {@code vectors} (after an add or update was acknowledged). */
  void put(String id, float[][] vectors) {
    expected.put(id, stored(vectors));
  }

  void remove(String id) {
    expected.remove(id);
  }

  Map<String, float[][]> snapshot() {
    return Map.copyOf(expected);
  }

  /**
   * What the index returns for {@code vectors}: vector 0 exact (from the graph), the others as the
   * independent {@link SpecEncoding} encodes and decodes them.
   */
  float[][] stored(float[][] vectors) {
    float[][] result = new float[vectors.length][];
    for (int i = 0; i < vectors.length; i++) {
      float[] exact = vectors[i].clone();
      for (int c = 0; c < exact.length; c++) {
        if (exact[c] == 0f) {
          exact[c] = 0f; // -0.0 is stored as +0.0
        }
      }
      result[i] = i == 0 ? exact : SpecEncoding.roundTrip(storage, exact);
    }
    return result;
  }

  /**
   * Asserts that the live documents of {@code reader} are exactly {@code want}: the same ids, each
   * once, each with the same vectors bit for bit.
   */
  static void assertSameDocuments(IndexReader reader, Map<String, float[][]> want)
      throws IOException {
    Set<String> seen = new HashSet<>();
    for (LeafReaderContext context : reader.leaves()) {
      LeafReader leaf = context.reader();
      Bits live = leaf.getLiveDocs();
      StoredFields stored = leaf.storedFields();
      MetaEmbedVectorValues values = MetaEmbedVectorValues.get(leaf, FIELD);
      for (int doc = 0; doc < leaf.maxDoc(); doc++) {
        if (live != null && live.get(doc) == false) {
          continue;
        }
        String id = stored.document(doc).get(ID);
        float[][] vectors = want.get(id);
        assertNotNull("document " + id + " is in the index but was never acknowledged", vectors);
        assertTrue("document " + id + " appears twice", seen.add(id));
        assertNotNull(values);
        assertTrue("document " + id + " has no vectors", values.advanceExact(doc));
        float[][] got = values.vectors(values.maxVectors());
        assertEquals("vector count of " + id, vectors.length, got.length);
        for (int i = 0; i < vectors.length; i++) {
          assertArrayEquals("document " + id + " vector " + i, vectors[i], got[i], 0f);
        }
      }
    }
    assertEquals("acknowledged documents missing from the index", want.keySet(), seen);
  }
}
