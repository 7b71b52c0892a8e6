package dev.metaembed.encoder;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.lucene.util.VectorUtil;
import org.junit.jupiter.api.Test;

/**
 * Semantic sanity on real text: 200 queries of samples/manpages against its 1,000 documents,
 * scored by exact MaxSim. The full budget ranks the relevant page first far more often than chance
 * (0.1%), and the (1,1) budget agrees with plain single-vector retrieval (cosine of independently
 * mean-pooled embeddings).
 */
class ManpagesSanityTest {
  private static final int QUERIES = 200;

  @Test
  void retrievesRelevantPagesAndSmallestBudgetIsSingleVectorRetrieval() throws Exception {
    BeirData data = SampleData.manpages();
    List<String> docIds = data.docIds();
    List<String> queryIds = new ArrayList<>(data.queries().keySet()).subList(0, QUERIES);
    List<float[][]> docs;
    List<float[][]> queries = new ArrayList<>();
    try (MetaEmbedEncoder encoder = MetaEmbedEncoder.loadDefault()) {
      docs = encoder.encodeDocuments(docIds.stream().map(data.corpus()::get).toList());
      for (String id : queryIds) {
        queries.add(encoder.encodeQuery(data.queries().get(id)));
      }
    }
    List<float[]> plainDocs = new ArrayList<>();
    List<float[]> plainQueries = new ArrayList<>();
    try (IndependentMeanPooling plain = new IndependentMeanPooling(DefaultModel.directory())) {
      for (String id : docIds) {
        plainDocs.add(plain.embed(data.corpus().get(id)));
      }
      for (String id : queryIds) {
        plainQueries.add(plain.embed(data.queries().get(id)));
      }
    }
    int fullFirst = 0;
    int smallestFirst = 0;
    int plainFirst = 0;
    int agree = 0;
    for (int q = 0; q < QUERIES; q++) {
      Set<String> relevant = data.qrels().get(queryIds.get(q));
      int full = best(queries.get(q), docs, 16, 64);
      int smallest = best(queries.get(q), docs, 1, 1);
      int single = bestPlain(plainQueries.get(q), plainDocs);
      fullFirst += relevant.contains(docIds.get(full)) ? 1 : 0;
      smallestFirst += relevant.contains(docIds.get(smallest)) ? 1 : 0;
      plainFirst += relevant.contains(docIds.get(single)) ? 1 : 0;
      agree += smallest == single ? 1 : 0;
    }
    System.out.printf(Locale.ROOT,
        "ManpagesSanityTest: %d queries x %d docs: relevant page first: full budget %.3f, (1,1) %.3f,"
            + " plain single-vector %.3f (chance %.3f); (1,1) top hit = plain top hit for %.3f%n",
        QUERIES, docIds.size(), fullFirst / (double) QUERIES, smallestFirst / (double) QUERIES,
        plainFirst / (double) QUERIES, 1.0 / docIds.size(), agree / (double) QUERIES);
    assertTrue(fullFirst >= 0.4 * QUERIES, "full budget ranks relevant first: " + fullFirst);
    assertTrue(agree >= 0.95 * QUERIES, "(1,1) agrees with single-vector retrieval: " + agree);
    assertTrue(Math.abs(smallestFirst - plainFirst) <= 0.02 * QUERIES, smallestFirst + " vs " + plainFirst);
  }

  private static int best(float[][] query, List<float[][]> docs, int queryBudget, int docBudget) {
    int best = -1;
    double bestScore = Double.NEGATIVE_INFINITY;
    for (int d = 0; d < docs.size(); d++) {
      double score = 0;
      float[][] doc = docs.get(d);
      for (int i = 0; i < Math.min(queryBudget, query.length); i++) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < Math.min(docBudget, doc.length); j++) {
          max = Math.max(max, dot(query[i], doc[j]));
        }
        score += max;
      }
      if (score > bestScore) {
        bestScore = score;
        best = d;
      }
    }
    return best;
  }

  private static int bestPlain(float[] query, List<float[]> docs) {
    int best = -1;
    double bestScore = Double.NEGATIVE_INFINITY;
    for (int d = 0; d < docs.size(); d++) {
      double score = dot(query, docs.get(d));
      if (score > bestScore) {
        bestScore = score;
        best = d;
      }
    }
    return best;
  }

  private static double dot(float[] a, float[] b) {
    return VectorUtil.dotProduct(a, b);
  }
}
