package dev.metaembed.lucene.search;

import dev.metaembed.lucene.codec.RandomVectors;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * The Panama and scalar kernels agree with each other and with the pair-by-pair definition
 * ({@link MaxSim}) for every similarity, over shapes that exercise every block and tail path.
 */
public class TestMaxSimKernel extends LuceneTestCase {

  public void testPanamaIsAvailableInTheTestJvm() {
    // surefire adds jdk.incubator.vector: the fast kernel must be the one in use
    assertTrue(MaxSimKernel.get().name(), MaxSimKernel.get().name().startsWith("panama"));
    assertEquals("scalar", MaxSimKernel.scalar().name());
  }

  private static String where(int dim, int queryCount, int docCount) {
    return "dim=" + dim + " q=" + queryCount + " d=" + docCount;
  }

  public void testKernelsAgreeOnMaxDot() {
    MaxSimKernel panama = MaxSimKernel.panama();
    MaxSimKernel scalar = MaxSimKernel.scalar();
    for (int iter = 0; iter < 200; iter++) {
      int dim = random().nextBoolean() ? 1 + random().nextInt(70) : randomFrom(128, 384, 100, 3584);
      int queryCount = 1 + random().nextInt(16);
      int docCount = 1 + random().nextInt(64);
      float[] query = randomFlat(queryCount, dim);
      float[] docs = randomFlat(docCount, dim);
      float[] scale = null, shift = null;
      if (random().nextBoolean()) {
        scale = randomFlat(docCount, 1);
        shift = randomFlat(docCount, 1);
      }
      float[] fast = new float[queryCount];
      float[] plain = new float[queryCount];
      MaxSimKernel.PreparedQuery prepared = panama.prepare(query, queryCount, dim);
      prepared.maxDot(docs, docCount, dim, scale, shift, fast);
      scalar.prepare(query, queryCount, dim).maxDot(docs, docCount, dim, scale, shift, plain);
      boolean laneLayout =
          prepared instanceof PanamaLaneQuery || prepared instanceof PanamaHalfLaneQuery;
      if (PanamaHalfLaneQuery.USEFUL && queryCount > 4 && queryCount <= 8) {
        assertTrue(
            where(dim, queryCount, docCount) + ": 256-bit lanes",
            prepared instanceof PanamaHalfLaneQuery);
      }
      String where = where(dim, queryCount, docCount);
      for (int i = 0; i < queryCount; i++) {
        assertEquals(
            where + " query vector " + i, plain[i], fast[i], 1e-4f * (1 + Math.abs(plain[i])));
        if (laneLayout) {
          // one query vector per lane: the same fma chain as the scalar kernel, bit for bit
          assertEquals(where + " query vector " + i, plain[i], fast[i], 0f);
          continue;
        }
        float viaDot = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < docCount; j++) {
          float dot = panama.dot(query, i * dim, docs, j * dim, dim);
          viaDot = Math.max(viaDot, MaxSimKernel.adjust(dot, scale, shift, j));
        }
        // blocked layout: a pair's value does not depend on the block that computed it, up to the
        // last bits: the Vector API leaves the order of reduceLanes(ADD) open, and interpreted code
        // sums the lanes in another order than C2's intrinsic (seed 278A1854676C73BA: 4.6912875
        // vs 4.6912866, 2 ulps), so a method compiled earlier than another may differ there
        float lastBits = PanamaMaxSimKernel.LANES * Math.ulp(Math.max(1f, Math.abs(viaDot)));
        assertEquals(where + " query vector " + i, viaDot, fast[i], lastBits);
      }
    }
  }

  /**
   * EUCLIDEAN in the lane layout: per query vector, the smallest Σ (q − d)² over the document
   * vectors, bit for bit the plain loop in component order (one lane per query vector, the same
   * subtraction and fma chain); layouts without it say so and leave {@code best} alone.
   */
  public void testLaneLayoutSquareDistancesMatchThePlainLoop() {
    MaxSimKernel panama = MaxSimKernel.panama();
    for (int iter = 0; iter < 100; iter++) {
      int dim = 1 + random().nextInt(140);
      int queryCount = 1 + random().nextInt(16);
      int docCount = 1 + random().nextInt(40);
      float[] query = randomFlat(queryCount, dim);
      float[] docs = randomFlat(docCount, dim);
      MaxSimKernel.PreparedQuery prepared = panama.prepare(query, queryCount, dim);
      float[] best = new float[queryCount];
      java.util.Arrays.fill(best, -7f);
      boolean done = prepared.minSquareDistance(docs, docCount, dim, best);
      assertEquals(
          "q=" + queryCount,
          prepared instanceof PanamaLaneQuery || prepared instanceof PanamaHalfLaneQuery,
          done);
      for (int i = 0; i < queryCount; i++) {
        if (done == false) {
          assertEquals(-7f, best[i], 0f);
          continue;
        }
        float expected = Float.POSITIVE_INFINITY;
        for (int j = 0; j < docCount; j++) {
          float sum = 0f;
          for (int k = 0; k < dim; k++) {
            float diff = query[i * dim + k] - docs[j * dim + k];
            sum = Math.fma(diff, diff, sum);
          }
          expected = Math.min(expected, sum);
        }
        assertEquals(
            where(dim, queryCount, docCount) + " query vector " + i, expected, best[i], 0f);
      }
    }
    assertFalse(
        MaxSimKernel.scalar()
            .prepare(new float[4], 1, 4)
            .minSquareDistance(new float[4], 1, 4, new float[1]));
  }

  public void testScorerMatchesDefinitionForEverySimilarity() {
    for (VectorSimilarityFunction similarity : VectorSimilarityFunction.values()) {
      for (MaxSimKernel kernel :
          new MaxSimKernel[] {MaxSimKernel.panama(), MaxSimKernel.scalar()}) {
        for (int iter = 0; iter < 30; iter++) {
          int dim = 1 + random().nextInt(140);
          float[][] query = randomVectors(1 + random().nextInt(16), dim);
          float[][] doc = randomVectors(1 + random().nextInt(64), dim);
          if (similarity == VectorSimilarityFunction.DOT_PRODUCT) {
            RandomVectors.normalizeAll(query);
            RandomVectors.normalizeAll(doc);
          }
          int queryBudget = 1 + random().nextInt(query.length);
          int docBudget = 1 + random().nextInt(doc.length);
          MaxSimScorer scorer = new MaxSimScorer(query, queryBudget, similarity, kernel);
          float want = MaxSim.score(query, queryBudget, doc, docBudget, similarity);
          float got = scorer.score(flatten(doc, docBudget), docBudget);
          assertEquals(
              similarity + " " + kernel + " dim " + dim, want, got, 1e-5f * (1 + Math.abs(want)));
        }
      }
    }
  }

  public void testExplainNamesTheBestDocumentVector() {
    int dim = 8;
    float[][] query = {unit(dim, 0), unit(dim, 3)};
    float[][] doc = {unit(dim, 5), unit(dim, 3), unit(dim, 0)};
    MaxSimScorer scorer = new MaxSimScorer(query, 2, VectorSimilarityFunction.DOT_PRODUCT);
    float[] flat = flatten(doc, 3);
    Explanation explanation = scorer.explain(flat, 3, 4);
    assertEquals(scorer.score(flat, 3), explanation.getValue().floatValue(), 0f);
    assertEquals(2f, explanation.getValue().floatValue(), 0f); // two perfect matches: (1+1)/2 each
    assertTrue(explanation.getDetails()[0].getDescription().contains("best document vector 2"));
    assertTrue(explanation.getDetails()[1].getDescription().contains("best document vector 1"));
    assertTrue(explanation.getDescription().contains("r_q=2, r_c=4"));
  }

  public void testBadArguments() {
    float[][] query = randomVectors(2, 4);
    expectThrows(
        IllegalArgumentException.class,
        () -> new MaxSimScorer(query, 0, VectorSimilarityFunction.COSINE));
    expectThrows(
        IllegalArgumentException.class,
        () -> new MaxSimScorer(query, 3, VectorSimilarityFunction.COSINE));
    MaxSimScorer scorer = new MaxSimScorer(query, 2, VectorSimilarityFunction.COSINE);
    expectThrows(IllegalArgumentException.class, () -> scorer.score(new float[4], 0));
    // the suite runs with the module added and no override: the Panama kernel
    assertTrue(MaxSimKernel.get().name(), MaxSimKernel.get().name().startsWith("panama"));
  }

  private float[] randomFlat(int count, int dim) {
    float[] v = new float[count * dim];
    for (int k = 0; k < v.length; k++) {
      v[k] = random().nextFloat() * 2 - 1;
    }
    return v;
  }

  private float[][] randomVectors(int count, int dim) {
    float[][] v = new float[count][];
    for (int i = 0; i < count; i++) {
      v[i] = randomFlat(1, dim);
      v[i][0] += 0.01f; // never the zero vector
    }
    return v;
  }

  private static float[] unit(int dim, int axis) {
    float[] v = new float[dim];
    v[axis] = 1f;
    return v;
  }

  private static float[] flatten(float[][] vectors, int count) {
    int dim = vectors[0].length;
    float[] flat = new float[count * dim];
    for (int i = 0; i < count; i++) {
      System.arraycopy(vectors[i], 0, flat, i * dim, dim);
    }
    return flat;
  }

  private int randomFrom(int... values) {
    return values[random().nextInt(values.length)];
  }
}
