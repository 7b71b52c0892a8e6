package dev.metaembed.lucene.codec.backward;

import dev.metaembed.lucene.codec.MetaEmbedCodec;
import dev.metaembed.lucene.codec.MetaEmbedVectorsFormat;
import java.io.IOException;
import org.apache.lucene.codecs.FilterCodec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;

/**
 * Reads segments written under the codec name {@value #NAME}, which {@link MetaEmbedCodec} carried
 * before its name gave the version of the Lucene codec it builds on: the same formats as {@link
 * MetaEmbedCodec} {@code "MetaEmbed104"} ({@link Lucene104Codec} plus {@link
 * MetaEmbedVectorsFormat}, format versions 0 and 1). Read-only for vectors, as Lucene's backward
 * codecs are: new segments, merges included, are written with the codec of the {@code
 * IndexWriterConfig}, {@link MetaEmbedCodec}.
 */
public final class UnversionedMetaEmbedCodec extends FilterCodec {
  /** SPI name of the indexes this codec reads. */
  public static final String NAME = "MetaEmbed";

  private final KnnVectorsFormat vectorsFormat =
      new ReadOnlyVectorsFormat(new MetaEmbedVectorsFormat());

  public UnversionedMetaEmbedCodec() {
    super(NAME, new Lucene104Codec()); // not Codec.forName: SPI is still loading here
  }

  @Override
  public KnnVectorsFormat knnVectorsFormat() {
    return vectorsFormat;
  }

  /** Reads like {@code in}; refuses to write. */
  private static final class ReadOnlyVectorsFormat extends KnnVectorsFormat {
    private final KnnVectorsFormat in;

    ReadOnlyVectorsFormat(KnnVectorsFormat in) {
      super(in.getName());
      this.in = in;
    }

    @Override
    public KnnVectorsWriter fieldsWriter(SegmentWriteState state) {
      throw new UnsupportedOperationException(
          "codec "
              + NAME
              + " only reads old indexes: write with "
              + MetaEmbedCodec.class.getSimpleName()
              + " ("
              + MetaEmbedCodec.NAME
              + ")");
    }

    @Override
    public KnnVectorsReader fieldsReader(SegmentReadState state) throws IOException {
      return in.fieldsReader(state);
    }

    @Override
    public int getMaxDimensions(String fieldName) {
      return in.getMaxDimensions(fieldName);
    }

    @Override
    public String toString() {
      return "ReadOnly(" + in + ")";
    }
  }
}
