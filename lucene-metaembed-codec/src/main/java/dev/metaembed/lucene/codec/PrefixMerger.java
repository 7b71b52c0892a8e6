package dev.metaembed.lucene.codec;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat;
import org.apache.lucene.index.DocIDMerger;
import org.apache.lucene.index.DocsWithFieldSet;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.MergeState;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.store.DataOutput;

/**
 * Writes one field's merged prefix store vectors in merged doc order. A source segment written by
 * this format in the same storage (directly, or through a wrapper that passes its vector values on)
 * is copied byte for byte, so merging never re-quantizes; any other source (another storage, a
 * foreign format seen through {@code addIndexes}, or a view that hides this format's values such
 * as {@code SortingCodecReader}) is read as flattened floats (vector 0 exact from its graph) and
 * encoded in the merged field's storage: for INT8 from a decoded INT8 source, a second
 * quantization.
 */
final class PrefixMerger {
  final DocsWithFieldSet docs = new DocsWithFieldSet();
  final VectorCounts counts = new VectorCounts();

  /** Appends the merged vectors of {@code fieldInfo} to {@code out}. */
  void merge(FieldInfo fieldInfo, MetaEmbedFieldShape shape, MergeState state, DataOutput out)
      throws IOException {
    List<Source> sources = new ArrayList<>();
    for (int i = 0; i < state.knnVectorsReaders.length; i++) {
      Source source = open(fieldInfo, shape, state, i);
      if (source != null) {
        sources.add(source);
      }
    }
    DocIDMerger<Source> merger = DocIDMerger.of(sources, state.needsIndexSort);
    for (Source source = merger.next(); source != null; source = merger.next()) {
      int count = source.write(out);
      docs.add(source.mappedDocID);
      counts.add(count);
    }
  }

  private static Source open(
      FieldInfo fieldInfo, MetaEmbedFieldShape shape, MergeState state, int i) throws IOException {
    FieldInfo sourceInfo = state.fieldInfos[i].fieldInfo(fieldInfo.name);
    KnnVectorsReader reader = state.knnVectorsReaders[i];
    if (sourceInfo == null || sourceInfo.hasVectorValues() == false || reader == null) {
      return null;
    }
    if (reader instanceof PerFieldKnnVectorsFormat.FieldsReader perField) {
      reader = perField.getFieldReader(fieldInfo.name);
    }
    if (reader instanceof MetaEmbedVectorsReader own) {
      PrefixStore store = own.prefixStore(fieldInfo.name);
      if (store == null) {
        return null;
      }
      if (store.entry.shape().storage() == shape.storage()) {
        return new StoredSource(state.docMaps[i], store);
      }
    }
    FloatVectorValues flat = reader.getFloatVectorValues(fieldInfo.name);
    if (flat instanceof PrefixStoreAsFlatValues padded
        && padded.store.entry.shape().storage() == shape.storage()) {
      // a wrapper around a segment of this format (e.g. SlowCodecReaderWrapper): same docs, own
      // store
      return new StoredSource(state.docMaps[i], padded.store.copy());
    }
    return flat == null ? null : new FlatSource(state.docMaps[i], flat, fieldInfo.name, shape);
  }

  /** One source segment's documents with the field, in its doc order. */
  private abstract static class Source extends DocIDMerger.Sub {
    Source(MergeState.DocMap docMap) {
      super(docMap);
    }

    /** Writes the current document's vectors; returns how many. */
    abstract int write(DataOutput out) throws IOException;
  }

  /** A segment of this format: encoded vectors copied as they are. */
  private static final class StoredSource extends Source {
    private final PrefixStore store;
    private final DocIdSetIterator docs;
    private int ord = -1;

    StoredSource(MergeState.DocMap docMap, PrefixStore store) throws IOException {
      super(docMap);
      this.store = store;
      this.docs = store.isSparse() ? store.sparseDocs() : DocIdSetIterator.all(store.size());
    }

    @Override
    public int nextDoc() throws IOException {
      int doc = docs.nextDoc();
      ord++;
      return doc;
    }

    @Override
    int write(DataOutput out) throws IOException {
      return store.copyEncoded(ord, out);
    }
  }

  /** Any other segment: flattened floats, encoded in the field's storage. */
  private static final class FlatSource extends Source {
    private final FloatVectorValues flat;
    private final KnnVectorValues.DocIndexIterator iterator;
    private final String field;
    private final MetaEmbedFieldShape shape;
    private final PrefixVectorEncoder encoder;

    FlatSource(
        MergeState.DocMap docMap, FloatVectorValues flat, String field, MetaEmbedFieldShape shape) {
      super(docMap);
      this.flat = flat;
      this.iterator = flat.iterator();
      this.field = field;
      this.shape = shape;
      this.encoder = new PrefixVectorEncoder(shape);
    }

    @Override
    public int nextDoc() throws IOException {
      return iterator.nextDoc();
    }

    @Override
    int write(DataOutput out) throws IOException {
      float[] vectors = flat.vectorValue(iterator.index());
      int count = FlatPadding.vectorCount(field, vectors, shape);
      encoder.writeVectors(out, vectors, count);
      return count;
    }
  }
}
