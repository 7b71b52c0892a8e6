package dev.metaembed.lucene.codec;

import static dev.metaembed.lucene.codec.MetaEmbedVectorsFormat.DATA_CODEC_NAME;
import static dev.metaembed.lucene.codec.MetaEmbedVectorsFormat.DATA_EXTENSION;
import static dev.metaembed.lucene.codec.MetaEmbedVectorsFormat.META_CODEC_NAME;
import static dev.metaembed.lucene.codec.MetaEmbedVectorsFormat.META_EXTENSION;
import static dev.metaembed.lucene.codec.MetaEmbedVectorsFormat.VERSION_CURRENT;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.codecs.KnnFieldVectorsWriter;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.IndexFileNames;
import org.apache.lucene.index.MergeState;
import org.apache.lucene.index.SegmentWriteState;
import org.apache.lucene.index.Sorter;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.util.IORunnable;
import org.apache.lucene.util.IOUtils;

/**
 * Writes a segment in {@link MetaEmbedVectorsFormat}: the prefix store ({@code .mvm}, {@code .mvd})
 * for MetaEmbed fields, and the graph format's files for vector 0 and for plain vector fields.
 */
final class MetaEmbedVectorsWriter extends KnnVectorsWriter {
  private final SegmentWriteState state;
  private final KnnVectorsWriter graphWriter;
  private final List<PrefixFieldWriter> fields = new ArrayList<>();
  private IndexOutput meta;
  private IndexOutput data;
  private boolean finished;

  MetaEmbedVectorsWriter(SegmentWriteState state, KnnVectorsFormat graphFormat) throws IOException {
    this.state = state;
    boolean success = false;
    KnnVectorsWriter graph = null;
    try {
      meta = createOutput(META_EXTENSION, META_CODEC_NAME);
      data = createOutput(DATA_EXTENSION, DATA_CODEC_NAME);
      graph = graphFormat.fieldsWriter(FirstVectorView.writeState(state));
      success = true;
    } finally {
      if (success == false) {
        IOUtils.closeWhileHandlingException(meta, data, graph);
      }
    }
    this.graphWriter = graph;
  }

  private IndexOutput createOutput(String extension, String codecName) throws IOException {
    String name =
        IndexFileNames.segmentFileName(state.segmentInfo.name, state.segmentSuffix, extension);
    IndexOutput out = state.directory.createOutput(name, state.context);
    boolean success = false;
    try {
      CodecUtil.writeIndexHeader(
          out, codecName, VERSION_CURRENT, state.segmentInfo.getId(), state.segmentSuffix);
      success = true;
      return out;
    } finally {
      if (success == false) {
        IOUtils.closeWhileHandlingException(out);
      }
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public KnnFieldVectorsWriter<?> addField(FieldInfo fieldInfo) throws IOException {
    MetaEmbedFieldShape shape = MetaEmbedFieldShape.of(fieldInfo);
    if (shape == null) {
      return graphWriter.addField(fieldInfo);
    }
    var graphField =
        (KnnFieldVectorsWriter<float[]>) graphWriter.addField(FirstVectorView.fieldInfo(fieldInfo));
    // the first field of an unsorted segment streams straight into .mvd (no copy at flush)
    boolean direct = fields.isEmpty() && state.segmentInfo.getIndexSort() == null;
    PrefixFieldWriter field =
        new PrefixFieldWriter(
            fieldInfo,
            shape,
            graphField,
            state.directory,
            state.segmentInfo.name,
            state.context,
            direct ? data : null);
    fields.add(field);
    return field;
  }

  @Override
  public void flush(int maxDoc, Sorter.DocMap sortMap) throws IOException {
    graphWriter.flush(maxDoc, sortMap);
    for (PrefixFieldWriter field : fields) {
      field.flush(meta, data, maxDoc, sortMap);
    }
  }

  @Override
  public IORunnable mergeOneField(FieldInfo fieldInfo, MergeState mergeState) throws IOException {
    MetaEmbedFieldShape shape = MetaEmbedFieldShape.of(fieldInfo);
    checkSameShape(fieldInfo, shape, mergeState);
    if (shape == null) {
      return graphWriter.mergeOneField(fieldInfo, FirstVectorView.mergeState(mergeState));
    }
    mergePrefixes(fieldInfo, shape, mergeState);
    return graphWriter.mergeOneField(
        FirstVectorView.fieldInfo(fieldInfo), FirstVectorView.mergeState(mergeState));
  }

  /** Streams the merged documents' vectors straight into {@code .mvd}, in merged doc order. */
  private void mergePrefixes(FieldInfo fieldInfo, MetaEmbedFieldShape shape, MergeState mergeState)
      throws IOException {
    long vectorsOffset = data.alignFilePointer(PrefixFieldLayout.VECTORS_ALIGNMENT);
    PrefixMerger merged = new PrefixMerger();
    merged.merge(fieldInfo, shape, mergeState, data);
    PrefixFieldLayout.writeField(
        meta,
        data,
        fieldInfo,
        shape,
        state.segmentInfo.maxDoc(),
        vectorsOffset,
        merged.docs,
        merged.counts);
  }

  /**
   * Segments must agree on dimension and maxVectors (Lucene's flat length already enforces it);
   * they may differ in storage, which a merge converts to the merged field's storage.
   */
  private static void checkSameShape(
      FieldInfo fieldInfo, MetaEmbedFieldShape shape, MergeState mergeState) {
    for (var segmentInfos : mergeState.fieldInfos) {
      FieldInfo source = segmentInfos.fieldInfo(fieldInfo.name);
      if (source == null || source.hasVectorValues() == false) {
        continue;
      }
      MetaEmbedFieldShape other = MetaEmbedFieldShape.of(source);
      boolean sameVectors =
          shape == null
              ? other == null
              : other != null
                  && shape.dimension() == other.dimension()
                  && shape.maxVectors() == other.maxVectors();
      if (sameVectors == false) {
        throw new IllegalArgumentException(
            "cannot merge field \""
                + fieldInfo.name
                + "\": segments disagree on its MetaEmbed shape (shape "
                + shape
                + " vs "
                + other
                + ")");
      }
    }
  }

  @Override
  public void finish() throws IOException {
    if (finished) {
      throw new IllegalStateException("already finished");
    }
    finished = true;
    graphWriter.finish();
    meta.writeInt(-1);
    CodecUtil.writeFooter(meta);
    CodecUtil.writeFooter(data);
  }

  @Override
  public long ramBytesUsed() {
    long bytes = graphWriter.ramBytesUsed();
    for (PrefixFieldWriter field : fields) {
      bytes += field.ownBytesUsed();
    }
    return bytes;
  }

  @Override
  public void close() throws IOException {
    try {
      IOUtils.close(meta, data, graphWriter);
    } finally {
      fields.forEach(PrefixFieldWriter::deleteTemp);
    }
  }
}
