package dev.metaembed.lucene.codec;

import java.util.Map;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.IndexableFieldType;
import org.apache.lucene.index.VectorEncoding;

/**
 * The per-field configuration of a MetaEmbed field: vector dimension, vectors per document and
 * storage encoding. It travels as {@code FieldInfo} attributes, so one codec serves every field.
 *
 * @param dimension components per vector, 1..{@link #MAX_DIMENSION}
 * @param maxVectors vectors per document at most, 1..{@link #MAX_VECTORS}
 * @param storage encoding of the prefix store
 */
record MetaEmbedFieldShape(int dimension, int maxVectors, VectorStorage storage) {

  /** Largest dimension of one vector (MetaEmbed-7B vectors have 3584 components). */
  static final int MAX_DIMENSION = 4096;

  /** Largest number of vectors per document (MetaEmbed documents carry 64). */
  static final int MAX_VECTORS = 64;

  static final String DIMENSION_ATTRIBUTE = "metaembed.dimension";
  static final String MAX_VECTORS_ATTRIBUTE = "metaembed.max_vectors";
  static final String STORAGE_ATTRIBUTE = "metaembed.storage";

  MetaEmbedFieldShape {
    checkLimits(dimension, maxVectors);
  }

  static void checkLimits(int dimension, int maxVectors) {
    if (dimension < 1 || dimension > MAX_DIMENSION) {
      throw new IllegalArgumentException(
          "dimension must be in 1.." + MAX_DIMENSION + ", got " + dimension);
    }
    if (maxVectors < 1 || maxVectors > MAX_VECTORS) {
      throw new IllegalArgumentException(
          "maxVectors must be in 1.." + MAX_VECTORS + ", got " + maxVectors);
    }
  }

  /**
   * Length of the flattened per-document vector that Lucene sees: {@code 64 × dimension +
   * (maxVectors − 1)}. Room for {@value #MAX_VECTORS} vectors plus a tail that encodes maxVectors,
   * so that the length alone determines (dimension, maxVectors): Lucene compares the vector
   * dimension of a field across documents and segments (not its attributes), and so rejects a
   * document whose MetaEmbed shape differs from the field's, even when maxVectors × dimension is
   * the same.
   */
  int flatDimension() {
    return MAX_VECTORS * dimension + maxVectors - 1;
  }

  /** Components of the slots that can hold this field's vectors: maxVectors × dimension. */
  int vectorComponents() {
    return maxVectors * dimension;
  }

  /** Bytes one stored vector takes in the prefix store. */
  long bytesPerVector() {
    return storage.bytesPerVector(dimension);
  }

  /**
   * The shape of a field, or null when the field is not a MetaEmbed field.
   *
   * <p>A field whose MetaEmbed attributes describe another flattened dimension or encoding than
   * its own is a plain field: only {@link MetaEmbedField#createFieldType} types make MetaEmbed
   * fields, and theirs always agree. Such attributes are left over from a rejected document:
   * Lucene's indexing chain keeps the attributes of a document it rejected (say a MetaEmbed value
   * under a plain vector field's name) and gives them to the field's next {@code FieldInfo} in the
   * segment; failing on them would fail the next, valid document with an aborting exception that
   * closes the writer.
   */
  static MetaEmbedFieldShape of(FieldInfo info) {
    MetaEmbedFieldShape shape = parse(info.name, info.attributes());
    if (shape == null
        || shape.matches(info.getVectorDimension(), info.getVectorEncoding()) == false) {
      return null;
    }
    return shape;
  }

  /** The shape of a field type, or null when the type is not a MetaEmbed field type. */
  static MetaEmbedFieldShape of(String field, IndexableFieldType type) {
    Map<String, String> attributes = type.getAttributes();
    if (attributes == null) {
      return null;
    }
    MetaEmbedFieldShape shape = parse(field, attributes);
    if (shape != null && shape.matches(type.vectorDimension(), type.vectorEncoding()) == false) {
      throw invalid(
          field,
          "flattened vector dimension "
              + type.vectorDimension()
              + " ("
              + type.vectorEncoding()
              + ") does not match the one of its shape, "
              + shape.flatDimension()
              + " (FLOAT32)",
          null);
    }
    return shape;
  }

  private boolean matches(int flatDimension, VectorEncoding encoding) {
    return flatDimension() == flatDimension && encoding == VectorEncoding.FLOAT32;
  }

  private static MetaEmbedFieldShape parse(String field, Map<String, String> attributes) {
    String dimension = attributes.get(DIMENSION_ATTRIBUTE);
    if (dimension == null) {
      return null;
    }
    try {
      return new MetaEmbedFieldShape(
          Integer.parseInt(dimension),
          Integer.parseInt(attributes.get(MAX_VECTORS_ATTRIBUTE)),
          storageOf(attributes.get(STORAGE_ATTRIBUTE)));
    } catch (IllegalArgumentException e) { // includes NumberFormatException
      throw invalid(field, e.getMessage(), e);
    }
  }

  private static IllegalArgumentException invalid(String field, String problem, Exception cause) {
    return new IllegalArgumentException(
        "field \"" + field + "\" has an invalid MetaEmbed field type: " + problem, cause);
  }

  private static VectorStorage storageOf(String value) {
    VectorStorage storage = VectorStorage.fromAttribute(value);
    if (storage == null) {
      throw new IllegalArgumentException("unknown storage \"" + value + "\"");
    }
    return storage;
  }
}
