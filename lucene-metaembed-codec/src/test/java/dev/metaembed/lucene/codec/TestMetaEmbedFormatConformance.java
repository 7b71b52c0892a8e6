package dev.metaembed.lucene.codec;

import org.apache.lucene.codecs.Codec;
import org.apache.lucene.tests.util.TestUtil;

/** The conformance suite under {@link MetaEmbedCodec} with random HNSW parameters. */
public class TestMetaEmbedFormatConformance extends BaseMetaEmbedFormatTestCase {
  private Codec codec;

  @Override
  protected Codec getCodec() {
    if (codec == null) {
      codec =
          random().nextInt(4) == 0
              ? new MetaEmbedCodec()
              : new MetaEmbedCodec(
                  TestUtil.nextInt(random(), 2, 32), TestUtil.nextInt(random(), 8, 150));
    }
    return codec;
  }
}
