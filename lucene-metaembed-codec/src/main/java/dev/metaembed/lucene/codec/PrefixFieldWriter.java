package dev.metaembed.lucene.codec;

import java.io.IOException;
import org.apache.lucene.codecs.KnnFieldVectorsWriter;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.index.DocsWithFieldSet;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.Sorter;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.util.IOUtils;
import org.apache.lucene.util.RamUsageEstimator;

/**
 * Buffers one MetaEmbed field while a segment is being indexed. Vectors stream, encoded, to disk as
 * documents arrive; the heap holds one byte per document (its vector count) and the doc-id set,
 * plus what the graph writer keeps for vector 0. The first MetaEmbed field of an unsorted segment
 * streams straight into {@code .mvd}, where its vectors stay (nothing else is written there before
 * the flush); other fields, and every field of a sorted index, stream to a temporary file copied
 * into {@code .mvd} at flush, in sorted order when the index is sorted.
 */
final class PrefixFieldWriter extends KnnFieldVectorsWriter<float[]> {
  private static final long SHALLOW_SIZE =
      RamUsageEstimator.shallowSizeOfInstance(PrefixFieldWriter.class);

  final FieldInfo fieldInfo;
  final MetaEmbedFieldShape shape;
  private final KnnFieldVectorsWriter<float[]> graphField;
  private final Directory directory;
  private final IndexOutput temp; // null when writing straight into .mvd
  private final IndexOutput sink;
  private final long directOffset;
  private final PrefixVectorEncoder encoder;
  private final DocsWithFieldSet docs = new DocsWithFieldSet();
  private final float[] firstVector;
  private final VectorCounts counts = new VectorCounts();
  private int lastDocID = -1;

  /** The failure of a write to the sink, or null: a later flush must fail with it. */
  private Throwable writeFailure;

  private boolean tempDeleted;

  /**
   * @param data the segment's {@code .mvd} to stream into directly, or null to use a temporary file
   */
  PrefixFieldWriter(
      FieldInfo fieldInfo,
      MetaEmbedFieldShape shape,
      KnnFieldVectorsWriter<float[]> graphField,
      Directory directory,
      String segmentName,
      IOContext context,
      IndexOutput data)
      throws IOException {
    this.fieldInfo = fieldInfo;
    this.shape = shape;
    this.graphField = graphField;
    this.directory = directory;
    this.encoder = new PrefixVectorEncoder(shape);
    this.firstVector = new float[shape.dimension()];
    if (data != null) {
      this.temp = null;
      this.directOffset = data.alignFilePointer(PrefixFieldLayout.VECTORS_ALIGNMENT);
      this.sink = data;
    } else {
      this.temp = directory.createTempOutput(segmentName, "metaembed_" + fieldInfo.number, context);
      this.directOffset = -1;
      this.sink = temp;
    }
  }

  @Override
  public void addValue(int docID, float[] flat) throws IOException {
    if (docID == lastDocID) {
      throw new IllegalArgumentException(
          "field \"" + fieldInfo.name + "\" appears more than once in this document");
    }
    int count = FlatPadding.vectorCount(fieldInfo.name, flat, shape);
    try {
      encoder.writeVectors(sink, flat, count);
    } catch (Throwable t) {
      writeFailure = t; // offsets after a partial write would be wrong: fail the flush
      throw t;
    }
    System.arraycopy(flat, 0, firstVector, 0, firstVector.length);
    graphField.addValue(docID, firstVector);
    docs.add(docID);
    counts.add(count);
    lastDocID = docID;
  }

  @Override
  public float[] copyValue(float[] vectorValue) {
    return vectorValue.clone();
  }

  /** Copies the buffered vectors into {@code data} and writes the field's metadata entry. */
  void flush(IndexOutput meta, IndexOutput data, int maxDoc, Sorter.DocMap sortMap)
      throws IOException {
    if (writeFailure != null) { // with the original failure as cause, so callers see what broke
      throw new IOException(
          "field \"" + fieldInfo.name + "\": an earlier write to " + sink.getName() + " failed",
          writeFailure);
    }
    if (temp == null) {
      flushDirect(meta, data, maxDoc, sortMap);
      return;
    }
    temp.close();
    long vectorsOffset = data.alignFilePointer(PrefixFieldLayout.VECTORS_ALIGNMENT);
    try (IndexInput in = directory.openInput(temp.getName(), IOContext.READONCE)) {
      if (sortMap == null) {
        data.copyBytes(in, counts.total() * shape.bytesPerVector());
        PrefixFieldLayout.writeField(
            meta, data, fieldInfo, shape, maxDoc, vectorsOffset, docs, counts);
      } else {
        writeSorted(in, meta, data, maxDoc, vectorsOffset, sortMap);
      }
    }
    deleteTemp();
  }

  /** The vectors are already in place in {@code data}: only the doc ids, starts and entry remain. */
  private void flushDirect(IndexOutput meta, IndexOutput data, int maxDoc, Sorter.DocMap sortMap)
      throws IOException {
    long expectedEnd = directOffset + counts.total() * shape.bytesPerVector();
    if (sortMap != null || data != sink || data.getFilePointer() != expectedEnd) {
      throw new IllegalStateException(
          "field \""
              + fieldInfo.name
              + "\" streamed into .mvd but the segment is sorted or "
              + ".mvd moved: at "
              + data.getFilePointer()
              + ", expected "
              + expectedEnd);
    }
    PrefixFieldLayout.writeField(meta, data, fieldInfo, shape, maxDoc, directOffset, docs, counts);
  }

  private void writeSorted(
      IndexInput in,
      IndexOutput meta,
      IndexOutput data,
      int maxDoc,
      long vectorsOffset,
      Sorter.DocMap sortMap)
      throws IOException {
    int[] newToOld = new int[counts.size()];
    DocsWithFieldSet sortedDocs = new DocsWithFieldSet();
    KnnVectorsWriter.mapOldOrdToNewOrd(docs, sortMap, null, newToOld, sortedDocs);
    long[] starts = counts.starts();
    long bytesPerVector = shape.bytesPerVector();
    for (int old : newToOld) {
      in.seek(starts[old] * bytesPerVector);
      data.copyBytes(in, counts.get(old) * bytesPerVector);
    }
    PrefixFieldLayout.writeField(
        meta, data, fieldInfo, shape, maxDoc, vectorsOffset, sortedDocs, counts.reorder(newToOld));
  }

  /** Closes and removes the temporary file; safe to call more than once and after failures. */
  void deleteTemp() {
    if (temp != null && tempDeleted == false) {
      tempDeleted = true;
      IOUtils.closeWhileHandlingException(temp);
      IOUtils.deleteFilesIgnoringExceptions(directory, temp.getName());
    }
  }

  /** Heap used by this field's own buffers, not counting the graph writer's. */
  long ownBytesUsed() {
    return SHALLOW_SIZE
        + docs.ramBytesUsed()
        + counts.ramBytesUsed()
        + RamUsageEstimator.sizeOf(firstVector)
        + encoder.bufferBytes();
  }

  @Override
  public long ramBytesUsed() {
    return ownBytesUsed() + graphField.ramBytesUsed();
  }
}
