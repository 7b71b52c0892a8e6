package dev.metaembed.lucene.codec;

import java.io.IOException;
import org.apache.lucene.codecs.lucene95.OrdToDocDISIReaderConfiguration;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsReader;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.util.packed.DirectMonotonicReader;

/**
 * One field's entry in {@code .mvm}, read and checked against the segment's {@link FieldInfos}.
 * Every inconsistency is a {@link CorruptIndexException}.
 */
record PrefixFieldEntry(
    FieldInfo info,
    MetaEmbedFieldShape shape,
    long vectorsOffset,
    long vectorsLength,
    int docCount,
    long totalVectors,
    OrdToDocDISIReaderConfiguration docs,
    long startsOffset,
    DirectMonotonicReader.Meta startsMeta,
    long startsLength) {

  static PrefixFieldEntry read(
      IndexInput meta, int fieldNumber, FieldInfos infos, int maxDoc, int version)
      throws IOException {
    FieldInfo info = infos.fieldInfo(fieldNumber);
    if (info == null) {
      throw new CorruptIndexException("invalid field number " + fieldNumber, meta);
    }
    MetaEmbedFieldShape shape = shapeOf(info, meta);
    VectorStorage storage = VectorStorage.fromCode(meta.readByte());
    if (version < MetaEmbedVectorsFormat.VERSION_STORAGE_ENCODINGS
        && storage != VectorStorage.FLOAT32) {
      throw new CorruptIndexException(
          "field \""
              + info.name
              + "\": storage "
              + storage
              + " in a version "
              + version
              + " segment",
          meta);
    }
    VectorSimilarityFunction similarity = readSimilarity(meta);
    int dimension = meta.readVInt();
    int maxVectors = meta.readVInt();
    if (storage != shape.storage()
        || similarity != info.getVectorSimilarityFunction()
        || dimension != shape.dimension()
        || maxVectors != shape.maxVectors()) {
      throw new CorruptIndexException(
          "field \""
              + info.name
              + "\": stored storage/similarity/dimension/maxVectors "
              + storage
              + "/"
              + similarity
              + "/"
              + dimension
              + "/"
              + maxVectors
              + " do not match its field info "
              + shape
              + " "
              + info.getVectorSimilarityFunction(),
          meta);
    }
    long vectorsOffset = meta.readVLong();
    long vectorsLength = meta.readVLong();
    int docCount = meta.readInt();
    long totalVectors = meta.readVLong();
    checkCounts(meta, info, shape, maxDoc, docCount, totalVectors, vectorsLength);
    var docs = OrdToDocDISIReaderConfiguration.fromStoredMeta(meta, docCount);
    long startsOffset = meta.readLong();
    int blockShift = meta.readVInt();
    var startsMeta = DirectMonotonicReader.loadMeta(meta, docCount + 1L, blockShift);
    long startsLength = meta.readLong();
    return new PrefixFieldEntry(
        info,
        shape,
        vectorsOffset,
        vectorsLength,
        docCount,
        totalVectors,
        docs,
        startsOffset,
        startsMeta,
        startsLength);
  }

  private static MetaEmbedFieldShape shapeOf(FieldInfo info, IndexInput meta)
      throws CorruptIndexException {
    try {
      MetaEmbedFieldShape shape = MetaEmbedFieldShape.of(info);
      if (shape == null) {
        throw new CorruptIndexException(
            "field \"" + info.name + "\" has prefix vectors but is not a MetaEmbed field", meta);
      }
      return shape;
    } catch (IllegalArgumentException e) {
      throw new CorruptIndexException(e.getMessage(), meta, e);
    }
  }

  private static VectorSimilarityFunction readSimilarity(IndexInput meta) throws IOException {
    int ord = meta.readInt();
    if (ord < 0 || ord >= Lucene99HnswVectorsReader.SIMILARITY_FUNCTIONS.size()) {
      throw new CorruptIndexException("invalid similarity function id " + ord, meta);
    }
    return Lucene99HnswVectorsReader.SIMILARITY_FUNCTIONS.get(ord);
  }

  private static void checkCounts(
      IndexInput meta,
      FieldInfo info,
      MetaEmbedFieldShape shape,
      int maxDoc,
      int docCount,
      long totalVectors,
      long vectorsLength)
      throws CorruptIndexException {
    if (docCount < 0 || docCount > maxDoc) {
      throw new CorruptIndexException(
          "field \"" + info.name + "\": docCount " + docCount + " not in 0.." + maxDoc, meta);
    }
    if (totalVectors < docCount
        || totalVectors > Math.multiplyExact((long) docCount, shape.maxVectors())) {
      throw new CorruptIndexException(
          "field \"" + info.name + "\": " + totalVectors + " vectors for " + docCount + " docs",
          meta);
    }
    long expected = Math.multiplyExact(totalVectors, shape.bytesPerVector());
    if (vectorsLength != expected) {
      throw new CorruptIndexException(
          "field \""
              + info.name
              + "\": vectors take "
              + vectorsLength
              + " bytes, expected "
              + expected,
          meta);
    }
  }
}
