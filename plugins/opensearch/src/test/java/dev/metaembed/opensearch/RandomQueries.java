package dev.metaembed.opensearch;

import java.util.Random;
import org.opensearch.index.query.QueryBuilders;

/** Random {@code late_interaction} queries that pass validation, for the query tests. */
final class RandomQueries {
  private RandomQueries() {}

  /**
   * A valid query on {@code field}: 1..4 query vectors of {@code dims}, budgets within {@code
   * maxDocumentVectors}, sometimes a term filter on {@code filterField}, a prune cascade only when
   * not exact and with keep at least k.
   */
  static LateInteractionQueryBuilder valid(
      Random random, String field, int dims, int maxDocumentVectors, String filterField) {
    float[][] vectors = new float[1 + random.nextInt(4)][dims];
    for (float[] vector : vectors) {
      for (int i = 0; i < dims; i++) {
        vector[i] = random.nextFloat() - 0.5f;
      }
    }
    int k = 1 + random.nextInt(50);
    LateInteractionQueryBuilder query = new LateInteractionQueryBuilder(field, vectors).k(k);
    int queryBudget = vectors.length;
    int documentBudget = maxDocumentVectors;
    if (random.nextBoolean()) {
      queryBudget = 1 + random.nextInt(vectors.length);
      documentBudget = 1 + random.nextInt(maxDocumentVectors);
      query.budget(queryBudget, documentBudget);
    }
    if (random.nextBoolean()) {
      query.numCandidates(1 + random.nextInt(500));
    }
    if (random.nextBoolean()) {
      query.filter(QueryBuilders.termQuery(filterField, "v" + random.nextInt(100)));
    }
    boolean exact = random.nextBoolean();
    query.exact(exact).probes(1 + random.nextInt(vectors.length));
    if (exact == false && random.nextBoolean()) {
      query.prune(
          1 + random.nextInt(queryBudget),
          1 + random.nextInt(documentBudget),
          k + random.nextInt(100));
    }
    return query;
  }
}
