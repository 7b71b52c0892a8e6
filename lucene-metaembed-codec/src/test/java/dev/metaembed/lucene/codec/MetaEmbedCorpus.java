package dev.metaembed.lucene.codec;

import static org.apache.lucene.tests.util.LuceneTestCase.assertArrayEquals;
import static org.apache.lucene.tests.util.LuceneTestCase.assertEquals;
import static org.apache.lucene.tests.util.LuceneTestCase.assertFalse;
import static org.apache.lucene.tests.util.LuceneTestCase.assertNotNull;
import static org.apache.lucene.tests.util.LuceneTestCase.assertNull;
import static org.apache.lucene.tests.util.LuceneTestCase.assertTrue;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.util.Bits;

/**
 * The conformance suite's reference: which document (by its {@code id}) holds which vectors in
 * which MetaEmbed field, and the checks that an index holds exactly that, through every read path
 * and, for segments of {@link MetaEmbedVectorsFormat}, byte for byte against {@link SpecEncoding}
 * via {@link SpecPrefixStoreReader}.
 */
final class MetaEmbedCorpus {
  /** A MetaEmbed field of the corpus and its random shape. */
  record FieldSpec(
      String name,
      int dim,
      int maxVectors,
      VectorSimilarityFunction similarity,
      VectorStorage storage,
      boolean full) {
    FieldSpec(
        String name,
        int dim,
        int maxVectors,
        VectorSimilarityFunction similarity,
        VectorStorage storage) {
      this(name, dim, maxVectors, similarity, storage, false);
    }

    /** A random document's vectors for this field (1..maxVectors of them, or all when full). */
    float[][] randomVectors(Random random) {
      float[][] vectors = RandomMetaEmbedDocs.randomDocument(random, dim, maxVectors, similarity);
      while (full && vectors.length < maxVectors) {
        vectors = RandomMetaEmbedDocs.randomDocument(random, dim, maxVectors, similarity);
      }
      return vectors;
    }

    FieldSpec asFull() {
      return new FieldSpec(name, dim, maxVectors, similarity, storage, true);
    }

    FieldType type() {
      return MetaEmbedField.createFieldType(dim, maxVectors, similarity, storage);
    }

    static FieldSpec random(Random random, String name) {
      int dim = random.nextInt(5) == 0 ? 1 + random.nextInt(300) : 1 + random.nextInt(40);
      int maxVectors =
          random.nextInt(4) == 0 ? 64 : 1 + random.nextInt(random.nextBoolean() ? 4 : 20);
      return new FieldSpec(
          name, dim, maxVectors, RandomPicks.similarity(random), RandomPicks.storage(random));
    }

    @Override
    public String toString() {
      return name + "(" + dim + "x" + maxVectors + ", " + similarity + ", " + storage + ")";
    }
  }

  final List<FieldSpec> fields;

  /** id → field name → vectors as indexed; an id is live exactly when it is a key. */
  private final Map<Integer, Map<String, float[][]>> docs = new HashMap<>();

  private final java.util.Set<Integer> reencoded = new java.util.HashSet<>();
  private final Random random;

  MetaEmbedCorpus(List<FieldSpec> fields, Random random) {
    this.fields = fields;
    this.random = random;
  }

  /**
   * A new document {@code id} (replacing the reference's previous one) holding each field with
   * probability {@code fieldChance}, plus a {@code sort} doc value for index sorting.
   */
  Document newDocument(int id, double fieldChance) {
    return newDocument(id, field -> random.nextDouble() < fieldChance);
  }

  /** A new document {@code id} holding only the field {@code only}. */
  Document newDocument(int id, String only) {
    return newDocument(id, field -> field.name().equals(only));
  }

  private Document newDocument(int id, java.util.function.Predicate<FieldSpec> holds) {
    Document doc = new Document();
    doc.add(new StringField("id", Integer.toString(id), Field.Store.NO));
    doc.add(new NumericDocValuesField("id", id));
    doc.add(new NumericDocValuesField("sort", random.nextInt(1000)));
    Map<String, float[][]> values = new HashMap<>();
    for (FieldSpec field : fields) {
      if (holds.test(field)) {
        float[][] vectors = field.randomVectors(random);
        doc.add(new MetaEmbedField(field.name(), vectors, field.type()));
        values.put(field.name(), RandomMetaEmbedDocs.stored(vectors));
        scribble(vectors); // the field must have copied them
      }
    }
    docs.put(id, values);
    return doc;
  }

  void delete(int id) {
    docs.remove(id);
  }

  /**
   * Records that live documents with an id in [from, to) were merged in through a view that hides
   * the prefix store (a {@code SortingCodecReader}): their vectors were re-encoded from decoded
   * values, which for INT8 is a second quantization (the other storages encode their own decoded
   * values to the same bytes).
   */
  void markReencoded(int from, int to) {
    for (int id = from; id < to; id++) {
      if (docs.containsKey(id)) {
        reencoded.add(id);
      }
    }
  }

  void deleteAll() {
    docs.clear();
  }

  boolean has(int id, String field) {
    return docs.containsKey(id) && docs.get(id).containsKey(field);
  }

  /** Live documents holding {@code field}. */
  long countWith(String field) {
    return docs.values().stream().filter(d -> d.containsKey(field)).count();
  }

  /** The same fields, every document holding maxVectors vectors in each field it has. */
  MetaEmbedCorpus withFullDocuments() {
    return new MetaEmbedCorpus(fields.stream().map(FieldSpec::asFull).toList(), random);
  }

  static Term idTerm(int id) {
    return new Term("id", Integer.toString(id));
  }

  int liveDocs() {
    return docs.size();
  }

  /** Overwrites every component, so a value kept by reference would show up as wrong. */
  private void scribble(float[][] vectors) {
    for (float[] v : vectors) {
      java.util.Arrays.fill(v, 12345f + random.nextInt(10));
    }
  }

  /**
   * Checks that {@code reader} holds exactly the reference's live documents and their vectors: per
   * leaf through {@link MetaEmbedVectorValues} (whole, prefixes, both {@code readVectors}), through
   * the padded flat values, through the graph (a nearest-vector search scores vector 0 exactly), and
   * for this format's segments the stored bytes against {@link SpecEncoding}.
   */
  void check(IndexReader reader) throws IOException {
    Map<Integer, Integer> seen = new HashMap<>();
    for (LeafReaderContext ctx : reader.leaves()) {
      LeafReader leaf = ctx.reader();
      Map<Integer, Integer> leafIds = liveIds(leaf);
      for (Integer id : leafIds.values()) {
        assertNull("id " + id + " live twice", seen.put(id, ctx.ord));
      }
      Map<String, SpecPrefixStoreReader.StoredField> stored = SpecPrefixStoreReader.read(leaf);
      for (FieldSpec field : fields) {
        checkField(leaf, field, leafIds, stored.get(field.name()));
      }
    }
    assertEquals("live ids", docs.keySet(), seen.keySet());
  }

  /** doc → id of the leaf's live documents. */
  private static Map<Integer, Integer> liveIds(LeafReader leaf) throws IOException {
    Map<Integer, Integer> ids = new HashMap<>();
    NumericDocValues values = leaf.getNumericDocValues("id");
    Bits live = leaf.getLiveDocs();
    for (int doc = 0; doc < leaf.maxDoc(); doc++) {
      if (live == null || live.get(doc)) {
        assertTrue(values.advanceExact(doc));
        ids.put(doc, (int) values.longValue());
      }
    }
    return ids;
  }

  private void checkField(
      LeafReader leaf,
      FieldSpec field,
      Map<Integer, Integer> ids,
      SpecPrefixStoreReader.StoredField stored)
      throws IOException {
    MetaEmbedVectorValues values = MetaEmbedVectorValues.get(leaf, field.name());
    FloatVectorValues flat = leaf.getFloatVectorValues(field.name());
    KnnVectorValues.DocIndexIterator flatDocs = flat == null ? null : flat.iterator();
    int withField = 0;
    for (var e : ids.entrySet()) {
      float[][] want = docs.get(e.getValue()).get(field.name());
      if (want != null) {
        withField++;
      }
    }
    if (withField == 0 && values == null) {
      return;
    }
    assertNotNull(
        field + " missing in a leaf with " + withField + " live documents with it", values);
    assertEquals(field.dim(), values.dimension());
    assertEquals(field.maxVectors(), values.maxVectors());
    assertEquals(field.storage(), values.storage());
    assertEquals(field.similarity(), values.similarityFunction());
    for (int doc = 0; doc < leaf.maxDoc(); doc++) {
      boolean has = values.advanceExact(doc);
      if (flatDocs.docID() < doc) {
        flatDocs.advance(doc);
      }
      assertEquals(
          field + " doc " + doc + ": both read paths see the document",
          has,
          flatDocs.docID() == doc);
      Integer id = ids.get(doc);
      if (id == null) {
        continue; // deleted
      }
      float[][] want = docs.get(id).get(field.name());
      assertEquals(field + " id " + id + " has the field", want != null, has);
      if (want != null) {
        float[][] indexed = reencoded.contains(id) ? reencode(field, want) : want;
        checkDocument(field, doc, id, indexed, values, flat.vectorValue(flatDocs.index()), stored);
      }
    }
    checkGraph(leaf, field, ids);
  }

  private void checkDocument(
      FieldSpec field,
      int doc,
      int id,
      float[][] indexed,
      MetaEmbedVectorValues values,
      float[] padded,
      SpecPrefixStoreReader.StoredField stored)
      throws IOException {
    String where = field + " id " + id;
    float[][] want = expectedRead(field, indexed);
    assertEquals(where + " vector count", want.length, values.vectorCount());
    float[][] all = values.vectors(Integer.MAX_VALUE);
    assertSameBits(where, want, all);
    int prefix = random.nextInt(field.maxVectors() + 2) - 1; // -1..maxVectors+1
    int n = Math.max(0, Math.min(prefix, want.length));
    float[][] head = values.vectors(prefix);
    assertEquals(where + " prefix " + prefix, n, head.length);
    float[][] dest = new float[field.maxVectors()][field.dim()];
    assertEquals(n, values.readVectors(prefix, dest));
    float[] flatDest = new float[field.maxVectors() * field.dim()];
    assertEquals(n, values.readVectors(prefix, flatDest));
    for (int i = 0; i < n; i++) {
      assertArrayEquals(where, want[i], head[i], 0f);
      assertArrayEquals(where, want[i], dest[i], 0f);
      assertArrayEquals(
          where,
          want[i],
          java.util.Arrays.copyOfRange(flatDest, i * field.dim(), (i + 1) * field.dim()),
          0f);
    }
    if (all.length > 0) {
      all[0][0] = 999f; // returned arrays belong to the caller: a later read must not see this
      assertEquals(
          where,
          Float.floatToRawIntBits(want[0][0]),
          Float.floatToRawIntBits(values.vectors(1)[0][0]));
    }
    assertPadded(where, field, want, padded);
    assertNotNull(where + ": no entry in the prefix store files", stored);
    assertStoredBytes(where, field, indexed, stored.vectors().get(doc));
  }

  /** The values a re-encoding merge encodes: vector 0 exact, the others decoded. */
  private static float[][] reencode(FieldSpec field, float[][] indexed) {
    return RandomMetaEmbedDocs.stored(indexed, field.storage());
  }

  /** What a reader returns: vector 0 exact (from the graph), the others as stored. */
  private static float[][] expectedRead(FieldSpec field, float[][] indexed) {
    return RandomMetaEmbedDocs.stored(indexed, field.storage());
  }

  private static void assertStoredBytes(
      String where, FieldSpec field, float[][] indexed, byte[][] bytes) {
    assertNotNull(where + ": no stored bytes", bytes);
    assertEquals(where, indexed.length, bytes.length);
    for (int i = 0; i < indexed.length; i++) {
      assertArrayEquals(
          where + " vector " + i + " bytes",
          SpecEncoding.encode(field.storage(), indexed[i]),
          bytes[i]);
    }
  }

  private static void assertSameBits(String where, float[][] want, float[][] got) {
    assertEquals(where, want.length, got.length);
    for (int i = 0; i < want.length; i++) {
      assertEquals(where, want[i].length, got[i].length);
      for (int c = 0; c < want[i].length; c++) {
        assertEquals(
            where + " vector " + i + " component " + c,
            Float.floatToRawIntBits(want[i][c]),
            Float.floatToRawIntBits(got[i][c]));
      }
    }
  }

  private static void assertPadded(String where, FieldSpec field, float[][] vectors, float[] flat) {
    int dim = field.dim();
    assertEquals(where, 64 * dim + field.maxVectors() - 1, flat.length);
    for (int i = 0; i < flat.length; i++) {
      int expected =
          i < vectors.length * dim
              ? Float.floatToRawIntBits(vectors[i / dim][i % dim])
              : Float.floatToRawIntBits(-0f);
      assertEquals(where + " flattened component " + i, expected, Float.floatToRawIntBits(flat[i]));
    }
  }

  /** The graph over vector 0: a search returns live documents scored by their exact vector 0. */
  private void checkGraph(LeafReader leaf, FieldSpec field, Map<Integer, Integer> ids)
      throws IOException {
    float[] target =
        RandomMetaEmbedDocs.randomDocument(random, field.dim(), 1, field.similarity())[0];
    TopDocs hits =
        leaf.searchNearestVectors(
            field.name(),
            target,
            5,
            AcceptDocs.fromLiveDocs(leaf.getLiveDocs(), leaf.maxDoc()),
            Integer.MAX_VALUE);
    for (ScoreDoc hit : hits.scoreDocs) {
      Integer id = ids.get(hit.doc);
      assertNotNull("hit on a deleted document", id);
      float[][] indexed = docs.get(id).get(field.name());
      assertNotNull("hit on a document without the field", indexed);
      assertEquals(
          field + " id " + id, field.similarity().compare(target, indexed[0]), hit.score, 1e-5f);
    }
    assertFalse(
        hits.scoreDocs.length == 0
            && ids.values().stream().anyMatch(id -> docs.get(id).containsKey(field.name())));
  }
}
