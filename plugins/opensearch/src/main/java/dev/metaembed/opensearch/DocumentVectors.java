package dev.metaembed.opensearch;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.lucene.util.ArrayUtil;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.core.xcontent.XContentParser.Token;

/**
 * Reads one document's value of a {@code metaembed_vector} field: an array of vectors, each an
 * array of numbers ({@code [[0.1, ...], [0.3, ...]]}), or a single vector ({@code [0.1, ...]}).
 * Shape and values (dims, count, NaN) are checked by the Lucene field; this class checks syntax
 * and stops reading as soon as there are more than {@code maxVectors} vectors.
 */
final class DocumentVectors {
  private DocumentVectors() {}

  /**
   * Parses the value at the parser's current token, leaving the parser on its last token.
   *
   * @return the vectors, or null for a JSON null
   * @throws IllegalArgumentException naming the field when the value is not an array of vectors
   */
  static float[][] parse(XContentParser parser, String field, int maxVectors) throws IOException {
    Token token = parser.currentToken();
    if (token == Token.VALUE_NULL) {
      return null;
    }
    if (token != Token.START_ARRAY) {
      throw new IllegalArgumentException(
          "field [" + field + "] takes an array of vectors (arrays of numbers), got " + token);
    }
    token = parser.nextToken();
    if (isNumber(token)) {
      return new float[][] {readNumbers(parser, field, 0)};
    }
    List<float[]> vectors = new ArrayList<>();
    for (; token != Token.END_ARRAY; token = parser.nextToken()) {
      if (token != Token.START_ARRAY) {
        throw new IllegalArgumentException(
            "field ["
                + field
                + "], vector "
                + vectors.size()
                + ": expected an array of numbers, got "
                + token);
      }
      if (vectors.size() == maxVectors) {
        throw new IllegalArgumentException(
            "field [" + field + "] has more than max_vectors=" + maxVectors + " vectors");
      }
      parser.nextToken();
      vectors.add(readNumbers(parser, field, vectors.size()));
    }
    return vectors.toArray(new float[0][]);
  }

  /** Reads numbers from the current token to the closing END_ARRAY. */
  private static float[] readNumbers(XContentParser parser, String field, int index)
      throws IOException {
    float[] values = new float[16];
    int count = 0;
    for (Token token = parser.currentToken();
        token != Token.END_ARRAY;
        token = parser.nextToken()) {
      if (isNumber(token) == false) {
        throw new IllegalArgumentException(
            "field [" + field + "], vector " + index + ": expected a number, got " + token);
      }
      values = ArrayUtil.grow(values, count + 1);
      values[count++] = parser.floatValue(); // a string such as "NaN" is read too, then refused
    }
    return Arrays.copyOf(values, count);
  }

  private static boolean isNumber(Token token) {
    return token == Token.VALUE_NUMBER || token == Token.VALUE_STRING;
  }
}
