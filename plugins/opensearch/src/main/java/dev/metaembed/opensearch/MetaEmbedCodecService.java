package dev.metaembed.opensearch;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.FilterCodec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat;
import org.opensearch.index.codec.CodecService;
import org.opensearch.index.codec.CodecServiceConfig;
import org.opensearch.index.mapper.MappedFieldType;
import org.opensearch.index.mapper.MapperService;

/**
 * The codecs of an index with {@code index.metaembed: true}: whatever codec OpenSearch (or another
 * plugin) gives for a name, wrapped so that each {@code metaembed_vector} field is written with
 * the MetaEmbed vectors format and its HNSW parameters, as the k-NN plugin wraps codecs. Every other
 * field keeps the wrapped codec's formats.
 *
 * <p>The wrapper keeps the wrapped codec's name, so segments reopen with that codec wherever the
 * plugin is installed: its per-field vectors format records the MetaEmbed format's name per field
 * and finds it by SPI when reading. A codec whose vectors format is not per field cannot record
 * that, so asking for one is an {@link IllegalArgumentException} naming it. Indices without the
 * setting never see this service.
 */
final class MetaEmbedCodecService extends CodecService {
  private static final Logger LOGGER = LogManager.getLogger(MetaEmbedCodecService.class);

  private final MapperService mappers;
  private final Map<String, Codec> wrapped = new ConcurrentHashMap<>();

  MetaEmbedCodecService(CodecServiceConfig config) {
    super(
        config.getMapperService(),
        config.getIndexSettings(),
        config.getLogger() == null ? LOGGER : config.getLogger(),
        config.getAdditionalCodecs());
    this.mappers = config.getMapperService();
  }

  @Override
  public Codec codec(String name) {
    Codec codec = super.codec(name); // refuses unknown names
    if (mappers == null) {
      return codec; // no mappings, no metaembed_vector fields
    }
    return wrapped.computeIfAbsent(name, n -> wrap(n, codec, mappers));
  }

  /** {@code codec} with the MetaEmbed format for the {@code metaembed_vector} fields of {@code mappers}. */
  static Codec wrap(String name, Codec codec, MapperService mappers) {
    if (codec.knnVectorsFormat() instanceof PerFieldKnnVectorsFormat perField) {
      return new FieldsCodec(codec, perField, mappers);
    }
    throw new IllegalArgumentException(
        "[index.codec] ["
            + name
            + "] writes vectors with "
            + codec.knnVectorsFormat()
            + ", not per field: metaembed_vector fields need a codec with a per-field vectors format");
  }

  /** The wrapped codec, with the MetaEmbed format for {@code metaembed_vector} fields. */
  private static final class FieldsCodec extends FilterCodec {
    private final KnnVectorsFormat vectors;

    FieldsCodec(Codec codec, PerFieldKnnVectorsFormat perField, MapperService mappers) {
      super(codec.getName(), codec);
      this.vectors =
          new PerFieldKnnVectorsFormat() {
            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
              MappedFieldType type = mappers.fieldType(field);
              if (type != null && type.unwrap() instanceof MetaEmbedVectorFieldType metaEmbed) {
                return metaEmbed.vectorsFormat();
              }
              return perField.getKnnVectorsFormatForField(field);
            }
          };
    }

    @Override
    public KnnVectorsFormat knnVectorsFormat() {
      return vectors;
    }
  }
}
