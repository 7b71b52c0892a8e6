package dev.metaembed.lucene.search;

import dev.metaembed.lucene.codec.MetaEmbedCodec;
import dev.metaembed.lucene.codec.MetaEmbedField;
import java.io.IOException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * Approximate search finds what exact search finds: recall@10 against exact mode at the same
 * budget, with 200 candidates, on clustered MetaEmbed-like data (20k documents of 64 vectors,
 * several segments, deletions), without and with a filter matching 10% of documents, on the
 * default data and on the harder setting of docs/QUERY.md. Asserts the mean recall@10 over the
 * queries (≥ 0.95) and every single query's (≥ 0.5: no query loses more than half of its 10).
 * Prints mean and worst recall, how many queries found 10, 9, 8, ... of the exact hits, and mean
 * latency per budget (latency is reported, never asserted).
 *
 * <p>{@code -Dmetaembed.recall.queries=N} runs more queries (default 20, 60 on the harder data); {@code
 * -Dmetaembed.recall.clusters}, {@code .topicNoise} and {@code .detailNoise} change the data
 * (defaults 2000, 0.8, 0.8: about 10 documents per cluster).
 */
@LuceneTestCase.SuppressSysoutChecks(
    bugUrl = "prints its recall table by design; -Dtests.iters=8 prints more than 8 KB")
public class TestLateInteractionRecall extends LuceneTestCase {
  private static final int[][] BUDGETS = {{1, 1}, {2, 4}, {4, 8}, {8, 16}, {16, 64}};
  private static final int DOCS = 20_000;
  private static final int DIM = 32;
  private static final int K = 10;
  private static final int CANDIDATES = 200;
  private static final double MIN_RECALL = 0.95;

  /**
   * The lowest recall@10 allowed for any single query: no query may lose more than half of its 10.
   * A floor for a whole run of queries has to sit below the tail of the per-query distribution, not
   * at it: on the harder data at (2,4) a query loses 3 of its 10 once in ~460 queries and 4 once in
   * ~4,600 (32,000 queries measured, none lost more), so a floor of 0.7 failed about one run of 20
   * queries in 230 (docs/QUERY.md, "What the suite asserts").
   */
  private static final double MIN_QUERY_RECALL = 0.5;

  public void testApproximateRecallAgainstExact() throws IOException {
    int queries = Integer.getInteger("metaembed.recall.queries", 20);
    int clusters = Integer.getInteger("metaembed.recall.clusters", 2000);
    float topicNoise = Float.parseFloat(System.getProperty("metaembed.recall.topicNoise", "0.8"));
    float detailNoise = Float.parseFloat(System.getProperty("metaembed.recall.detailNoise", "0.8"));
    checkRecall(queries, clusters, topicNoise, detailNoise);
  }

  /**
   * The harder setting of docs/QUERY.md: about 20 documents per cluster, noisier topics and details.
   * 60 queries by default: at (2,4) a query here misses 0.25 of its 10 hits on average (sd 0.5), so
   * the mean recall of 20 queries is only 2.2 sd above the 0.95 bound (3 of 39 seeds gave 0.955);
   * the mean of 60 is 3.8 sd above it.
   */
  public void testApproximateRecallOnHarderData() throws IOException {
    checkRecall(Integer.getInteger("metaembed.recall.queries", 60), 1000, 1.0f, 1.0f);
  }

  private void checkRecall(int queries, int clusters, float topicNoise, float detailNoise)
      throws IOException {
    ClusteredVectors data = new ClusteredVectors(random(), DIM, clusters, topicNoise, detailNoise);
    try (Directory dir = FSDirectory.open(createTempDir("recall"))) {
      index(dir, data);
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        assertTrue("several segments", reader.leaves().size() >= 3);
        IndexSearcher searcher = new IndexSearcher(reader);
        float[][][] queryVectors = new float[queries][][];
        for (int q = 0; q < queries; q++) {
          queryVectors[q] = data.item(16);
        }
        StringBuilder table = new StringBuilder();
        measure(
            searcher, queryVectors, new int[] {16, 64}, null, 1, new StringBuilder()); // warm-up
        table.append(
            String.format(
                Locale.ROOT,
                "%n%-9s %-8s %9s %9s %14s %13s  %s%n",
                "budget",
                "filter",
                "recall@10",
                "worst q",
                "approx ms/q",
                "exact ms/q",
                "queries finding 10/9/8/7/6/5/... of the exact hits"));
        for (int[] budget : BUDGETS) {
          for (Query filter : new Query[] {null, new TermQuery(new Term("tenth", "yes"))}) {
            measure(searcher, queryVectors, budget, filter, 1, table);
          }
        }
        for (int probes : new int[] {2, 4}) {
          measure(searcher, queryVectors, new int[] {16, 64}, null, probes, table);
        }
        System.out.println(
            "TestLateInteractionRecall: "
                + DOCS
                + " docs x 64 x "
                + DIM
                + ", "
                + clusters
                + " clusters, noise "
                + topicNoise
                + "/"
                + detailNoise
                + ", "
                + reader.leaves().size()
                + " segments, "
                + queries
                + " queries, candidates="
                + CANDIDATES
                + table);
      }
    }
  }

  private void measure(
      IndexSearcher searcher,
      float[][][] queries,
      int[] budget,
      Query filter,
      int probes,
      StringBuilder table)
      throws IOException {
    double recall = 0;
    double worst = 1;
    int[] queriesFinding = new int[K + 1];
    long approxNanos = 0;
    long exactNanos = 0;
    for (float[][] vectors : queries) {
      var builder =
          LateInteractionQuery.builder("page", vectors)
              .k(K)
              .budget(budget[0], budget[1])
              .candidates(CANDIDATES)
              .probes(probes);
      var exactBuilder =
          LateInteractionQuery.builder("page", vectors).k(K).budget(budget[0], budget[1]).exact();
      if (filter != null) {
        builder.filter(filter);
        exactBuilder.filter(filter);
      }
      long t0 = System.nanoTime();
      TopDocs approx = searcher.search(builder.build(), K);
      long t1 = System.nanoTime();
      TopDocs exact = searcher.search(exactBuilder.build(), K);
      long t2 = System.nanoTime();
      approxNanos += t1 - t0;
      exactNanos += t2 - t1;
      double one = recall(approx, exact);
      queriesFinding[(int) Math.round(one * K)]++;
      recall += one;
      worst = Math.min(worst, one);
    }
    recall /= queries.length;
    String label = "(" + budget[0] + "," + budget[1] + ")" + (probes > 1 ? " p=" + probes : "");
    table.append(
        String.format(
            Locale.ROOT,
            "%-9s %-8s %9.3f %9.1f %14.2f %13.2f  %s%n",
            label,
            filter == null ? "none" : "10%",
            recall,
            worst,
            approxNanos / 1e6 / queries.length,
            exactNanos / 1e6 / queries.length,
            histogram(queriesFinding)));
    assertTrue(
        "recall@10 " + recall + " at budget " + label + " filter " + filter, recall >= MIN_RECALL);
    assertTrue(
        "a query's recall@10 " + worst + " at budget " + label + " filter " + filter,
        worst >= MIN_QUERY_RECALL);
  }

  /** "12543/2988/428/37/4": queries that found 10, 9, 8, ... hits, down to the fewest seen. */
  private static String histogram(int[] queriesFinding) {
    int fewest = 0;
    while (queriesFinding[fewest] == 0) {
      fewest++;
    }
    StringBuilder counts = new StringBuilder();
    for (int found = K; found >= fewest; found--) {
      counts.append(found == K ? "" : "/").append(queriesFinding[found]);
    }
    return counts.toString();
  }

  private static double recall(TopDocs approx, TopDocs exact) {
    assertEquals(K, exact.scoreDocs.length);
    Set<Integer> truth = new HashSet<>();
    for (ScoreDoc hit : exact.scoreDocs) {
      truth.add(hit.doc);
    }
    int found = 0;
    for (ScoreDoc hit : approx.scoreDocs) {
      found += truth.contains(hit.doc) ? 1 : 0;
    }
    return found / (double) K;
  }

  private void index(Directory dir, ClusteredVectors data) throws IOException {
    FieldType type = MetaEmbedField.createFieldType(DIM, 64, VectorSimilarityFunction.DOT_PRODUCT);
    IndexWriterConfig config =
        new IndexWriterConfig()
            .setCodec(new MetaEmbedCodec())
            .setMaxBufferedDocs(DOCS / 4 + 1)
            .setRAMBufferSizeMB(IndexWriterConfig.DISABLE_AUTO_FLUSH)
            .setMergePolicy(NoMergePolicy.INSTANCE);
    try (IndexWriter writer = new IndexWriter(dir, config)) {
      for (int id = 0; id < DOCS; id++) {
        Document doc = new Document();
        doc.add(new StringField("id", Integer.toString(id), Field.Store.NO));
        doc.add(new StringField("tenth", id % 10 == 0 ? "yes" : "no", Field.Store.NO));
        doc.add(new MetaEmbedField("page", data.item(64), type));
        writer.addDocument(doc);
      }
      for (int i = 0; i < DOCS / 20; i++) { // 5% deletions
        writer.deleteDocuments(new Term("id", Integer.toString(random().nextInt(DOCS))));
      }
    }
  }
}
