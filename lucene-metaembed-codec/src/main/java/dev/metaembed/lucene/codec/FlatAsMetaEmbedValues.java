package dev.metaembed.lucene.codec;

import java.io.IOException;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.VectorSimilarityFunction;

/**
 * {@link MetaEmbedVectorValues} over the flattened values any {@code LeafReader} returns: used
 * for wrapped readers and segments written by another format. Reads whole documents.
 */
final class FlatAsMetaEmbedValues extends MetaEmbedVectorValues {
  private final String field;
  private final FloatVectorValues flat;
  private final KnnVectorValues.DocIndexIterator iterator;
  private final MetaEmbedFieldShape shape;
  private final VectorSimilarityFunction similarity;
  private float[] current;
  private int count;

  FlatAsMetaEmbedValues(
      String field,
      FloatVectorValues flat,
      MetaEmbedFieldShape shape,
      VectorSimilarityFunction similarity) {
    this.field = field;
    this.flat = flat;
    this.iterator = flat.iterator();
    this.shape = shape;
    this.similarity = similarity;
  }

  @Override
  public boolean advanceExact(int doc) throws IOException {
    if (doc < iterator.docID()) {
      throw new IllegalArgumentException(
          "doc ids must not go backwards: " + doc + " after " + iterator.docID());
    }
    if (iterator.docID() < doc) {
      iterator.advance(doc);
    }
    current = null;
    if (iterator.docID() != doc) {
      return false;
    }
    current = flat.vectorValue(iterator.index());
    count = FlatPadding.vectorCount(field, current, shape);
    return true;
  }

  @Override
  public int vectorCount() {
    checkPositioned();
    return count;
  }

  @Override
  public float[][] vectors(int n) {
    checkPositioned();
    return split(current, Math.min(Math.max(n, 0), count), shape.dimension());
  }

  @Override
  public int readVectors(int n, float[][] dest) {
    checkPositioned();
    int read = Math.min(Math.max(n, 0), count);
    int dim = shape.dimension();
    for (int i = 0; i < read; i++) {
      System.arraycopy(current, i * dim, dest[i], 0, dim);
    }
    return read;
  }

  @Override
  public int readVectors(int n, float[] dest) {
    checkPositioned();
    int read = Math.min(Math.max(n, 0), count);
    System.arraycopy(current, 0, dest, 0, read * shape.dimension());
    return read;
  }

  private void checkPositioned() {
    if (current == null) {
      throw new IllegalStateException("not positioned on a document with vectors");
    }
  }

  @Override
  public int dimension() {
    return shape.dimension();
  }

  @Override
  public int maxVectors() {
    return shape.maxVectors();
  }

  @Override
  public VectorStorage storage() {
    return shape.storage();
  }

  @Override
  public VectorSimilarityFunction similarityFunction() {
    return similarity;
  }
}
