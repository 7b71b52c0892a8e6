package dev.metaembed.lucene.codec;

import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.tests.util.TestUtil;

/**
 * The conformance suite with the format behind Lucene's {@code PerFieldKnnVectorsFormat}, in plain
 * Lucene's default codec: fields named {@code a_*} and {@code b_*} go to two instances of {@link
 * MetaEmbedVectorsFormat} with different HNSW parameters (two {@code .mvm}/{@code .mvd} pairs per
 * segment), every other vector field to Lucene's own HNSW format.
 */
public class TestMetaEmbedPerFieldConformance extends BaseMetaEmbedFormatTestCase {
  private Codec codec;

  @Override
  protected String[] fieldNames() {
    return new String[] {"a_page", "b_title", "a_body"};
  }

  @Override
  protected Codec getCodec() {
    if (codec == null) {
      KnnVectorsFormat a =
          new MetaEmbedVectorsFormat(
              TestUtil.nextInt(random(), 2, 16), TestUtil.nextInt(random(), 8, 100));
      KnnVectorsFormat b = new MetaEmbedVectorsFormat();
      KnnVectorsFormat plain = new Lucene99HnswVectorsFormat();
      codec =
          new Lucene104Codec() {
            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
              return field.startsWith("a_") ? a : field.startsWith("b_") ? b : plain;
            }
          };
    }
    return codec;
  }
}
