package dev.metaembed.lucene.search;

import dev.metaembed.lucene.codec.MetaEmbedCodec;
import dev.metaembed.lucene.codec.MetaEmbedField;
import dev.metaembed.lucene.codec.SpecEncoding;
import dev.metaembed.lucene.codec.VectorStorage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.LateInteractionField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.DoubleValues;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.LateInteractionFloatValuesSource;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.tests.util.TestUtil;

/**
 * Exact mode equals a naive reference for every paper budget and every similarity function, on
 * every storage and on a sorted index.
 */
public class TestLateInteractionExact extends LuceneTestCase {
  private static final int[][] BUDGETS = {{1, 1}, {2, 4}, {4, 8}, {8, 16}, {16, 64}};
  private static final int DIM = 8;
  private static final int K = 10;

  public void testExactEqualsNaiveReferenceForEveryBudgetAndSimilarity() throws IOException {
    for (VectorSimilarityFunction similarity : VectorSimilarityFunction.values()) {
      checkSimilarity(similarity, VectorStorage.FLOAT32);
    }
  }

  /** Compact encodings: the same, against the reference over the decoded vectors. */
  public void testExactOnCompactStorageEqualsReferenceOnDecodedVectors() throws IOException {
    VectorSimilarityFunction[] similarities = VectorSimilarityFunction.values();
    for (VectorStorage storage : VectorStorage.values()) {
      if (storage != VectorStorage.FLOAT32) {
        checkSimilarity(similarities[random().nextInt(similarities.length)], storage);
      }
    }
  }

  /**
   * On an index sorted by a doc value (segments sorted at flush and at merge, so doc ids differ from
   * insertion order and the prefix store is written through the sort map), exact search still
   * equals the reference, and every approximate hit carries its document's true score.
   */
  public void testSortedIndexEqualsReference() throws IOException {
    VectorSimilarityFunction[] similarities = VectorSimilarityFunction.values();
    VectorStorage[] storages = VectorStorage.values();
    checkSimilarity(
        similarities[random().nextInt(similarities.length)],
        storages[random().nextInt(storages.length)],
        new Sort(new SortField("rank", SortField.Type.LONG, random().nextBoolean())));
  }

  private void checkSimilarity(VectorSimilarityFunction similarity, VectorStorage storage)
      throws IOException {
    checkSimilarity(similarity, storage, null);
  }

  private void checkSimilarity(
      VectorSimilarityFunction similarity, VectorStorage storage, Sort sort) throws IOException {
    ClusteredVectors data = new ClusteredVectors(random(), DIM, 5);
    FieldType type = MetaEmbedField.createFieldType(DIM, 64, similarity, storage);
    List<float[][]> docs = new ArrayList<>();
    try (Directory dir = newDirectory()) {
      IndexWriterConfig iwc = newIndexWriterConfig().setCodec(new MetaEmbedCodec());
      if (sort != null) {
        iwc.setIndexSort(sort).setMaxBufferedDocs(TestUtil.nextInt(random(), 10, 60));
      }
      try (IndexWriter writer = new IndexWriter(dir, iwc)) {
        int count = atLeast(150);
        for (int id = 0; id < count; id++) {
          float[][] vectors = data.item(1 + random().nextInt(64));
          Document doc = new Document();
          doc.add(new NumericDocValuesField("rank", random().nextInt(1000)));
          doc.add(new NumericDocValuesField("id", id));
          doc.add(new StoredField("id", id));
          doc.add(new MetaEmbedField("page", vectors, type));
          doc.add(new LateInteractionField("lucene", vectors));
          writer.addDocument(doc);
          docs.add(decoded(vectors, storage));
        }
      }
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        IndexSearcher searcher = newSearcher(reader);
        float[][] query = data.item(16);
        for (int[] budget : BUDGETS) {
          LateInteractionQuery q =
              LateInteractionQuery.builder("page", query)
                  .k(K)
                  .budget(budget[0], budget[1])
                  .exact()
                  .build();
          TopDocs hits = searcher.search(q, K);
          assertSameRanking(
              similarity + " " + storage,
              budget,
              reference(docs, query, budget, similarity),
              hits,
              searcher);
        }
        if (storage == VectorStorage.FLOAT32) {
          assertMatchesLuceneLateInteraction(reader, query, similarity);
        }
        if (sort != null) {
          assertTrue(
              "sorted segments",
              reader.leaves().stream().allMatch(c -> sort.equals(c.reader().getMetaData().sort())));
          assertApproximateHitsHaveTrueScores(searcher, docs, query, similarity);
        }
      }
    }
  }

  private static List<ScoreDoc> reference(
      List<float[][]> docs, float[][] query, int[] budget, VectorSimilarityFunction similarity) {
    List<ScoreDoc> all = new ArrayList<>();
    for (int id = 0; id < docs.size(); id++) {
      all.add(
          new ScoreDoc(
              id,
              ClusteredVectors.naiveMaxSim(query, budget[0], docs.get(id), budget[1], similarity)));
    }
    all.sort(Comparator.comparingDouble((ScoreDoc d) -> -d.score).thenComparingInt(d -> d.doc));
    return all;
  }

  /**
   * What the index returns for {@code vectors} stored as {@code storage}: vector 0 exact (read from
   * the graph), the others as the independent {@link SpecEncoding} encodes and decodes them.
   */
  private static float[][] decoded(float[][] vectors, VectorStorage storage) {
    float[][] out = new float[vectors.length][];
    for (int i = 0; i < vectors.length; i++) {
      float[] v = vectors[i].clone();
      for (int c = 0; c < DIM; c++) {
        v[c] = v[c] == 0f ? 0f : v[c]; // -0.0 is stored as +0.0
      }
      out[i] = i == 0 ? v : SpecEncoding.roundTrip(storage, v);
    }
    return out;
  }

  private static void assertSameRanking(
      String similarity,
      int[] budget,
      List<ScoreDoc> expected,
      TopDocs hits,
      IndexSearcher searcher)
      throws IOException {
    String where = similarity + " budget (" + budget[0] + "," + budget[1] + ")";
    assertEquals(where, K, hits.scoreDocs.length);
    for (int rank = 0; rank < K; rank++) {
      ScoreDoc hit = hits.scoreDocs[rank];
      int id = searcher.storedFields().document(hit.doc).getField("id").numericValue().intValue();
      ScoreDoc want = expected.get(rank);
      assertEquals(where + " rank " + rank, want.score, hit.score, 1e-5f);
      if (id != want.doc) { // only a tie may swap documents
        float idScore = expected.stream().filter(d -> d.doc == id).findFirst().orElseThrow().score;
        assertEquals(where + " rank " + rank + " tie", want.score, idScore, 1e-5f);
      }
    }
  }

  private static void assertApproximateHitsHaveTrueScores(
      IndexSearcher searcher,
      List<float[][]> docs,
      float[][] query,
      VectorSimilarityFunction similarity)
      throws IOException {
    for (int[] budget : BUDGETS) {
      LateInteractionQuery q =
          LateInteractionQuery.builder("page", query).k(K).budget(budget[0], budget[1]).build();
      TopDocs hits = searcher.search(q, K);
      assertEquals(K, hits.scoreDocs.length);
      for (ScoreDoc hit : hits.scoreDocs) {
        int id = searcher.storedFields().document(hit.doc).getField("id").numericValue().intValue();
        float want =
            ClusteredVectors.naiveMaxSim(query, budget[0], docs.get(id), budget[1], similarity);
        assertEquals("approximate hit id " + id, want, hit.score, 1e-5f);
      }
    }
  }

  /** At the full budget, MaxSimValuesSource equals Lucene's own late-interaction values. */
  private static void assertMatchesLuceneLateInteraction(
      DirectoryReader reader, float[][] query, VectorSimilarityFunction similarity)
      throws IOException {
    var ours = new MaxSimValuesSource("page", query, query.length, 64);
    var lucene = new LateInteractionFloatValuesSource("lucene", query, similarity);
    for (LeafReaderContext ctx : reader.leaves()) {
      DoubleValues a = ours.getValues(ctx, null);
      DoubleValues b = lucene.getValues(ctx, null);
      for (int doc = 0; doc < ctx.reader().maxDoc(); doc++) {
        assertTrue(a.advanceExact(doc));
        assertTrue(b.advanceExact(doc));
        assertEquals(similarity + " doc " + doc, b.doubleValue(), a.doubleValue(), 1e-5);
      }
    }
  }
}
