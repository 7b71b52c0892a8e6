package dev.metaembed.lucene.codec;

import static dev.metaembed.lucene.codec.MetaEmbedVectorsFormat.DIRECT_MONOTONIC_BLOCK_SHIFT;

import java.io.IOException;
import java.util.List;
import org.apache.lucene.codecs.lucene95.OrdToDocDISIReaderConfiguration;
import org.apache.lucene.index.DocsWithFieldSet;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.DataOutput;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.util.packed.DirectMonotonicWriter;

/**
 * Writes the prefix store: vector bytes and, per field, the doc ids, vector starts and metadata
 * entry specified in {@link MetaEmbedVectorsFormat}. Shared by flush and merge so the layout is
 * written in one place.
 */
final class PrefixStoreOutput {
  /** Similarity functions by the number stored in the metadata; append only. */
  static final List<VectorSimilarityFunction> SIMILARITY_FUNCTIONS =
      List.of(
          VectorSimilarityFunction.EUCLIDEAN,
          VectorSimilarityFunction.DOT_PRODUCT,
          VectorSimilarityFunction.COSINE,
          VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT);

  /** Alignment of each field's vectors in {@code .mvd}, so mapped reads start on a cache line. */
  static final int VECTORS_ALIGNMENT = 64;

  private final MetaEmbedFieldShape shape;
  private final byte[] buffer;

  /** An encoder for vectors of {@code shape}, able to write up to maxVectors at once. */
  PrefixStoreOutput(MetaEmbedFieldShape shape) {
    this.shape = shape;
    this.buffer = new byte[Math.toIntExact(shape.bytesPerVector() * shape.maxVectors())];
  }

  /** Writes the first {@code count} vectors of a flattened document in the field's storage. */
  void writeVectors(DataOutput out, float[] flat, int count) throws IOException {
    shape.storage().encode(flat, count, shape.dimension(), buffer, 0);
    out.writeBytes(buffer, 0, Math.toIntExact(count * shape.bytesPerVector()));
  }

  /**
   * Writes a field's doc ids and vector starts to {@code data} and its entry to {@code meta}.
   *
   * @param counts vector count of each ord, {@code docCount} of them
   */
  static void writeField(
      IndexOutput meta,
      IndexOutput data,
      FieldInfo info,
      MetaEmbedFieldShape shape,
      int maxDoc,
      long vectorsOffset,
      DocsWithFieldSet docs,
      byte[] counts,
      int docCount)
      throws IOException {
    long totalVectors = 0;
    for (int ord = 0; ord < docCount; ord++) {
      totalVectors += counts[ord];
    }
    meta.writeInt(info.number);
    meta.writeByte(shape.storage().code());
    meta.writeInt(SIMILARITY_FUNCTIONS.indexOf(info.getVectorSimilarityFunction()));
    meta.writeVInt(shape.dimension());
    meta.writeVInt(shape.maxVectors());
    meta.writeVLong(vectorsOffset);
    meta.writeVLong(data.getFilePointer() - vectorsOffset);
    meta.writeInt(docCount);
    meta.writeVLong(totalVectors);
    OrdToDocDISIReaderConfiguration.writeStoredMeta(
        DIRECT_MONOTONIC_BLOCK_SHIFT, meta, data, docCount, maxDoc, docs);
    writeStarts(meta, data, counts, docCount);
  }

  private static void writeStarts(IndexOutput meta, IndexOutput data, byte[] counts, int docCount)
      throws IOException {
    long startsOffset = data.getFilePointer();
    meta.writeLong(startsOffset);
    meta.writeVInt(DIRECT_MONOTONIC_BLOCK_SHIFT);
    DirectMonotonicWriter starts =
        DirectMonotonicWriter.getInstance(meta, data, docCount + 1L, DIRECT_MONOTONIC_BLOCK_SHIFT);
    long start = 0;
    starts.add(start);
    for (int ord = 0; ord < docCount; ord++) {
      start += counts[ord];
      starts.add(start);
    }
    starts.finish();
    meta.writeLong(data.getFilePointer() - startsOffset);
  }
}
