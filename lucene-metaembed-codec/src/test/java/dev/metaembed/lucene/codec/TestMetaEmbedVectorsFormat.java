package dev.metaembed.lucene.codec;

import org.apache.lucene.codecs.Codec;
import org.apache.lucene.tests.index.BaseKnnVectorsFormatTestCase;

/**
 * Lucene's own conformance suite for vector formats. It indexes plain vector fields only, which
 * {@link MetaEmbedVectorsFormat} hands to its graph format: under {@link MetaEmbedCodec} they must
 * behave exactly as under Lucene's default codec. MetaEmbed fields have their own suite, {@link
 * BaseMetaEmbedFormatTestCase}.
 */
public class TestMetaEmbedVectorsFormat extends BaseKnnVectorsFormatTestCase {

  @Override
  protected Codec getCodec() {
    return new MetaEmbedCodec();
  }

  @Override
  protected boolean supportsFloatVectorFallback() {
    return false;
  }

  public void testToStringNamesParameters() {
    assertEquals(
        "MetaEmbedVectorsFormat(maxConn=8, beamWidth=50, graph=Lucene99HnswVectorsFormat,"
            + " maxDimension=4096, maxVectors=64)",
        new MetaEmbedVectorsFormat(8, 50).toString());
  }

  public void testRejectsBadGraphParameters() {
    expectThrows(IllegalArgumentException.class, () -> new MetaEmbedVectorsFormat(0, 100));
    expectThrows(IllegalArgumentException.class, () -> new MetaEmbedVectorsFormat(16, 0));
    expectThrows(IllegalArgumentException.class, () -> new MetaEmbedVectorsFormat(513, 100));
  }

  public void testSpiNames() {
    assertEquals(MetaEmbedCodec.class, Codec.forName("MetaEmbed104").getClass());
    assertEquals(
        dev.metaembed.lucene.codec.backward.UnversionedMetaEmbedCodec.class,
        Codec.forName("MetaEmbed").getClass());
    assertEquals(
        MetaEmbedVectorsFormat.class,
        org.apache.lucene.codecs.KnnVectorsFormat.forName("MetaEmbedVectorsFormat").getClass());
  }
}
