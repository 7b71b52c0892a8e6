package dev.metaembed.encoder;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.util.VectorUtil;
import org.junit.jupiter.api.Test;

/**
 * Semantic sanity on real text: queries of samples/manpages against its 1,000 documents, scored by
 * exact MaxSim, with both built-in models. Chance of ranking the relevant page first: 0.1%.
 */
class ManpagesSanityTest {
  private static final int QUERIES = 200;

  /**
   * The pooled model: the full budget ranks the relevant page first far more often than chance,
   * and the (1,1) budget is plain single-vector retrieval (cosine of independently mean-pooled
   * embeddings).
   */
  @Test
  void pooledModelRetrievesAndItsSmallestBudgetIsSingleVectorRetrieval() throws Exception {
    BeirData data = SampleData.manpages();
    List<String> docIds = data.docIds();
    List<String> queryIds = new ArrayList<>(data.queries().keySet()).subList(0, QUERIES);
    Encoded encoded = encode(BuiltinModel.POOLED_MINILM, data);
    List<float[]> plainDocs = new ArrayList<>();
    List<float[]> plainQueries = new ArrayList<>();
    try (IndependentMeanPooling plain =
        new IndependentMeanPooling(BuiltinModel.POOLED_MINILM.directory())) {
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
      float[][] query = encoded.queries().get(queryIds.get(q));
      int full = best(query, encoded.docs(), 16, 64);
      int smallest = best(query, encoded.docs(), 1, 1);
      int single = bestPlain(plainQueries.get(q), plainDocs);
      fullFirst += relevant.contains(docIds.get(full)) ? 1 : 0;
      smallestFirst += relevant.contains(docIds.get(smallest)) ? 1 : 0;
      plainFirst += relevant.contains(docIds.get(single)) ? 1 : 0;
      agree += smallest == single ? 1 : 0;
    }
    System.out.printf(
        Locale.ROOT,
        "ManpagesSanityTest pooled: %d queries x %d docs: relevant page first: full budget %.3f, (1,1) %.3f,"
            + " plain single-vector %.3f (chance %.3f); (1,1) top hit = plain top hit for %.3f%n",
        QUERIES,
        docIds.size(),
        fullFirst / (double) QUERIES,
        smallestFirst / (double) QUERIES,
        plainFirst / (double) QUERIES,
        1.0 / docIds.size(),
        agree / (double) QUERIES);
    assertTrue(fullFirst >= 0.4 * QUERIES, "full budget ranks relevant first: " + fullFirst);
    assertTrue(agree >= 0.95 * QUERIES, "(1,1) agrees with single-vector retrieval: " + agree);
    assertTrue(
        Math.abs(smallestFirst - plainFirst) <= 0.02 * QUERIES,
        smallestFirst + " vs " + plainFirst);
  }

  /**
   * The trained default on the sample's held-out queries (never seen in training,
   * samples/manpages/heldout-query-ids.txt): it ranks the relevant page first more often than the
   * pooled model at the smallest and at the full budget, and the full budget is not worse than
   * the smallest.
   */
  @Test
  void trainedModelBeatsPooledOnHeldOutQueries() throws Exception {
    BeirData data = SampleData.manpages();
    Set<String> heldOut =
        Set.copyOf(
            Files.readAllLines(Path.of("..", "samples", "manpages", "heldout-query-ids.txt")));
    List<String> queryIds = data.queries().keySet().stream().filter(heldOut::contains).toList();
    assertTrue(queryIds.size() > 150, "held-out sample queries: " + queryIds.size());
    int[] trained = firstHits(encode(BuiltinModel.METAEMBED_MINILM, data), data, queryIds);
    int[] pooled = firstHits(encode(BuiltinModel.POOLED_MINILM, data), data, queryIds);
    System.out.printf(
        Locale.ROOT,
        "ManpagesSanityTest held-out: %d queries, relevant page first at (1,1) / (16,64): trained %d / %d,"
            + " pooled %d / %d%n",
        queryIds.size(),
        trained[0],
        trained[1],
        pooled[0],
        pooled[1]);
    assertTrue(trained[0] > pooled[0], "(1,1): trained " + trained[0] + " vs pooled " + pooled[0]);
    assertTrue(
        trained[1] > pooled[1], "(16,64): trained " + trained[1] + " vs pooled " + pooled[1]);
    assertTrue(
        trained[1] >= trained[0], "trained (16,64) " + trained[1] + " vs (1,1) " + trained[0]);
  }

  /** Every sample document and query encoded by one model (each model once per test JVM). */
  private record Encoded(List<float[][]> docs, Map<String, float[][]> queries) {}

  private static final Map<BuiltinModel, Encoded> ENCODED = new EnumMap<>(BuiltinModel.class);

  private static synchronized Encoded encode(BuiltinModel model, BeirData data) throws IOException {
    Encoded encoded = ENCODED.get(model);
    if (encoded == null) {
      try (MetaEmbedEncoder encoder = MetaEmbedEncoder.load(model, EncoderOptions.defaults())) {
        List<float[][]> docs =
            encoder.encodeDocuments(data.docIds().stream().map(data.corpus()::get).toList());
        Map<String, float[][]> queries = new HashMap<>();
        for (Map.Entry<String, String> query : data.queries().entrySet()) {
          queries.put(query.getKey(), encoder.encodeQuery(query.getValue()));
        }
        encoded = new Encoded(docs, queries);
        ENCODED.put(model, encoded);
      }
    }
    return encoded;
  }

  /** How many queries rank a relevant page first at (1,1) and at (16,64). */
  private static int[] firstHits(Encoded encoded, BeirData data, List<String> queryIds) {
    int[] first = new int[2];
    for (int q = 0; q < queryIds.size(); q++) {
      Set<String> relevant = data.qrels().get(queryIds.get(q));
      float[][] query = encoded.queries().get(queryIds.get(q));
      first[0] += relevant.contains(data.docIds().get(best(query, encoded.docs(), 1, 1))) ? 1 : 0;
      first[1] += relevant.contains(data.docIds().get(best(query, encoded.docs(), 16, 64))) ? 1 : 0;
    }
    return first;
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
