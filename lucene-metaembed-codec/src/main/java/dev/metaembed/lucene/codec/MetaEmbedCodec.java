package dev.metaembed.lucene.codec;

import org.apache.lucene.codecs.FilterCodec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;

/**
 * Lucene's default codec with {@link MetaEmbedVectorsFormat} for every vector field. Setting it is
 * all a Lucene user does: {@code iwc.setCodec(new MetaEmbedCodec())}.
 *
 * <p>SPI name {@value #NAME}: "MetaEmbed" and the version of the Lucene codec it builds on, {@link
 * Lucene104Codec} (Lucene 10.5's default), whose other formats it uses, named explicitly so that a
 * segment is always read with the formats it was written with. This class always writes with the
 * newest: when Lucene's default codec moves on, {@link #NAME} moves with it and the codec it
 * replaces stays registered, read-only, in {@code dev.metaembed.lucene.codec.backward} (the upgrade
 * guide is in docs/CODEC.md). Indexes written before codec names carried a version read through
 * {@link dev.metaembed.lucene.codec.backward.UnversionedMetaEmbedCodec}.
 */
public final class MetaEmbedCodec extends FilterCodec {
  /** SPI name of this codec: MetaEmbed over {@link Lucene104Codec}. */
  public static final String NAME = "MetaEmbed104";

  private final KnnVectorsFormat vectorsFormat;

  /** The codec with HNSW defaults for the graph over vector 0. */
  public MetaEmbedCodec() {
    this(new MetaEmbedVectorsFormat());
  }

  /** The codec with these HNSW parameters for the graph over vector 0 (see the format). */
  public MetaEmbedCodec(int maxConn, int beamWidth) {
    this(new MetaEmbedVectorsFormat(maxConn, beamWidth));
  }

  private MetaEmbedCodec(MetaEmbedVectorsFormat vectorsFormat) {
    super(NAME, new Lucene104Codec()); // not Codec.forName: SPI is still loading here
    this.vectorsFormat = vectorsFormat;
  }

  @Override
  public KnnVectorsFormat knnVectorsFormat() {
    return vectorsFormat;
  }
}
