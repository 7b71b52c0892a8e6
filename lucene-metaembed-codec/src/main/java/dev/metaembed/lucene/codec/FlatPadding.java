package dev.metaembed.lucene.codec;

import java.util.Arrays;
import org.apache.lucene.index.VectorSimilarityFunction;

/**
 * The flattened form in which a document's vectors pass through Lucene's indexing chain: one
 * {@code float[64 × dimension + maxVectors − 1]} (see {@link MetaEmbedFieldShape#flatDimension()})
 * holding the document's vectors in order, then padding to the end.
 *
 * <p>Padding is negative zero ({@code -0.0f}, raw bits {@code 0x80000000}). Real vectors never
 * contain a negative zero: {@link #flatten} stores every {@code -0.0f} component as {@code +0.0f},
 * which no similarity function can tell apart. So the first component of a vector slot alone says
 * whether it is padding, and a document's true vector count is recovered exactly.
 */
final class FlatPadding {
  private static final int NEGATIVE_ZERO_BITS = Float.floatToRawIntBits(-0.0f);

  private FlatPadding() {}

  /**
   * Validates one document's vectors and returns their padded, flattened form.
   *
   * @throws IllegalArgumentException naming the field and the problem
   */
  static float[] flatten(
      String field,
      float[][] vectors,
      MetaEmbedFieldShape shape,
      VectorSimilarityFunction similarity) {
    if (vectors == null) {
      throw new IllegalArgumentException("field \"" + field + "\": vectors must not be null");
    }
    if (vectors.length == 0 || vectors.length > shape.maxVectors()) {
      throw new IllegalArgumentException(
          "field \""
              + field
              + "\": a document must have 1.."
              + shape.maxVectors()
              + " vectors, got "
              + vectors.length);
    }
    int dim = shape.dimension();
    float[] flat = new float[shape.flatDimension()];
    for (int i = 0; i < vectors.length; i++) {
      checkVector(field, i, vectors[i], dim, similarity);
      for (int c = 0; c < dim; c++) {
        // -0.0f marks padding; +0.0f compares equal in every similarity.
        flat[i * dim + c] = vectors[i][c] == 0f ? 0f : vectors[i][c];
      }
    }
    pad(flat, vectors.length, dim);
    return flat;
  }

  private static void checkVector(
      String field, int index, float[] vector, int dim, VectorSimilarityFunction similarity) {
    String where = "field \"" + field + "\", vector " + index + ": ";
    if (vector == null) {
      throw new IllegalArgumentException(where + "must not be null");
    }
    if (vector.length != dim) {
      throw new IllegalArgumentException(
          where + "has " + vector.length + " components, the field's dimension is " + dim);
    }
    boolean allZero = true;
    for (int c = 0; c < dim; c++) {
      if (Float.isFinite(vector[c]) == false) {
        throw new IllegalArgumentException(
            where + "component " + c + " is " + vector[c] + "; only finite values are allowed");
      }
      allZero &= vector[c] == 0f;
    }
    if (allZero && similarity == VectorSimilarityFunction.COSINE) {
      throw new IllegalArgumentException(where + "is a zero vector, which cosine cannot score");
    }
  }

  /**
   * The number of real vectors in a flattened document: the slots before the first padding slot.
   *
   * @throws IllegalArgumentException when the array does not have the layout {@link #flatten}
   *     produces for this shape (for example a plain vector given a MetaEmbed field type)
   */
  static int vectorCount(String field, float[] flat, MetaEmbedFieldShape shape) {
    int dim = shape.dimension();
    int count = 0;
    while (count < shape.maxVectors() && isPadding(flat[count * dim]) == false) {
      count++;
    }
    for (int i = 0; i < flat.length; i++) {
      if ((i < count * dim) == isPadding(flat[i])) {
        throw new IllegalArgumentException(
            "field \""
                + field
                + "\": the document's vectors do not match the field's shape (dimension "
                + dim
                + ", maxVectors "
                + shape.maxVectors()
                + "); only a MetaEmbedField can fill a MetaEmbed field");
      }
    }
    if (count == 0) {
      throw new IllegalArgumentException("field \"" + field + "\": a document needs a vector");
    }
    return count;
  }

  /** Fills {@code flat} with padding after its first {@code count} vectors. */
  static void pad(float[] flat, int count, int dim) {
    Arrays.fill(flat, count * dim, flat.length, -0.0f);
  }

  private static boolean isPadding(float component) {
    return Float.floatToRawIntBits(component) == NEGATIVE_ZERO_BITS;
  }
}
