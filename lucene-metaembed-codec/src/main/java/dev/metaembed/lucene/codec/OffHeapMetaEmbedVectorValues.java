package dev.metaembed.lucene.codec;

import java.io.IOException;
import org.apache.lucene.codecs.lucene90.IndexedDISI;
import org.apache.lucene.index.VectorSimilarityFunction;

/** {@link MetaEmbedVectorValues} read straight from this format's prefix store. */
final class OffHeapMetaEmbedVectorValues extends MetaEmbedVectorValues {
  private final PrefixStore store;
  private final IndexedDISI sparseDocs;
  private final float[] buffer;
  private int ord = -1;
  private int lastDoc = -1;

  OffHeapMetaEmbedVectorValues(PrefixStore store) throws IOException {
    this.store = store;
    this.sparseDocs = store.isSparse() ? store.sparseDocs() : null;
    this.buffer = new float[store.entry.shape().vectorComponents()];
  }

  @Override
  public boolean advanceExact(int doc) throws IOException {
    if (doc < lastDoc) {
      throw new IllegalArgumentException(
          "doc ids must not go backwards: " + doc + " after " + lastDoc);
    }
    lastDoc = doc;
    if (sparseDocs != null) {
      boolean found = sparseDocs.advanceExact(doc);
      ord = found ? sparseDocs.index() : -1;
    } else {
      ord = doc < store.size() ? doc : -1; // dense: ord == doc; empty: size 0
    }
    return ord >= 0;
  }

  @Override
  public int vectorCount() {
    checkPositioned();
    return store.vectorCount(ord);
  }

  @Override
  public float[][] vectors(int count) throws IOException {
    checkPositioned();
    int n = Math.min(Math.max(count, 0), store.vectorCount(ord));
    store.read(ord, n, buffer);
    return split(buffer, n, dimension());
  }

  @Override
  public int readVectors(int count, float[][] dest) throws IOException {
    checkPositioned();
    int n = Math.min(Math.max(count, 0), store.vectorCount(ord));
    store.read(ord, n, dest);
    return n;
  }

  private void checkPositioned() {
    if (ord < 0) {
      throw new IllegalStateException("not positioned on a document with vectors");
    }
  }

  @Override
  public int dimension() {
    return store.entry.shape().dimension();
  }

  @Override
  public int maxVectors() {
    return store.entry.shape().maxVectors();
  }

  @Override
  public VectorSimilarityFunction similarityFunction() {
    return store.entry.info().getVectorSimilarityFunction();
  }
}
