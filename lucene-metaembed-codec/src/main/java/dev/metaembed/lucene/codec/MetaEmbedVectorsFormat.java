package dev.metaembed.lucene.codec;

import java.io.IOException;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;

/**
 * MetaEmbed multi-vector format: each document's meta vectors stored contiguously in Matryoshka
 * order (the <em>prefix store</em>), plus an HNSW graph over every document's first vector.
 *
 * <p>A field made by {@link MetaEmbedField#createFieldType} is a MetaEmbed field; its shape
 * (dimension, maxVectors, storage) comes from its {@code FieldInfo} attributes. Any other vector
 * field (a plain {@code KnnFloatVectorField} or {@code KnnByteVectorField}) is handed whole to the
 * graph format and behaves exactly as under Lucene's default codec.
 *
 * <h2>Graph files</h2>
 *
 * <p>The graph over vector 0 is {@link Lucene99HnswVectorsFormat}, writing its own files ({@code
 * .vec}, {@code .vemf}, {@code .vex}, {@code .vem}) under this format's segment suffix. It sees a
 * MetaEmbed field as a {@code dimension}-component field holding each document's first vector, and
 * a plain field as it is. Its files are specified by that class.
 *
 * <h2>.mvd: prefix store data</h2>
 *
 * <ul>
 *   <li>Header: {@code CodecUtil.writeIndexHeader}, codec {@value #DATA_CODEC_NAME}.
 *   <li>Per MetaEmbed field, in the order of the metadata entries:
 *       <ul>
 *         <li>Vectors, starting at a 64-byte-aligned offset: for each document with the field, in
 *             doc-id order, its vectors in Matryoshka order, each {@code dimension} components
 *             encoded as the field's {@link VectorStorage} in {@code
 *             storage.bytesPerVector(dimension)} bytes ({@code FLOAT32}: little-endian IEEE 754;
 *             the compact encodings and their per-vector corrections are specified there). The
 *             first {@code r} vectors of a document are one contiguous range.
 *         <li>Doc ids: absent when every document or no document has the field; otherwise an
 *             {@code IndexedDISI} bit set followed by a {@code DirectMonotonicWriter} ord-to-doc
 *             map (as Lucene's flat vector formats write them).
 *         <li>Vector starts: a {@code DirectMonotonicWriter} sequence of {@code docCount + 1}
 *             values; value {@code o} is the number of vectors stored before document ord {@code
 *             o}, so ord {@code o} has {@code start[o+1] - start[o]} vectors.
 *       </ul>
 *   <li>Footer: {@code CodecUtil.writeFooter} (checksum of the whole file).
 * </ul>
 *
 * <h2>.mvm: prefix store metadata</h2>
 *
 * <ul>
 *   <li>Header: {@code CodecUtil.writeIndexHeader}, codec {@value #META_CODEC_NAME}.
 *   <li>Per MetaEmbed field of the segment (DocCount may be 0):
 *       <ul>
 *         <li>FieldNumber: int32
 *         <li>Storage: byte, {@link VectorStorage#code()}
 *         <li>Similarity: int32; 0 EUCLIDEAN, 1 DOT_PRODUCT, 2 COSINE, 3 MAXIMUM_INNER_PRODUCT
 *         <li>Dimension: vint; MaxVectors: vint (both equal to the field's attributes)
 *         <li>VectorsOffset, VectorsLength: vlong, the field's vector bytes in {@code .mvd}
 *         <li>DocCount: int32, documents with the field; TotalVectors: vlong
 *         <li>DocIds: as Lucene's {@code OrdToDocDISIReaderConfiguration.writeStoredMeta}
 *             (offsets and lengths into {@code .mvd}; offset -1 dense, -2 empty)
 *         <li>StartsOffset: int64; StartsBlockShift: vint; the {@code DirectMonotonicWriter}
 *             metadata of the vector starts; StartsLength: int64
 *       </ul>
 *   <li>End of fields: int32 {@code -1}
 *   <li>Footer: {@code CodecUtil.writeFooter}.
 * </ul>
 *
 * <h2>How documents pass through Lucene</h2>
 *
 * <p>Lucene's indexing chain hands a format one flat {@code float[]} per document and compares only
 * its length (the field's vector dimension) across documents and segments. A MetaEmbed field's
 * flat length is {@code 64 × dimension + (maxVectors − 1)}: room for 64 vectors plus a tail that
 * makes the length determine the shape, so Lucene itself rejects a document whose (dimension,
 * maxVectors) differs from the field's, even when {@code maxVectors × dimension} is the same. The
 * document's vectors come first; the rest is {@code -0.0f}, a value real vectors never hold (see
 * {@link FlatPadding}), so the writer recovers the true vector count and stores only the real
 * vectors: a short document costs only its own vectors on disk. Reading the field through {@code
 * LeafReader.getFloatVectorValues} returns the same flat form; {@link MetaEmbedVectorValues}
 * returns the vectors themselves.
 *
 * <h2>Limits</h2>
 *
 * <p>A MetaEmbed field has at most 64 vectors per document of at most 4096 components each
 * (enforced by {@link MetaEmbedField#createFieldType}). Lucene asks a format for its dimension limit by field name
 * alone, before it knows the field's type, so {@link #getMaxDimensions} answers with the largest
 * flat length, {@value #MAX_FLAT_DIMENSIONS}, for every field: under {@link MetaEmbedCodec} a plain
 * vector field may be that long too, where Lucene's default codec stops at 1024.
 *
 * <h2>Versions</h2>
 *
 * <ul>
 *   <li>{@value #VERSION_START}: first version; FLOAT32 storage only.
 *   <li>{@value #VERSION_STORAGE_ENCODINGS}: the storage byte may also be BFLOAT16 (1), INT8 (2)
 *       or BIT (3), each a fixed number of bytes per vector as {@link VectorStorage} specifies;
 *       files are otherwise identical, so version 0 segments are read unchanged.
 * </ul>
 */
public final class MetaEmbedVectorsFormat extends KnnVectorsFormat {

  /** SPI name of this format. */
  public static final String NAME = "MetaEmbedVectorsFormat";

  static final String META_CODEC_NAME = "MetaEmbedVectorsFormatMeta";
  static final String DATA_CODEC_NAME = "MetaEmbedVectorsFormatData";
  static final String META_EXTENSION = "mvm";
  static final String DATA_EXTENSION = "mvd";

  /** The oldest version this build reads. */
  public static final int VERSION_START = 0;

  /** Adds the BFLOAT16, INT8 and BIT storage encodings; the layout is unchanged. */
  static final int VERSION_STORAGE_ENCODINGS = 1;

  /** The version this build writes (and the newest it reads). */
  public static final int VERSION_CURRENT = VERSION_STORAGE_ENCODINGS;

  /** Block shift of the {@code DirectMonotonicWriter} sequences in {@code .mvd}. */
  static final int DIRECT_MONOTONIC_BLOCK_SHIFT = 16;

  /** The longest flattened vector a field may have: 64 × 4096 + 63 components. */
  public static final int MAX_FLAT_DIMENSIONS =
      MetaEmbedFieldShape.MAX_VECTORS * MetaEmbedFieldShape.MAX_DIMENSION
          + MetaEmbedFieldShape.MAX_VECTORS
          - 1;

  private final int maxConn;
  private final int beamWidth;
  private final KnnVectorsFormat graphFormat;

  /** A format with Lucene's default HNSW parameters (maxConn 16, beamWidth 100). */
  public MetaEmbedVectorsFormat() {
    this(Lucene99HnswVectorsFormat.DEFAULT_MAX_CONN, Lucene99HnswVectorsFormat.DEFAULT_BEAM_WIDTH);
  }

  /**
   * A format whose HNSW graph over vector 0 uses these parameters.
   *
   * @param maxConn neighbours per graph node (Lucene's {@code M}), 1..512
   * @param beamWidth candidates considered while building the graph, 1..3200
   * @throws IllegalArgumentException if a parameter is out of range
   */
  public MetaEmbedVectorsFormat(int maxConn, int beamWidth) {
    super(NAME);
    // Lucene99HnswVectorsFormat validates both ranges and names them in its message.
    this.graphFormat = new Lucene99HnswVectorsFormat(maxConn, beamWidth);
    this.maxConn = maxConn;
    this.beamWidth = beamWidth;
  }

  @Override
  public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
    return new MetaEmbedVectorsWriter(state, graphFormat);
  }

  @Override
  public KnnVectorsReader fieldsReader(SegmentReadState state) throws IOException {
    return new MetaEmbedVectorsReader(state, graphFormat);
  }

  @Override
  public int getMaxDimensions(String fieldName) {
    return MAX_FLAT_DIMENSIONS;
  }

  @Override
  public String toString() {
    return NAME
        + "(maxConn="
        + maxConn
        + ", beamWidth="
        + beamWidth
        + ", graph="
        + graphFormat.getName()
        + ", maxDimension="
        + MetaEmbedFieldShape.MAX_DIMENSION
        + ", maxVectors="
        + MetaEmbedFieldShape.MAX_VECTORS
        + ")";
  }
}
