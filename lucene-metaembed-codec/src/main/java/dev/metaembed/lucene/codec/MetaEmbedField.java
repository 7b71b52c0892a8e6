package dev.metaembed.lucene.codec;

import java.util.Objects;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.index.VectorEncoding;
import org.apache.lucene.index.VectorSimilarityFunction;

/**
 * One document's MetaEmbed multi-vector embedding: its meta-token vectors in Matryoshka order
 * (coarse to fine), 1 to maxVectors of them.
 *
 * <pre class="prettyprint">
 * FieldType type = MetaEmbedField.createFieldType(128, 64, VectorSimilarityFunction.DOT_PRODUCT);
 * doc.add(new MetaEmbedField("page", vectors, type)); // float[n][128], 1 &lt;= n &lt;= 64
 * iwc.setCodec(new MetaEmbedCodec());
 * </pre>
 *
 * <p>Lucene's indexing chain accepts float vectors only as a {@link KnnFloatVectorField}, so this
 * field is one: its Lucene vector is the document's vectors flattened and padded to {@code
 * 64 × dimension + maxVectors − 1} components, a length that identifies the field's shape (see
 * {@link FlatPadding}), which {@link
 * MetaEmbedVectorsFormat} splits back into the prefix store and the HNSW graph over vector 0. A
 * component equal to {@code -0.0f} is stored as {@code +0.0f}; every other value is stored exactly.
 *
 * <p>Every vector is checked when the field is built: a clear {@link IllegalArgumentException}
 * names the field and the problem for an empty or oversized array, a vector of the wrong length,
 * a NaN or infinite component, or a zero vector under {@link VectorSimilarityFunction#COSINE}.
 *
 * <p>At {@code IndexWriter.addDocument}, Lucene rejects with an {@link IllegalArgumentException}
 * naming the field (the writer stays open) a document whose field has another shape (dimension or
 * maxVectors, seen as another vector dimension) or similarity than the index's, a second value of
 * the field in one document, and a plain vector field under a MetaEmbed field's name or the
 * reverse. The one mix Lucene cannot see: a plain vector field whose dimension is exactly a
 * MetaEmbed field's flattened length {@code 64 × dimension + maxVectors − 1}, with the same
 * similarity; do not give a plain vector field and a MetaEmbed field the same name.
 */
public class MetaEmbedField extends KnnFloatVectorField {
  /** Largest number of components of one vector. */
  public static final int MAX_DIMENSION = MetaEmbedFieldShape.MAX_DIMENSION;

  /** Largest number of vectors one document can hold. */
  public static final int MAX_VECTORS = MetaEmbedFieldShape.MAX_VECTORS;

  /**
   * Creates a field holding {@code vectors}, one document's meta vectors in Matryoshka order.
   *
   * @param type a type from {@link #createFieldType}
   * @throws IllegalArgumentException if the type is not a MetaEmbed type or a vector is invalid
   * @throws NullPointerException if {@code type} is null
   */
  public MetaEmbedField(String name, float[][] vectors, FieldType type) {
    super(name, flatten(name, vectors, type), type);
  }

  /**
   * A frozen field type for MetaEmbed fields of {@code dim}-component vectors, at most {@code
   * maxVectors} per document, stored as {@link VectorStorage#FLOAT32}.
   *
   * @param dim components per vector, 1..4096
   * @param maxVectors vectors per document at most, 1..64
   * @param similarity the similarity late interaction uses between a query and a document vector
   * @throws IllegalArgumentException if {@code dim} or {@code maxVectors} is out of range
   * @throws NullPointerException if {@code similarity} is null
   */
  public static FieldType createFieldType(
      int dim, int maxVectors, VectorSimilarityFunction similarity) {
    return createFieldType(dim, maxVectors, similarity, VectorStorage.FLOAT32);
  }

  /**
   * A frozen field type for MetaEmbed fields of {@code dim}-component vectors, at most {@code
   * maxVectors} per document, stored in the prefix store as {@code storage}. The HNSW graph over
   * vector 0 always keeps vector 0 in full precision, and readers take vector 0 from there; the
   * other vectors are read decoded from {@code storage}.
   *
   * @param dim components per vector, 1..4096
   * @param maxVectors vectors per document at most, 1..64
   * @param similarity the similarity late interaction uses between a query and a document vector
   * @param storage how the prefix store encodes each vector (see {@link VectorStorage})
   * @throws IllegalArgumentException if {@code dim} or {@code maxVectors} is out of range
   * @throws NullPointerException if {@code similarity} or {@code storage} is null
   */
  public static FieldType createFieldType(
      int dim, int maxVectors, VectorSimilarityFunction similarity, VectorStorage storage) {
    Objects.requireNonNull(similarity, "similarity must not be null");
    Objects.requireNonNull(storage, "storage must not be null");
    MetaEmbedFieldShape shape = new MetaEmbedFieldShape(dim, maxVectors, storage);
    FieldType type = new FieldType();
    type.setVectorAttributes(shape.flatDimension(), VectorEncoding.FLOAT32, similarity);
    type.putAttribute(MetaEmbedFieldShape.DIMENSION_ATTRIBUTE, Integer.toString(dim));
    type.putAttribute(MetaEmbedFieldShape.MAX_VECTORS_ATTRIBUTE, Integer.toString(maxVectors));
    type.putAttribute(MetaEmbedFieldShape.STORAGE_ATTRIBUTE, shape.storage().attributeValue());
    type.freeze();
    return type;
  }

  /** Not supported: a MetaEmbed field's value is set once, through the constructor. */
  @Override
  public void setVectorValue(float[] value) {
    throw new UnsupportedOperationException(
        "field \"" + name + "\": create a new MetaEmbedField instead of changing its value");
  }

  private static float[] flatten(String name, float[][] vectors, FieldType type) {
    Objects.requireNonNull(type, "type must not be null");
    MetaEmbedFieldShape shape = MetaEmbedFieldShape.of(name, type);
    if (shape == null) {
      throw new IllegalArgumentException(
          "field \"" + name + "\": the type must come from MetaEmbedField.createFieldType");
    }
    return FlatPadding.flatten(name, vectors, shape, type.vectorSimilarityFunction());
  }
}
