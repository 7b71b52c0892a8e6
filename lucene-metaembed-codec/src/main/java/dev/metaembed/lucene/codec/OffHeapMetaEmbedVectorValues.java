package dev.metaembed.lucene.codec;

import java.io.IOException;
import org.apache.lucene.codecs.lucene90.IndexedDISI;
import org.apache.lucene.index.VectorSimilarityFunction;

/** {@link MetaEmbedVectorValues} read straight from this format's prefix store. */
final class OffHeapMetaEmbedVectorValues extends MetaEmbedVectorValues {
  private final PrefixStore store;
  private final IndexedDISI sparseDocs;
  private final IndexedDISI prefetchDocs; // a second cursor, so prefetching runs ahead of reads
  private int ord = -1;
  private int count; // vectors of ord, checked by the store when positioned
  private int lastDoc = -1;

  OffHeapMetaEmbedVectorValues(PrefixStore store) throws IOException {
    this.store = store;
    this.sparseDocs = store.isSparse() ? store.sparseDocs() : null;
    this.prefetchDocs = store.isSparse() ? store.sparseDocs() : null;
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
    count = ord >= 0 ? store.vectorCount(ord) : 0;
    return ord >= 0;
  }

  @Override
  public int vectorCount() {
    checkPositioned();
    return this.count;
  }

  @Override
  public float[][] vectors(int count) throws IOException {
    checkPositioned();
    int n = Math.min(Math.max(count, 0), this.count);
    float[] flat = new float[n * dimension()];
    store.read(ord, n, flat);
    return split(flat, n, dimension());
  }

  @Override
  public int readVectors(int count, float[][] dest) throws IOException {
    checkPositioned();
    int n = Math.min(Math.max(count, 0), this.count);
    store.read(ord, n, dest);
    return n;
  }

  @Override
  public int readVectors(int count, float[] dest) throws IOException {
    checkPositioned();
    int n = Math.min(Math.max(count, 0), this.count);
    store.read(ord, n, dest);
    return n;
  }

  @Override
  public void prefetch(int[] docs, int from, int to, int count) throws IOException {
    for (int i = from; i < to; i++) {
      int target = ordOf(docs[i]);
      if (target >= 0) {
        store.prefetch(target, Math.min(count, store.vectorCount(target)));
      }
    }
  }

  /** The ord of {@code doc} without moving this instance, or -1; docs must not go backwards. */
  private int ordOf(int doc) throws IOException {
    if (prefetchDocs == null) {
      return doc < store.size() ? doc : -1;
    }
    if (prefetchDocs.docID() < doc) {
      prefetchDocs.advance(doc);
    }
    return prefetchDocs.docID() == doc ? prefetchDocs.index() : -1;
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
  public VectorStorage storage() {
    return store.entry.shape().storage();
  }

  @Override
  public VectorSimilarityFunction similarityFunction() {
    return store.entry.info().getVectorSimilarityFunction();
  }
}
