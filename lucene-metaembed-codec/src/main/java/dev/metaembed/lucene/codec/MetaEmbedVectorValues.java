package dev.metaembed.lucene.codec;

import java.io.IOException;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat;
import org.apache.lucene.index.CodecReader;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FilterLeafReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.VectorSimilarityFunction;

/**
 * Reads a MetaEmbed field of one segment, document by document, returning only the vector prefix
 * asked for. Use it like doc values: position with {@link #advanceExact} on increasing doc ids,
 * then read the current document's {@link #vectorCount()} and {@link #vectors(int)}.
 *
 * <pre class="prettyprint">
 * MetaEmbedVectorValues values = MetaEmbedVectorValues.get(leafReader, "page");
 * if (values != null &amp;&amp; values.advanceExact(doc)) {
 *   float[][] first8 = values.vectors(8);
 * }
 * </pre>
 *
 * <p>With a compact {@link #storage()} the vectors are decoded values, except vector 0, which is
 * always exact (read from the HNSW graph's full-precision copy).
 *
 * <p>Instances are not thread-safe; get one per thread.
 */
public abstract class MetaEmbedVectorValues {

  /** Sole constructor, for subclasses. */
  protected MetaEmbedVectorValues() {}

  /**
   * The MetaEmbed vectors of {@code field} in this segment.
   *
   * @return null when the segment has no such field or no document in it has vectors
   * @throws IllegalArgumentException when the field exists but is not a MetaEmbed field
   */
  public static MetaEmbedVectorValues get(LeafReader reader, String field) throws IOException {
    FieldInfo info = reader.getFieldInfos().fieldInfo(field);
    if (info == null || info.hasVectorValues() == false) {
      return null;
    }
    MetaEmbedFieldShape shape = MetaEmbedFieldShape.of(info);
    if (shape == null) {
      throw new IllegalArgumentException(
          "field \"" + field + "\" is a plain vector field, not a MetaEmbed field");
    }
    MetaEmbedVectorsReader own = ownReader(reader, field);
    if (own != null) {
      PrefixStore store = own.prefixStore(field);
      return store == null || store.size() == 0 ? null : new OffHeapMetaEmbedVectorValues(store);
    }
    FloatVectorValues flat = reader.getFloatVectorValues(field);
    return flat == null || flat.size() == 0
        ? null
        : new FlatAsMetaEmbedValues(field, flat, shape, info.getVectorSimilarityFunction());
  }

  /**
   * The format's own reader behind {@code reader}, looking through {@link FilterLeafReader}s (they
   * keep doc IDs; engines such as OpenSearch wrap every leaf in one), but not through a {@link
   * CodecReader} that replaces the vector reader (such as a sorting view).
   */
  static MetaEmbedVectorsReader ownReader(LeafReader reader, String field) {
    reader = FilterLeafReader.unwrap(reader);
    if (reader instanceof CodecReader codecReader) {
      KnnVectorsReader vectors = codecReader.getVectorReader();
      if (vectors instanceof PerFieldKnnVectorsFormat.FieldsReader perField) {
        vectors = perField.getFieldReader(field);
      }
      if (vectors instanceof MetaEmbedVectorsReader own) {
        return own;
      }
    }
    return null; // another format, or a view that remaps documents: read the flattened values
  }

  /**
   * Positions on {@code doc}, which must not be smaller than the last doc passed.
   *
   * @return true when the document has vectors in this field
   */
  public abstract boolean advanceExact(int doc) throws IOException;

  /** Number of vectors of the current document, 1..{@link #maxVectors()}. */
  public abstract int vectorCount();

  /**
   * The first {@code min(count, vectorCount())} vectors of the current document, in Matryoshka
   * order; only those are read. The arrays are new and belong to the caller.
   */
  public abstract float[][] vectors(int count) throws IOException;

  /**
   * Reads the first {@code min(count, vectorCount())} vectors of the current document into {@code
   * dest}, one vector per array, without allocating; only those vectors are read.
   *
   * @param dest at least that many arrays of {@link #dimension()} components
   * @return the number of vectors read
   */
  public abstract int readVectors(int count, float[][] dest) throws IOException;

  /**
   * Reads the first {@code min(count, vectorCount())} vectors of the current document into {@code
   * dest}, decoded and back to back (vector {@code v} at {@code v × dimension()}), without
   * allocating; only those vectors are read.
   *
   * @param dest at least that many vectors' components
   * @return the number of vectors read
   */
  public abstract int readVectors(int count, float[] dest) throws IOException;

  /**
   * Hints that the first {@code count} vectors of {@code docs[from..to)} (increasing doc ids, not
   * before the current document) will be read soon, so their pages can load in the background.
   * Does not move this instance. The default does nothing.
   */
  public void prefetch(int[] docs, int from, int to, int count) throws IOException {}

  /** Components per vector. */
  public abstract int dimension();

  /** Largest number of vectors a document of this field may have. */
  public abstract int maxVectors();

  /** How the field's vectors are stored; vectors read from a compact storage are decoded values. */
  public abstract VectorStorage storage();

  /** The field's similarity between a query vector and a document vector. */
  public abstract VectorSimilarityFunction similarityFunction();

  /** Splits {@code flat} (vectors back to back) into {@code count} arrays of {@code dimension}. */
  static float[][] split(float[] flat, int count, int dimension) {
    float[][] vectors = new float[count][];
    for (int i = 0; i < count; i++) {
      vectors[i] = java.util.Arrays.copyOfRange(flat, i * dimension, (i + 1) * dimension);
    }
    return vectors;
  }
}
