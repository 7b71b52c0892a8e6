package dev.metaembed.lucene.codec;

import static dev.metaembed.lucene.codec.MetaEmbedVectorsFormat.DATA_CODEC_NAME;
import static dev.metaembed.lucene.codec.MetaEmbedVectorsFormat.DATA_EXTENSION;
import static dev.metaembed.lucene.codec.MetaEmbedVectorsFormat.META_CODEC_NAME;
import static dev.metaembed.lucene.codec.MetaEmbedVectorsFormat.META_EXTENSION;
import static dev.metaembed.lucene.codec.MetaEmbedVectorsFormat.VERSION_CURRENT;
import static dev.metaembed.lucene.codec.MetaEmbedVectorsFormat.VERSION_START;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.hnsw.HnswGraphProvider;
import org.apache.lucene.index.ByteVectorValues;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexFileNames;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.KnnCollector;
import org.apache.lucene.store.ChecksumIndexInput;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.util.IOUtils;
import org.apache.lucene.util.hnsw.HnswGraph;

/**
 * Reads a segment written by {@link MetaEmbedVectorsWriter}. MetaEmbed fields answer from the
 * prefix store (vectors) and the graph over vector 0 (search); plain fields from the graph format.
 */
final class MetaEmbedVectorsReader extends KnnVectorsReader implements HnswGraphProvider {
  private final FieldInfos graphFieldInfos;
  private final Map<String, PrefixFieldEntry> entries = new HashMap<>();
  private final IndexInput data;
  private final KnnVectorsReader graphReader;

  /** The format version in this segment's {@code .mvm}/{@code .mvd} headers. */
  private final int version;

  MetaEmbedVectorsReader(SegmentReadState state, KnnVectorsFormat graphFormat) throws IOException {
    int version = readMetadata(state);
    this.version = version;
    this.graphFieldInfos = FirstVectorView.fieldInfos(state.fieldInfos);
    boolean success = false;
    IndexInput dataInput = null;
    try {
      dataInput = openData(state, version);
      this.graphReader =
          graphFormat.fieldsReader(
              new SegmentReadState(
                  state.directory,
                  state.segmentInfo,
                  graphFieldInfos,
                  state.context,
                  state.segmentSuffix));
      success = true;
    } finally {
      if (success == false) {
        IOUtils.closeWhileHandlingException(dataInput);
      }
    }
    this.data = dataInput;
  }

  private int readMetadata(SegmentReadState state) throws IOException {
    String name =
        IndexFileNames.segmentFileName(state.segmentInfo.name, state.segmentSuffix, META_EXTENSION);
    try (ChecksumIndexInput meta = state.directory.openChecksumInput(name)) {
      Throwable priorE = null;
      int version = -1;
      try {
        version =
            CodecUtil.checkIndexHeader(
                meta,
                META_CODEC_NAME,
                VERSION_START,
                VERSION_CURRENT,
                state.segmentInfo.getId(),
                state.segmentSuffix);
        for (int number = meta.readInt(); number != -1; number = meta.readInt()) {
          var entry =
              PrefixFieldEntry.read(
                  meta, number, state.fieldInfos, state.segmentInfo.maxDoc(), version);
          entries.put(entry.info().name, entry);
        }
      } catch (Throwable t) {
        priorE = t;
      } finally {
        CodecUtil.checkFooter(meta, priorE);
      }
      return version;
    }
  }

  private IndexInput openData(SegmentReadState state, int version) throws IOException {
    String name =
        IndexFileNames.segmentFileName(state.segmentInfo.name, state.segmentSuffix, DATA_EXTENSION);
    IndexInput in = state.directory.openInput(name, state.context);
    boolean success = false;
    try {
      int dataVersion =
          CodecUtil.checkIndexHeader(
              in,
              DATA_CODEC_NAME,
              VERSION_START,
              VERSION_CURRENT,
              state.segmentInfo.getId(),
              state.segmentSuffix);
      if (dataVersion != version) {
        throw new CorruptIndexException(
            "format versions mismatch: meta=" + version + ", data=" + dataVersion, in);
      }
      CodecUtil.retrieveChecksum(in);
      success = true;
      return in;
    } finally {
      if (success == false) {
        IOUtils.closeWhileHandlingException(in);
      }
    }
  }

  /** The graph format's reader: vector 0 of MetaEmbed fields, plain fields as they are. */
  KnnVectorsReader graphReader() {
    return graphReader;
  }

  /**
   * A new prefix store reader for {@code field}, or null if it has no MetaEmbed vectors here. With
   * a compact storage it reads vector 0 from the graph, which keeps it exact.
   */
  /** The format version this segment was written with. */
  int formatVersion() {
    return version;
  }

  PrefixStore prefixStore(String field) throws IOException {
    PrefixFieldEntry entry = entries.get(field);
    if (entry == null) {
      return null;
    }
    boolean exact = entry.shape().storage() == VectorStorage.FLOAT32;
    return new PrefixStore(entry, data, exact ? null : graphReader.getFloatVectorValues(field));
  }

  @Override
  public void checkIntegrity() throws IOException {
    CodecUtil.checksumEntireFile(data);
    graphReader.checkIntegrity();
  }

  @Override
  public FloatVectorValues getFloatVectorValues(String field) throws IOException {
    PrefixStore store = prefixStore(field);
    if (store == null) {
      return graphReader.getFloatVectorValues(field);
    }
    return new PrefixStoreAsFlatValues(store);
  }

  @Override
  public ByteVectorValues getByteVectorValues(String field) throws IOException {
    return graphReader.getByteVectorValues(field);
  }

  /**
   * Searches the graph over vector 0. For a MetaEmbed field the target is a single {@code
   * dimension}-component vector, or a flattened document whose first vector is used (as CheckIndex
   * passes).
   */
  @Override
  public void search(String field, float[] target, KnnCollector collector, AcceptDocs acceptDocs)
      throws IOException {
    PrefixFieldEntry entry = entries.get(field);
    if (entry != null && target.length != entry.shape().dimension()) {
      if (target.length != entry.shape().flatDimension()) {
        throw new IllegalArgumentException(
            "field \""
                + field
                + "\": a query vector needs "
                + entry.shape().dimension()
                + " components, got "
                + target.length);
      }
      target = Arrays.copyOf(target, entry.shape().dimension());
    }
    graphReader.search(field, target, collector, acceptDocs);
  }

  @Override
  public void search(String field, byte[] target, KnnCollector collector, AcceptDocs acceptDocs)
      throws IOException {
    graphReader.search(field, target, collector, acceptDocs);
  }

  @Override
  public HnswGraph getGraph(String field) throws IOException {
    return graphReader instanceof HnswGraphProvider graphs ? graphs.getGraph(field) : null;
  }

  @Override
  public Map<String, Long> getOffHeapByteSize(FieldInfo fieldInfo) {
    Map<String, Long> graph =
        graphReader.getOffHeapByteSize(graphFieldInfos.fieldInfo(fieldInfo.number));
    PrefixFieldEntry entry = entries.get(fieldInfo.name);
    if (entry == null) {
      return graph;
    }
    return KnnVectorsReader.mergeOffHeapByteSizeMaps(
        graph, Map.of(DATA_EXTENSION, entry.vectorsLength()));
  }

  @Override
  public void close() throws IOException {
    IOUtils.close(data, graphReader);
  }
}
