package dev.metaembed.opensearch;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.lucene.util.ArrayUtil;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.core.xcontent.XContentParser.Token;

/**
 * The one rule for vectors in JSON, for a document's {@code metaembed_vector} value and a query's
 * {@code query_vectors} alike: an array of vectors, each an array of JSON numbers ({@code [[0.1,
 * ...], [0.3, ...]]}), or a single vector ({@code [0.1, ...]}). Strings, nested objects and
 * anything else are refused naming the vector; values (dims, count, NaN) are checked by whoever
 * uses them. Reading stops as soon as there are more than {@code maxVectors} vectors.
 */
final class VectorArrays {
  private VectorArrays() {}

  /**
   * Parses the value at the parser's current token, leaving the parser on its last token.
   *
   * @param what names the value in errors, e.g. {@code field [page]} or {@code [query_vectors]}
   * @return the vectors, or null for a JSON null
   * @throws IllegalArgumentException naming {@code what} when the value is not an array of vectors
   */
  static float[][] parse(XContentParser parser, String what, int maxVectors) throws IOException {
    Token token = parser.currentToken();
    if (token == Token.VALUE_NULL) {
      return null;
    }
    if (token != Token.START_ARRAY) {
      throw new IllegalArgumentException(
          what + " takes an array of vectors (arrays of numbers), got " + token);
    }
    token = parser.nextToken();
    if (token == Token.VALUE_NUMBER) {
      return new float[][] {readNumbers(parser, what, 0)};
    }
    List<float[]> vectors = new ArrayList<>();
    for (; token != Token.END_ARRAY; token = parser.nextToken()) {
      if (token != Token.START_ARRAY) {
        throw new IllegalArgumentException(
            what + ", vector " + vectors.size() + ": expected an array of numbers, got " + token);
      }
      if (vectors.size() == maxVectors) {
        throw new IllegalArgumentException(what + " has more than " + maxVectors + " vectors");
      }
      parser.nextToken();
      vectors.add(readNumbers(parser, what, vectors.size()));
    }
    return vectors.toArray(new float[0][]);
  }

  /** Reads numbers from the current token to the closing END_ARRAY. */
  private static float[] readNumbers(XContentParser parser, String what, int index)
      throws IOException {
    float[] values = new float[16];
    int count = 0;
    for (Token token = parser.currentToken();
        token != Token.END_ARRAY;
        token = parser.nextToken()) {
      if (token != Token.VALUE_NUMBER) {
        throw new IllegalArgumentException(
            what + ", vector " + index + ": expected a number, got " + token);
      }
      values = ArrayUtil.grow(values, count + 1);
      values[count++] = parser.floatValue();
    }
    return Arrays.copyOf(values, count);
  }
}
