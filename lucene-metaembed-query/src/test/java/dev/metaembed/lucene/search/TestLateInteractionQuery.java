package dev.metaembed.lucene.search;

import dev.metaembed.lucene.codec.MetaEmbedCodec;
import dev.metaembed.lucene.codec.MetaEmbedField;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.RescoreTopNQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.search.QueryUtils;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.util.NamedThreadFactory;

/** Composition with Lucene search: hybrid, explain, timeout, equality, threads, bad input. */
public class TestLateInteractionQuery extends LuceneTestCase {
  private static final int DIM = 8;
  private static final VectorSimilarityFunction SIM = VectorSimilarityFunction.DOT_PRODUCT;

  private Directory dir;
  private DirectoryReader reader;
  private ClusteredVectors data;

  @Override
  public void setUp() throws Exception {
    super.setUp();
    data = new ClusteredVectors(random(), DIM, 8);
    dir = newDirectory();
    FieldType type = MetaEmbedField.createFieldType(DIM, 16, SIM);
    try (IndexWriter writer =
        new IndexWriter(
            dir, newIndexWriterConfig().setCodec(new MetaEmbedCodec()).setMaxBufferedDocs(97))) {
      int docs = atLeast(500);
      for (int id = 0; id < docs; id++) {
        Document doc = new Document();
        doc.add(new StringField("id", Integer.toString(id), Field.Store.YES));
        doc.add(new StringField("parity", id % 2 == 0 ? "even" : "odd", Field.Store.NO));
        doc.add(new TextField("body", id % 7 == 0 ? "manual page" : "other text", Field.Store.NO));
        if (id % 11 != 5) { // some documents have no vectors
          doc.add(new MetaEmbedField("page", data.item(1 + random().nextInt(16)), type));
        }
        writer.addDocument(doc);
      }
      writer.deleteDocuments(new Term("id", "3"), new Term("id", "4"), new Term("id", "10"));
    }
    reader = DirectoryReader.open(dir);
  }

  @Override
  public void tearDown() throws Exception {
    reader.close();
    dir.close();
    super.tearDown();
  }

  private LateInteractionQuery.Builder query(float[][] vectors) {
    return LateInteractionQuery.builder("page", vectors).k(10).budget(4, 8);
  }

  public void testExplainEqualsScoreAndNamesBudgetAndBestVectors() throws IOException {
    IndexSearcher searcher = newSearcher(reader);
    float[][] vectors = data.item(16);
    Query q = query(vectors).build();
    TopDocs hits = searcher.search(q, 10);
    assertEquals(10, hits.scoreDocs.length);
    for (ScoreDoc hit : hits.scoreDocs) {
      Explanation explanation = searcher.explain(q, hit.doc);
      assertTrue(explanation.isMatch());
      assertEquals(hit.score, explanation.getValue().floatValue(), 0f);
      Explanation maxSim = explanation.getDetails()[0];
      assertTrue(
          maxSim.getDescription(), maxSim.getDescription().contains("budget (r_q=4, r_c=8)"));
      assertEquals(4, maxSim.getDetails().length);
      float sum = 0;
      for (Explanation perVector : maxSim.getDetails()) {
        assertTrue(
            perVector.getDescription(),
            perVector.getDescription().matches("query vector \\d: best document vector [0-7] .*"));
        sum += perVector.getValue().floatValue();
      }
      assertEquals(hit.score, sum, 1e-6f);
    }
    Query boosted = new org.apache.lucene.search.BoostQuery(q, 2f);
    ScoreDoc top = searcher.search(boosted, 1).scoreDocs[0];
    assertEquals(2 * hits.scoreDocs[0].score, top.score, 1e-6f);
    assertEquals(top.score, searcher.explain(boosted, top.doc).getValue().floatValue(), 0f);
    int missing = hits.scoreDocs[0].doc == 0 ? 1 : 0;
    boolean isHit = false;
    for (ScoreDoc hit : hits.scoreDocs) {
      isHit |= hit.doc == missing;
    }
    assertEquals(isHit, searcher.explain(q, missing).isMatch());
  }

  /**
   * Lucene's own query sanity checks: equality, explanations, bulk scoring with skips, counting.
   * (Not its skip-to checks, which rewrite the query on each segment alone: a top-k query's
   * rewrite over one segment is that segment's top k, as for KnnFloatVectorQuery.)
   */
  public void testLuceneQueryUtilsChecks() throws IOException {
    IndexSearcher searcher = newSearcher(reader);
    for (Query q :
        new Query[] {
          query(data.item(16)).build(),
          query(data.item(16)).filter(new TermQuery(new Term("parity", "odd"))).exact().build()
        }) {
      QueryUtils.check(q);
      QueryUtils.checkExplanations(q, searcher);
      QueryUtils.checkBulkScorerSkipTo(random(), q, searcher);
      QueryUtils.checkCount(q, searcher);
    }
  }

  public void testHybridWithBm25() throws IOException {
    IndexSearcher searcher = newSearcher(reader);
    Query vector = query(data.item(16)).k(20).build();
    Query text = new TermQuery(new Term("body", "manual"));
    Query hybrid =
        new BooleanQuery.Builder()
            .add(vector, BooleanClause.Occur.SHOULD)
            .add(text, BooleanClause.Occur.SHOULD)
            .build();
    TopDocs vectorHits = searcher.search(vector, 20);
    TopDocs hybridHits = searcher.search(hybrid, 1000);
    for (ScoreDoc hit : vectorHits.scoreDocs) {
      float hybridScore = scoreOf(hybridHits, hit.doc);
      Explanation textExplanation = searcher.explain(text, hit.doc);
      float textScore = textExplanation.isMatch() ? textExplanation.getValue().floatValue() : 0f;
      assertEquals(hit.score + textScore, hybridScore, 1e-4f);
    }
    assertEquals(
        searcher.count(text) + 20 - overlap(searcher, vector, text), searcher.count(hybrid));
  }

  private static int overlap(IndexSearcher searcher, Query a, Query b) throws IOException {
    return searcher.count(
        new BooleanQuery.Builder()
            .add(a, BooleanClause.Occur.MUST)
            .add(b, BooleanClause.Occur.MUST)
            .build());
  }

  private static float scoreOf(TopDocs hits, int doc) {
    for (ScoreDoc hit : hits.scoreDocs) {
      if (hit.doc == doc) {
        return hit.score;
      }
    }
    throw new AssertionError("doc " + doc + " missing");
  }

  public void testFilterAndDeletesAreHonoured() throws IOException {
    IndexSearcher searcher = newSearcher(reader);
    Query evenOnly =
        query(data.item(16)).k(30).filter(new TermQuery(new Term("parity", "even"))).build();
    TopDocs hits = searcher.search(evenOnly, 30);
    assertEquals(30, hits.scoreDocs.length);
    for (ScoreDoc hit : hits.scoreDocs) {
      int id = Integer.parseInt(searcher.storedFields().document(hit.doc).get("id"));
      assertEquals(0, id % 2);
      assertNotEquals(4, id);
      assertNotEquals(10, id);
      assertNotEquals(5, id % 11); // no vectors, never a hit
    }
    assertEquals(30, searcher.count(evenOnly));
  }

  public void testTimeoutIsReported() throws IOException {
    IndexSearcher searcher = newSearcher(reader);
    AtomicInteger calls = new AtomicInteger();
    int allowed = random().nextInt(3);
    searcher.setTimeout(() -> calls.incrementAndGet() > allowed);
    searcher.search(query(data.item(16)).build(), 10);
    assertTrue("a search cut short must say so", searcher.timedOut());

    IndexSearcher patient = newSearcher(reader);
    patient.setTimeout(() -> false);
    assertEquals(10, patient.search(query(data.item(16)).build(), 10).scoreDocs.length);
    assertFalse(patient.timedOut());
  }

  public void testEqualsHashCodeAndToString() {
    float[][] vectors = data.item(4);
    float[][] copy = {
      vectors[0].clone(), vectors[1].clone(), vectors[2].clone(), vectors[3].clone()
    };
    Query a = LateInteractionQuery.builder("page", vectors).k(5).budget(2, 4).build();
    Query b = LateInteractionQuery.builder("page", copy).k(5).budget(2, 4).build();
    QueryUtils.checkEqual(a, b);
    vectors[0][0] += 1f; // the query copied its vectors
    QueryUtils.checkEqual(a, b);
    QueryUtils.checkUnequal(
        a, LateInteractionQuery.builder("page", copy).k(6).budget(2, 4).build());
    QueryUtils.checkUnequal(
        a, LateInteractionQuery.builder("page", copy).k(5).budget(2, 8).build());
    QueryUtils.checkUnequal(
        a, LateInteractionQuery.builder("page", copy).k(5).budget(2, 4).exact().build());
    QueryUtils.checkUnequal(
        a, LateInteractionQuery.builder("page", copy).k(5).budget(2, 4).probes(2).build());
    QueryUtils.checkUnequal(
        a, LateInteractionQuery.builder("other", copy).k(5).budget(2, 4).build());
    QueryUtils.checkUnequal(
        a,
        LateInteractionQuery.builder("page", copy)
            .k(5)
            .budget(2, 4)
            .filter(new MatchAllDocsQuery())
            .build());
    Query pruned =
        LateInteractionQuery.builder("page", copy).k(5).budget(2, 4).prune(1, 2, 20).build();
    QueryUtils.checkUnequal(a, pruned);
    QueryUtils.checkUnequal(
        pruned,
        LateInteractionQuery.builder("page", copy).k(5).budget(2, 4).prune(1, 2, 21).build());
    QueryUtils.checkEqual(
        pruned,
        LateInteractionQuery.builder("page", copy).k(5).budget(2, 4).prune(1, 2, 20).build());
    assertTrue(pruned.toString(), pruned.toString().endsWith("probes=1, prune=(1,2)->20)"));
    copy[3][1] += 0.5f;
    QueryUtils.checkUnequal(
        a, LateInteractionQuery.builder("page", copy).k(5).budget(2, 4).build());
    assertEquals(
        "LateInteractionQuery(field=page, vectors=4x8, k=5, budget=(2,4), candidates=100, probes=1)",
        a.toString());
  }

  /**
   * The cascade: keeping every candidate gives exactly the query without it; keeping fewer, every
   * hit still carries its exact score at the full budget (MaxSim recomputed from the stored
   * vectors), hits are a subset of the full query's candidates ranked by that score, and keeping
   * fewer can only lose documents the small budget ranked low.
   */
  public void testPruneRescoresTheBestAtTheFullBudget() throws IOException {
    IndexSearcher searcher = newSearcher(reader);
    for (int round = 0; round < 10; round++) {
      float[][] q = data.item(4);
      TopDocs full = searcher.search(query(q).candidates(60).build(), 10);
      TopDocs all = searcher.search(query(q).candidates(60).prune(1, 2, 60).build(), 10);
      assertEquals(full.scoreDocs.length, all.scoreDocs.length);
      for (int i = 0; i < full.scoreDocs.length; i++) {
        assertEquals(full.scoreDocs[i].doc, all.scoreDocs[i].doc);
        assertEquals(full.scoreDocs[i].score, all.scoreDocs[i].score, 0f);
      }
      TopDocs pruned = searcher.search(query(q).candidates(60).prune(1, 1, 10).build(), 10);
      assertTrue(pruned.scoreDocs.length > 0);
      MaxSimValuesSource exactScores = new MaxSimValuesSource("page", q, 4, 8);
      float previous = Float.POSITIVE_INFINITY;
      for (ScoreDoc hit : pruned.scoreDocs) {
        var leaf =
            reader
                .leaves()
                .get(org.apache.lucene.index.ReaderUtil.subIndex(hit.doc, reader.leaves()));
        var values = exactScores.getValues(leaf, null);
        assertTrue(values.advanceExact(hit.doc - leaf.docBase));
        assertEquals("doc " + hit.doc, (float) values.doubleValue(), hit.score, 1e-5f);
        assertTrue(hit.score <= previous);
        previous = hit.score;
      }
      // the cascade scores a subset of the same candidates: no hit beats the full query's best
      assertTrue(pruned.scoreDocs[0].score <= full.scoreDocs[0].score);
    }
  }

  public void testMultiThreadedSearcherGivesSameTopK() throws IOException {
    ExecutorService executor =
        Executors.newFixedThreadPool(3, new NamedThreadFactory("late-interaction"));
    try {
      IndexSearcher single = new IndexSearcher(reader);
      IndexSearcher threaded = new IndexSearcher(reader, executor);
      for (int i = 0; i < 5; i++) {
        Query q = query(data.item(16)).probes(1 + random().nextInt(3)).build();
        TopDocs a = single.search(q, 10);
        TopDocs b = threaded.search(q, 10);
        assertEquals(a.scoreDocs.length, b.scoreDocs.length);
        for (int r = 0; r < a.scoreDocs.length; r++) {
          assertEquals(a.scoreDocs[r].doc, b.scoreDocs[r].doc);
          assertEquals(a.scoreDocs[r].score, b.scoreDocs[r].score, 0f);
        }
      }
    } finally {
      executor.shutdown();
    }
  }

  public void testBudgetAboveStoredVectorsUsesWhatIsStored() throws IOException {
    IndexSearcher searcher = newSearcher(reader);
    float[][] vectors = data.item(16);
    TopDocs capped =
        searcher.search(
            LateInteractionQuery.builder("page", vectors).budget(16, 16).exact().build(), 10);
    TopDocs above =
        searcher.search(
            LateInteractionQuery.builder("page", vectors).budget(16, 1000).exact().build(), 10);
    TopDocs all =
        searcher.search(LateInteractionQuery.builder("page", vectors).exact().build(), 10);
    for (int r = 0; r < 10; r++) {
      assertEquals(capped.scoreDocs[r].score, above.scoreDocs[r].score, 0f);
      assertEquals(capped.scoreDocs[r].score, all.scoreDocs[r].score, 0f);
    }
  }

  /** At (1,1) the graph's scores are final: the same scores MaxSim gives those documents. */
  public void testBudgetOneOneTakesTheGraphScores() throws IOException {
    IndexSearcher searcher = newSearcher(reader);
    float[][] vectors = data.item(16);
    TopDocs approx =
        searcher.search(LateInteractionQuery.builder("page", vectors).budget(1, 1).build(), 10);
    Query rescored =
        new RescoreTopNQuery(
            docs(searcher, approx), new MaxSimValuesSource("page", vectors, 1, 1), 10);
    TopDocs viaValues = searcher.search(rescored, 10);
    assertEquals(10, approx.scoreDocs.length);
    for (ScoreDoc hit : approx.scoreDocs) {
      assertEquals("doc " + hit.doc, scoreOf(viaValues, hit.doc), hit.score, 1e-6f);
    }
  }

  private static Query docs(IndexSearcher searcher, TopDocs hits) throws IOException {
    BooleanQuery.Builder any = new BooleanQuery.Builder();
    for (ScoreDoc hit : hits.scoreDocs) {
      String id = searcher.storedFields().document(hit.doc).get("id");
      any.add(new TermQuery(new Term("id", id)), BooleanClause.Occur.SHOULD);
    }
    return any.build();
  }

  public void testMaxSimValuesSourceRescoresAnyFirstPass() throws IOException {
    IndexSearcher searcher = newSearcher(reader);
    float[][] vectors = data.item(16);
    Query firstPass = new TermQuery(new Term("parity", "odd"));
    Query rescored =
        new RescoreTopNQuery(firstPass, new MaxSimValuesSource("page", vectors, 4, 8), 1000);
    TopDocs viaValues = searcher.search(rescored, 10);
    TopDocs viaQuery = searcher.search(query(vectors).filter(firstPass).exact().build(), 10);
    for (int r = 0; r < 10; r++) {
      assertEquals(viaQuery.scoreDocs[r].score, viaValues.scoreDocs[r].score, 1e-6f);
    }
  }

  public void testBadInput() throws IOException {
    float[][] good = data.item(4);
    expectMessage(
        "field \"page\": the query has no vectors",
        () -> LateInteractionQuery.builder("page", new float[0][]));
    expectMessage(
        "query vector 1 has 3 components, query vector 0 has 8",
        () -> LateInteractionQuery.builder("page", new float[][] {good[0], new float[3]}));
    expectMessage(
        "query vector 0 component 2 is NaN",
        () -> LateInteractionQuery.builder("page", new float[][] {{0, 0, Float.NaN}}));
    expectMessage(
        "query budget must be in 1..4 (the query's vectors), got 5",
        () -> query(good).budget(5, 8).build());
    expectMessage(
        "query budget must be in 1..4 (the query's vectors), got 0",
        () -> query(good).budget(0, 8).build());
    expectMessage(
        "document budget must be at least 1, got 0", () -> query(good).budget(1, 0).build());
    expectMessage("k must be at least 1, got 0", () -> query(good).k(0).build());
    expectMessage("candidates must be at least 1, got 0", () -> query(good).candidates(0).build());
    expectMessage("probes must be in 1..4, got 5", () -> query(good).probes(5).build());
    expectMessage("query budget must be in 1..4", () -> new MaxSimValuesSource("page", good, 9, 8));
    expectMessage(
        "prune is approximate and exact()", () -> query(good).exact().prune(1, 1, 10).build());
    expectMessage(
        "prune query vectors must be in 1..4, got 5", () -> query(good).prune(5, 1, 10).build());
    expectMessage(
        "prune query vectors must be in 1..4, got 0", () -> query(good).prune(0, 1, 10).build());
    expectMessage(
        "prune document vectors must be in 1..8, got 9", () -> query(good).prune(1, 9, 10).build());
    expectMessage(
        "prune document vectors must be in 1..the document budget, got 0",
        () -> LateInteractionQuery.builder("page", good).prune(1, 0, 10).build());
    expectMessage(
        "prune keep must be at least k (10), got 9", () -> query(good).prune(1, 1, 9).build());
    IndexSearcher searcher = newSearcher(reader);
    float[][] wrongDimension = {new float[] {1, 0, 0}};
    expectMessage(
        "field \"page\" holds 8-component vectors, the query vectors have 3",
        () -> searcher.search(LateInteractionQuery.builder("page", wrongDimension).build(), 10));
    expectMessage(
        "field \"body\" is not a MetaEmbed field",
        () -> searcher.search(LateInteractionQuery.builder("body", good).build(), 10));
    assertEquals(
        0,
        searcher
            .search(LateInteractionQuery.builder("missing", good).build(), 10)
            .totalHits
            .value());
  }

  public void testPlainVectorFieldIsRejected() throws IOException {
    try (Directory plainDir = newDirectory()) {
      try (IndexWriter writer = new IndexWriter(plainDir, newIndexWriterConfig())) {
        Document doc = new Document();
        doc.add(new KnnFloatVectorField("plain", new float[] {1, 0}));
        writer.addDocument(doc);
      }
      try (IndexReader plainReader = DirectoryReader.open(plainDir)) {
        IndexSearcher searcher = newSearcher(plainReader);
        expectMessage(
            "field \"plain\" is a plain vector field, not a MetaEmbed field",
            () ->
                searcher.search(
                    LateInteractionQuery.builder("plain", new float[][] {{1, 0}}).build(), 1));
      }
    }
  }

  private static void expectMessage(String message, ThrowingRunnable runnable) {
    IllegalArgumentException e = expectThrows(IllegalArgumentException.class, runnable);
    assertTrue(e.getMessage(), e.getMessage().contains(message));
  }
}
