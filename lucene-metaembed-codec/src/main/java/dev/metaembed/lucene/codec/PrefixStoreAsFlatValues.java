package dev.metaembed.lucene.codec;

import java.io.IOException;
import org.apache.lucene.index.FloatVectorValues;

/**
 * A MetaEmbed field as Lucene's {@code getFloatVectorValues} presents it: one flattened vector per
 * document ({@link MetaEmbedFieldShape#flatDimension()} components), padded as {@link
 * FlatPadding} describes, so that CheckIndex, merges and generic tools see what the indexing
 * chain was given: vector 0 exactly as indexed, the others decoded from the prefix store (exact for
 * FLOAT32).
 */
final class PrefixStoreAsFlatValues extends FloatVectorValues {
  final PrefixStore store;
  private final float[] value;
  private int valueOrd = -1;

  PrefixStoreAsFlatValues(PrefixStore store) {
    this.store = store;
    this.value = new float[store.entry.shape().flatDimension()];
  }

  @Override
  public float[] vectorValue(int ord) throws IOException {
    if (ord != valueOrd) {
      int count = store.vectorCount(ord);
      store.read(ord, count, value);
      FlatPadding.pad(value, count, store.entry.shape().dimension());
      valueOrd = ord;
    }
    return value;
  }

  @Override
  public int dimension() {
    return value.length;
  }

  @Override
  public int size() {
    return store.size();
  }

  @Override
  public int ordToDoc(int ord) {
    return store.ordToDoc(ord);
  }

  @Override
  public DocIndexIterator iterator() {
    return store.isSparse() ? createSparseIterator() : createDenseIterator();
  }

  @Override
  public FloatVectorValues copy() throws IOException {
    return new PrefixStoreAsFlatValues(store.copy());
  }
}
