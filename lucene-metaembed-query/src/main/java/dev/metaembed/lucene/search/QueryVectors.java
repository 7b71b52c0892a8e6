package dev.metaembed.lucene.search;

import dev.metaembed.lucene.codec.MetaEmbedVectorValues;
import java.io.IOException;
import java.util.Objects;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.LeafReader;

/** Checks shared by {@link LateInteractionQuery} and {@link MaxSimValuesSource}. */
final class QueryVectors {
  private QueryVectors() {}

  /** A deep copy of {@code vectors}, checked: non-empty, one dimension, finite components. */
  static float[][] copyOf(String field, float[][] vectors) {
    Objects.requireNonNull(field, "field must not be null");
    if (vectors == null || vectors.length == 0) {
      throw new IllegalArgumentException("field \"" + field + "\": the query has no vectors");
    }
    float[][] copy = new float[vectors.length][];
    for (int i = 0; i < vectors.length; i++) {
      if (vectors[i] == null || vectors[i].length == 0) {
        throw new IllegalArgumentException(
            "field \"" + field + "\": query vector " + i + " is null or empty");
      }
      if (vectors[i].length != vectors[0].length) {
        throw new IllegalArgumentException(
            "field \""
                + field
                + "\": query vector "
                + i
                + " has "
                + vectors[i].length
                + " components, query vector 0 has "
                + vectors[0].length);
      }
      for (int c = 0; c < vectors[i].length; c++) {
        if (Float.isFinite(vectors[i][c]) == false) {
          throw new IllegalArgumentException(
              "field \""
                  + field
                  + "\": query vector "
                  + i
                  + " component "
                  + c
                  + " is "
                  + vectors[i][c]);
        }
      }
      copy[i] = vectors[i].clone();
    }
    return copy;
  }

  /** Checks a budget (r_q, r_c) against a query of {@code queryCount} vectors. */
  static void checkBudget(String field, int queryBudget, int documentBudget, int queryCount) {
    if (queryBudget < 1 || queryBudget > queryCount) {
      throw new IllegalArgumentException(
          "field \""
              + field
              + "\": query budget must be in 1.."
              + queryCount
              + " (the query's vectors), got "
              + queryBudget);
    }
    if (documentBudget < 1) {
      throw new IllegalArgumentException(
          "field \"" + field + "\": document budget must be at least 1, got " + documentBudget);
    }
  }

  /**
   * The segment's vectors of {@code field}, checked against the query's dimension; null when no
   * document of the segment has the field.
   *
   * @throws IllegalArgumentException when the field is not a MetaEmbed field or the dimensions
   *     differ
   */
  static MetaEmbedVectorValues open(LeafReader reader, String field, int queryDimension)
      throws IOException {
    FieldInfo info = reader.getFieldInfos().fieldInfo(field);
    if (info != null && info.hasVectorValues() == false) {
      throw new IllegalArgumentException(
          "field \"" + field + "\" is not a MetaEmbed field: it has no vectors");
    }
    MetaEmbedVectorValues values = MetaEmbedVectorValues.get(reader, field);
    if (values != null && values.dimension() != queryDimension) {
      throw new IllegalArgumentException(
          "field \""
              + field
              + "\" holds "
              + values.dimension()
              + "-component vectors, the query vectors have "
              + queryDimension);
    }
    return values;
  }
}
