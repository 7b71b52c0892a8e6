package dev.metaembed.lucene.search;

import dev.metaembed.lucene.codec.MetaEmbedVectorValues;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.DoubleValues;
import org.apache.lucene.search.DoubleValuesSource;
import org.apache.lucene.search.IndexSearcher;

/**
 * Budgeted MaxSim as a {@link DoubleValuesSource}: scores any first-pass query's hits the way
 * {@link LateInteractionQuery} does, for {@code FunctionScoreQuery} or {@code RescoreTopNQuery}.
 * Documents without vectors in the field have no value.
 */
public final class MaxSimValuesSource extends DoubleValuesSource {
  private final String field;
  private final float[][] queryVectors;
  private final int queryBudget;
  private final int documentBudget;

  /**
   * @param queryVectors the query's meta vectors in Matryoshka order
   * @param queryBudget query vectors used, 1..queryVectors.length
   * @param documentBudget document vectors used, at least 1 (capped at what a document has)
   */
  public MaxSimValuesSource(
      String field, float[][] queryVectors, int queryBudget, int documentBudget) {
    this.field = Objects.requireNonNull(field, "field must not be null");
    this.queryVectors = QueryVectors.copyOf(field, queryVectors);
    QueryVectors.checkBudget(field, queryBudget, documentBudget, this.queryVectors.length);
    this.queryBudget = queryBudget;
    this.documentBudget = documentBudget;
  }

  @Override
  public DoubleValues getValues(LeafReaderContext ctx, DoubleValues scores) throws IOException {
    MetaEmbedVectorValues values = QueryVectors.open(ctx.reader(), field, queryVectors[0].length);
    if (values == null) {
      return DoubleValues.EMPTY;
    }
    int budget = Math.min(documentBudget, values.maxVectors());
    float[] docVectors = new float[budget * values.dimension()];
    MaxSimScorer scorer = new MaxSimScorer(queryVectors, queryBudget, values.similarityFunction());
    return new DoubleValues() {
      private float score;

      @Override
      public double doubleValue() {
        return score;
      }

      @Override
      public boolean advanceExact(int doc) throws IOException {
        if (values.advanceExact(doc) == false) {
          return false;
        }
        score = scorer.score(docVectors, values.readVectors(budget, docVectors));
        return true;
      }
    };
  }

  @Override
  public boolean needsScores() {
    return false;
  }

  @Override
  public DoubleValuesSource rewrite(IndexSearcher searcher) {
    return this;
  }

  @Override
  public boolean isCacheable(LeafReaderContext ctx) {
    return true;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof MaxSimValuesSource that
        && field.equals(that.field)
        && queryBudget == that.queryBudget
        && documentBudget == that.documentBudget
        && Arrays.deepEquals(queryVectors, that.queryVectors);
  }

  @Override
  public int hashCode() {
    return Objects.hash(field, queryBudget, documentBudget, Arrays.deepHashCode(queryVectors));
  }

  @Override
  public String toString() {
    return "MaxSim(field="
        + field
        + ", vectors="
        + queryVectors.length
        + "x"
        + queryVectors[0].length
        + ", budget=("
        + queryBudget
        + ","
        + documentBudget
        + "))";
  }
}
