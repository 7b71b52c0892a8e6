package dev.metaembed.lucene.codec;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.CodecReader;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.tests.util.TestUtil;
import org.apache.lucene.util.Bits;

/**
 * Random documents with random vector counts, deletes, updates, flushes, merges and index sorting;
 * after each reopen every stored vector must equal the test's reference bit for bit.
 */
public class TestMetaEmbedRoundTrip extends LuceneTestCase {
  private static final String FIELD = "page";
  private static final String OTHER = "title_vectors";

  private int dim;
  private int maxVectors;
  private VectorSimilarityFunction similarity;
  private VectorStorage storage;
  private FieldType type;
  private FieldType otherType;
  /** id → vectors as stored, for live documents; missing key or null: no vectors. */
  private final Map<Integer, float[][]> reference = new HashMap<>();
  private final Map<Integer, float[][]> otherReference = new HashMap<>();
  /** id → vector 0 as indexed: the graph keeps it in full precision whatever the storage. */
  private final Map<Integer, float[]> firstVectors = new HashMap<>();

  @Override
  public void setUp() throws Exception {
    super.setUp();
    dim = 1 + random().nextInt(48);
    maxVectors = random().nextBoolean() ? 64 : 1 + random().nextInt(16);
    similarity = RandomPicks.similarity(random());
    storage = RandomPicks.storage(random());
    type = MetaEmbedField.createFieldType(dim, maxVectors, similarity, storage);
    otherType = MetaEmbedField.createFieldType(3, 2, VectorSimilarityFunction.EUCLIDEAN);
  }

  public void testRandomRoundTrip() throws IOException {
    try (Directory dir = newDirectory()) {
      IndexWriterConfig iwc = newIndexWriterConfig().setCodec(new MetaEmbedCodec());
      iwc.setMaxBufferedDocs(TestUtil.nextInt(random(), 5, 50));
      boolean sorted = random().nextBoolean();
      if (sorted) {
        iwc.setIndexSort(new Sort(new SortField("sort", SortField.Type.LONG, random().nextBoolean())));
      }
      try (IndexWriter writer = new IndexWriter(dir, iwc)) {
        int ops = atLeast(1500);
        for (int op = 0; op < ops; op++) {
          applyRandomOperation(writer, op);
          if (random().nextInt(100) == 0) {
            try (DirectoryReader reader = DirectoryReader.open(writer)) {
              checkAgainstReference(reader);
            }
          }
        }
        writer.commit();
        try (DirectoryReader reader = DirectoryReader.open(dir)) {
          checkAgainstReference(reader);
        }
        writer.forceMerge(1);
        writer.commit();
      }
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        assertEquals(1, reader.leaves().size());
        checkAgainstReference(reader);
        checkSearchScoresVectorZero(reader);
      }
      TestUtil.checkIndex(dir);
    }
  }

  private void applyRandomOperation(IndexWriter writer, int op) throws IOException {
    int id = random().nextInt(Math.max(1, op));
    switch (random().nextInt(10)) {
      case 0 -> {
        writer.deleteDocuments(new Term("id", Integer.toString(id)));
        reference.remove(id);
        otherReference.remove(id);
        firstVectors.remove(id);
      }
      case 1, 2 -> writer.updateDocument(new Term("id", Integer.toString(id)), newDocument(id));
      case 3 -> {
        if (random().nextInt(20) == 0) {
          writer.flush();
        }
        writer.addDocument(newDocument(op + 1_000_000));
      }
      default -> writer.addDocument(newDocument(op + 1_000_000));
    }
  }

  private Document newDocument(int id) {
    Document doc = new Document();
    doc.add(new StringField("id", Integer.toString(id), Field.Store.NO));
    doc.add(new NumericDocValuesField("id", id));
    doc.add(new NumericDocValuesField("sort", random().nextInt(1000)));
    reference.remove(id);
    otherReference.remove(id);
    firstVectors.remove(id);
    if (random().nextInt(5) != 0) { // some documents have no vectors: sparse fields
      float[][] vectors = RandomMetaEmbedDocs.randomDocument(random(), dim, maxVectors, similarity);
      doc.add(new MetaEmbedField(FIELD, vectors, type));
      reference.put(id, RandomMetaEmbedDocs.stored(vectors, storage));
      firstVectors.put(id, RandomMetaEmbedDocs.stored(vectors)[0]);
    }
    if (random().nextBoolean()) {
      float[][] vectors =
          RandomMetaEmbedDocs.randomDocument(random(), 3, 2, VectorSimilarityFunction.EUCLIDEAN);
      doc.add(new MetaEmbedField(OTHER, vectors, otherType));
      otherReference.put(id, RandomMetaEmbedDocs.stored(vectors));
    }
    if (random().nextInt(4) == 0) { // a plain vector field in the same documents
      doc.add(new KnnFloatVectorField("plain", new float[] {id, 1f}));
    }
    return doc;
  }

  private void checkAgainstReference(DirectoryReader reader) throws IOException {
    Map<Integer, float[][]> seen = new HashMap<>();
    Map<Integer, float[][]> otherSeen = new HashMap<>();
    for (LeafReaderContext ctx : reader.leaves()) {
      collect(ctx.reader(), FIELD, seen);
      collect(ctx.reader(), OTHER, otherSeen);
    }
    assertSameVectors(reference, seen);
    assertSameVectors(otherReference, otherSeen);
  }

  /** Reads every live document's vectors through both read paths and checks they agree. */
  private void collect(LeafReader leaf, String field, Map<Integer, float[][]> seen)
      throws IOException {
    MetaEmbedVectorValues values = MetaEmbedVectorValues.get(leaf, field);
    FloatVectorValues flat = leaf.getFloatVectorValues(field);
    if (values == null) {
      assertTrue(flat == null || flat.size() == 0);
      return;
    }
    assertTrue(leaf instanceof CodecReader);
    var flatDocs = flat.iterator();
    NumericDocValues ids = leaf.getNumericDocValues("id");
    Bits live = leaf.getLiveDocs();
    for (int doc = 0; doc < leaf.maxDoc(); doc++) {
      boolean has = values.advanceExact(doc);
      if (flatDocs.docID() < doc) {
        flatDocs.advance(doc);
      }
      assertEquals("doc " + doc, has, flatDocs.docID() == doc);
      if (has == false || (live != null && live.get(doc) == false)) {
        continue;
      }
      assertTrue(ids.advanceExact(doc));
      int count = values.vectorCount();
      float[][] all = values.vectors(Integer.MAX_VALUE);
      assertEquals(count, all.length);
      int prefix = 1 + random().nextInt(values.maxVectors());
      float[][] head = values.vectors(prefix);
      assertEquals(Math.min(prefix, count), head.length);
      for (int i = 0; i < head.length; i++) {
        assertArrayEquals(all[i], head[i], 0f);
      }
      float[][] scratch = new float[values.maxVectors()][values.dimension()];
      assertEquals(head.length, values.readVectors(prefix, scratch));
      float[] flatScratch = new float[values.maxVectors() * values.dimension()];
      assertEquals(head.length, values.readVectors(prefix, flatScratch));
      for (int i = 0; i < head.length; i++) {
        assertArrayEquals(head[i], scratch[i], 0f);
        float[] fromFlat = java.util.Arrays.copyOfRange(
            flatScratch, i * values.dimension(), (i + 1) * values.dimension());
        assertArrayEquals(head[i], fromFlat, 0f);
      }
      if (field.equals(FIELD)) { // vector 0 is exact whatever the storage
        assertArrayEquals(firstVectors.get((int) ids.longValue()), all[0], 0f);
      }
      assertPadded(all, flat.vectorValue(flatDocs.index()), values.dimension());
      assertNull("doc id seen twice", seen.put((int) ids.longValue(), all));
    }
  }

  private static void assertPadded(float[][] vectors, float[] flat, int dim) {
    for (int i = 0; i < flat.length; i++) {
      int expected =
          i < vectors.length * dim
              ? Float.floatToRawIntBits(vectors[i / dim][i % dim])
              : Float.floatToRawIntBits(-0f);
      assertEquals("flattened component " + i, expected, Float.floatToRawIntBits(flat[i]));
    }
  }

  private static void assertSameVectors(Map<Integer, float[][]> expected, Map<Integer, float[][]> actual) {
    assertEquals(expected.keySet(), actual.keySet());
    for (var e : expected.entrySet()) {
      float[][] want = e.getValue();
      float[][] got = actual.get(e.getKey());
      assertEquals("vector count of id " + e.getKey(), want.length, got.length);
      for (int i = 0; i < want.length; i++) {
        for (int c = 0; c < want[i].length; c++) {
          assertEquals(
              "id " + e.getKey() + " vector " + i + " component " + c,
              Float.floatToRawIntBits(want[i][c]),
              Float.floatToRawIntBits(got[i][c]));
        }
      }
    }
  }

  /** The graph holds vector 0 of the right documents: hit scores equal their true similarity. */
  private void checkSearchScoresVectorZero(DirectoryReader reader) throws IOException {
    LeafReader leaf = reader.leaves().get(0).reader();
    MetaEmbedVectorValues values = MetaEmbedVectorValues.get(leaf, FIELD);
    if (values == null) {
      return;
    }
    NumericDocValues ids = leaf.getNumericDocValues("id");
    float[] target = RandomMetaEmbedDocs.randomDocument(random(), dim, 1, similarity)[0];
    TopDocs hits =
        leaf.searchNearestVectors(
            FIELD,
            target,
            10,
            AcceptDocs.fromLiveDocs(leaf.getLiveDocs(), leaf.maxDoc()),
            Integer.MAX_VALUE);
    assertTrue(hits.scoreDocs.length > 0);
    int previous = -1;
    for (var hit : java.util.Arrays.stream(hits.scoreDocs).sorted((a, b) -> a.doc - b.doc).toList()) {
      assertTrue(hit.doc > previous);
      previous = hit.doc;
      assertTrue(values.advanceExact(hit.doc));
      assertTrue(ids.advanceExact(hit.doc));
      float expected = similarity.compare(target, firstVectors.get((int) ids.longValue()));
      assertEquals(expected, hit.score, 1e-5f);
    }
  }
}
