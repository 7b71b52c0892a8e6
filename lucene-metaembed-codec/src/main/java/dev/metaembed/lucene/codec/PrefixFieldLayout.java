package dev.metaembed.lucene.codec;

import static dev.metaembed.lucene.codec.MetaEmbedVectorsFormat.DIRECT_MONOTONIC_BLOCK_SHIFT;

import java.io.IOException;
import org.apache.lucene.codecs.lucene95.OrdToDocDISIReaderConfiguration;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsReader;
import org.apache.lucene.index.DocsWithFieldSet;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.util.packed.DirectMonotonicWriter;

/**
 * Writes one field's part of the prefix store after its vectors: the doc ids, vector starts and
 * metadata entry specified in {@link MetaEmbedVectorsFormat}. Shared by flush and merge so the
 * layout is written in one place; similarity numbers are Lucene's own ({@link
 * Lucene99HnswVectorsReader#SIMILARITY_FUNCTIONS}).
 */
final class PrefixFieldLayout {
  /** Alignment of each field's vectors in {@code .mvd}, so mapped reads start on a cache line. */
  static final int VECTORS_ALIGNMENT = 64;

  private PrefixFieldLayout() {}

  /** Writes a field's doc ids and vector starts to {@code data} and its entry to {@code meta}. */
  static void writeField(
      IndexOutput meta,
      IndexOutput data,
      FieldInfo info,
      MetaEmbedFieldShape shape,
      int maxDoc,
      long vectorsOffset,
      DocsWithFieldSet docs,
      VectorCounts counts)
      throws IOException {
    int similarity =
        Lucene99HnswVectorsReader.SIMILARITY_FUNCTIONS.indexOf(info.getVectorSimilarityFunction());
    if (similarity < 0) {
      throw new IllegalArgumentException(
          "field \""
              + info.name
              + "\": no stored number for similarity "
              + info.getVectorSimilarityFunction());
    }
    meta.writeInt(info.number);
    meta.writeByte(shape.storage().code());
    meta.writeInt(similarity);
    meta.writeVInt(shape.dimension());
    meta.writeVInt(shape.maxVectors());
    meta.writeVLong(vectorsOffset);
    meta.writeVLong(data.getFilePointer() - vectorsOffset);
    meta.writeInt(counts.size());
    meta.writeVLong(counts.total());
    OrdToDocDISIReaderConfiguration.writeStoredMeta(
        DIRECT_MONOTONIC_BLOCK_SHIFT, meta, data, counts.size(), maxDoc, docs);
    writeStarts(meta, data, counts);
  }

  private static void writeStarts(IndexOutput meta, IndexOutput data, VectorCounts counts)
      throws IOException {
    long startsOffset = data.getFilePointer();
    meta.writeLong(startsOffset);
    meta.writeVInt(DIRECT_MONOTONIC_BLOCK_SHIFT);
    DirectMonotonicWriter starts =
        DirectMonotonicWriter.getInstance(
            meta, data, counts.size() + 1L, DIRECT_MONOTONIC_BLOCK_SHIFT);
    for (long start : counts.starts()) {
      starts.add(start);
    }
    starts.finish();
    meta.writeLong(data.getFilePointer() - startsOffset);
  }
}
