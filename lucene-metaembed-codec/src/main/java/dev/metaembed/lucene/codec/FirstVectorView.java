package dev.metaembed.lucene.codec;

import java.io.IOException;
import java.util.HashMap;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.hnsw.HnswGraphProvider;
import org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat;
import org.apache.lucene.index.ByteVectorValues;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.MergeState;
import org.apache.lucene.index.SegmentWriteState;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.KnnCollector;
import org.apache.lucene.util.hnsw.HnswGraph;

/**
 * What the HNSW graph format sees of MetaEmbed fields: a {@code dimension}-component field holding
 * each document's first vector. Plain vector fields pass through unchanged.
 *
 * <p>Lucene's HNSW reader and writer check vector dimensions against the {@link FieldInfo}s they
 * are given, so the graph format is fed views of the field infos, of merge states and of source
 * readers instead of the flattened fields the indexing chain knows.
 *
 * <p>The views are rebuilt through the public constructors of Lucene 10.5.0's {@link FieldInfo}
 * (18 parameters), {@link MergeState} (17) and {@link SegmentWriteState} (7), passing every other
 * property through. {@code TestLuceneSeams} pins those constructors, getters and public fields: a
 * Lucene release that changes them fails it, naming what changed, before a property is dropped.
 */
final class FirstVectorView {
  private FirstVectorView() {}

  /** The graph's view of one field: unchanged unless it is a MetaEmbed field. */
  static FieldInfo fieldInfo(FieldInfo info) {
    MetaEmbedFieldShape shape = MetaEmbedFieldShape.of(info);
    if (shape == null) {
      return info;
    }
    return new FieldInfo(
        info.name,
        info.number,
        info.hasTermVectors(),
        info.omitsNorms(),
        info.hasPayloads(),
        info.getIndexOptions(),
        info.getDocValuesType(),
        info.docValuesSkipIndexType(),
        info.getDocValuesGen(),
        new HashMap<>(info.attributes()),
        info.getPointDimensionCount(),
        info.getPointIndexDimensionCount(),
        info.getPointNumBytes(),
        shape.dimension(),
        info.getVectorEncoding(),
        info.getVectorSimilarityFunction(),
        info.isSoftDeletesField(),
        info.isParentField());
  }

  /** The graph's view of a segment's field infos. */
  static FieldInfos fieldInfos(FieldInfos infos) {
    FieldInfo[] views = new FieldInfo[infos.size()];
    int i = 0;
    for (FieldInfo info : infos) {
      views[i++] = fieldInfo(info);
    }
    return new FieldInfos(views);
  }

  /**
   * The graph's view of a write state. Merges carry the merged field infos, which the HNSW writer
   * reads back while building the graph; flushes carry none.
   */
  static SegmentWriteState writeState(SegmentWriteState state) {
    if (state.fieldInfos == null) {
      return state;
    }
    return new SegmentWriteState(
        state.infoStream,
        state.directory,
        state.segmentInfo,
        fieldInfos(state.fieldInfos),
        state.segUpdates,
        state.context,
        state.segmentSuffix);
  }

  /** The graph's view of a merge: field infos and source readers exposing vector 0. */
  static MergeState mergeState(MergeState state) {
    FieldInfos[] fieldInfos = new FieldInfos[state.fieldInfos.length];
    KnnVectorsReader[] readers = new KnnVectorsReader[state.knnVectorsReaders.length];
    for (int i = 0; i < fieldInfos.length; i++) {
      fieldInfos[i] = fieldInfos(state.fieldInfos[i]);
      readers[i] = graphReader(state.knnVectorsReaders[i], state.fieldInfos[i]);
    }
    return new MergeState(
        state.docMaps,
        state.segmentInfo,
        fieldInfos(state.mergeFieldInfos),
        state.storedFieldsReaders,
        state.termVectorsReaders,
        state.normsProducers,
        state.docValuesProducers,
        fieldInfos,
        state.liveDocs,
        state.fieldsProducers,
        state.pointsReaders,
        readers,
        state.maxDocs,
        state.infoStream,
        state.intraMergeTaskExecutor,
        state.needsIndexSort,
        state.oneMerge);
  }

  private static KnnVectorsReader graphReader(KnnVectorsReader source, FieldInfos infos) {
    if (source == null) {
      return null;
    }
    if (source instanceof MetaEmbedVectorsReader own) {
      return own.graphReader(); // already holds vector 0 and its graph
    }
    return new Reader(source, infos);
  }

  /**
   * A merge source seen through {@code PerFieldKnnVectorsFormat} or written by another format. Per
   * field: a field this format wrote is read from its own graph files (vector 0 in full precision,
   * whatever the prefix store's encoding, and its graph offered for reuse); a MetaEmbed field of
   * another format is read flattened and cut to its first vector. Used for merging only.
   */
  private static final class Reader extends KnnVectorsReader implements HnswGraphProvider {
    private final KnnVectorsReader in;
    private final FieldInfos infos;

    Reader(KnnVectorsReader in, FieldInfos infos) {
      this.in = in;
      this.infos = infos;
    }

    /** This format's graph reader for {@code field}, or null when another format wrote it. */
    private KnnVectorsReader ownGraph(String field) {
      KnnVectorsReader reader = in;
      if (reader instanceof PerFieldKnnVectorsFormat.FieldsReader perField) {
        reader = perField.getFieldReader(field);
      }
      return reader instanceof MetaEmbedVectorsReader own ? own.graphReader() : null;
    }

    @Override
    public HnswGraph getGraph(String field) throws IOException {
      return ownGraph(field) instanceof HnswGraphProvider graphs ? graphs.getGraph(field) : null;
    }

    @Override
    public FloatVectorValues getFloatVectorValues(String field) throws IOException {
      KnnVectorsReader graph = ownGraph(field);
      if (graph != null) {
        return graph.getFloatVectorValues(field);
      }
      FloatVectorValues values = in.getFloatVectorValues(field);
      FieldInfo info = infos.fieldInfo(field);
      MetaEmbedFieldShape shape = info == null ? null : MetaEmbedFieldShape.of(info);
      return values == null || shape == null ? values : new Values(values, shape.dimension());
    }

    @Override
    public ByteVectorValues getByteVectorValues(String field) throws IOException {
      KnnVectorsReader graph = ownGraph(field);
      return graph != null ? graph.getByteVectorValues(field) : in.getByteVectorValues(field);
    }

    @Override
    public void checkIntegrity() throws IOException {
      in.checkIntegrity();
    }

    @Override
    public void search(String field, float[] target, KnnCollector c, AcceptDocs acceptDocs) {
      throw new UnsupportedOperationException("merge view");
    }

    @Override
    public void search(String field, byte[] target, KnnCollector c, AcceptDocs acceptDocs) {
      throw new UnsupportedOperationException("merge view");
    }

    @Override
    public void close() {
      // the source reader belongs to the merge
    }
  }

  /** The first {@code dimension} components of flattened vectors. */
  private static final class Values extends FloatVectorValues {
    private final FloatVectorValues in;
    private final float[] first;

    Values(FloatVectorValues in, int dimension) {
      this.in = in;
      this.first = new float[dimension];
    }

    @Override
    public float[] vectorValue(int ord) throws IOException {
      System.arraycopy(in.vectorValue(ord), 0, first, 0, first.length);
      return first;
    }

    @Override
    public int dimension() {
      return first.length;
    }

    @Override
    public int size() {
      return in.size();
    }

    @Override
    public int ordToDoc(int ord) {
      return in.ordToDoc(ord);
    }

    @Override
    public DocIndexIterator iterator() {
      return in.iterator();
    }

    @Override
    public FloatVectorValues copy() throws IOException {
      return new Values(in.copy(), first.length);
    }
  }
}
