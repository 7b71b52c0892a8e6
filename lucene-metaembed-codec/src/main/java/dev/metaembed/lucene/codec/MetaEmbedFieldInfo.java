package dev.metaembed.lucene.codec;

import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.VectorSimilarityFunction;

/**
 * What a segment records about a MetaEmbed field, read from its {@link FieldInfo}: the one place
 * outside the format's internals that knows the attributes {@link MetaEmbedField#createFieldType}
 * writes. The CLI, the OpenSearch plugin and tools use it instead of reading attributes.
 *
 * @param name the field
 * @param dimension components per vector
 * @param maxVectors the most vectors a document may carry
 * @param storage how the prefix store encodes vectors
 * @param similarity the similarity the field was indexed with
 */
public record MetaEmbedFieldInfo(
    String name,
    int dimension,
    int maxVectors,
    VectorStorage storage,
    VectorSimilarityFunction similarity) {

  /**
   * The MetaEmbed shape of {@code info}, or null when it is not a MetaEmbed field (no vectors, a
   * plain vector field, or null).
   *
   * @throws IllegalArgumentException when MetaEmbed attributes are present but malformed
   */
  public static MetaEmbedFieldInfo of(FieldInfo info) {
    if (info == null || info.hasVectorValues() == false) {
      return null;
    }
    MetaEmbedFieldShape shape = MetaEmbedFieldShape.of(info);
    return shape == null
        ? null
        : new MetaEmbedFieldInfo(
            info.name,
            shape.dimension(),
            shape.maxVectors(),
            shape.storage(),
            info.getVectorSimilarityFunction());
  }

  /** Whether {@code info} is a MetaEmbed field. */
  public static boolean isMetaEmbed(FieldInfo info) {
    return of(info) != null;
  }

  /** Bytes one stored vector of this field takes in the prefix store. */
  public int bytesPerVector() {
    return storage.bytesPerVector(dimension);
  }

  /**
   * The MetaEmbed format version ({@link MetaEmbedVectorsFormat#VERSION_START}..{@link
   * MetaEmbedVectorsFormat#VERSION_CURRENT}) of the segment behind {@code leaf} that stores {@code
   * field}, or -1 when no {@link MetaEmbedVectorsFormat} reader stores it there (not a MetaEmbed
   * field, written by another format, or a view that hides the reader, such as a sorting view).
   * Looks through {@code FilterLeafReader}s and {@code PerFieldKnnVectorsFormat}.
   */
  public static int formatVersion(LeafReader leaf, String field) {
    MetaEmbedVectorsReader own = MetaEmbedVectorValues.ownReader(leaf, field);
    return own == null || isMetaEmbed(leaf.getFieldInfos().fieldInfo(field)) == false
        ? -1
        : own.formatVersion();
  }
}
