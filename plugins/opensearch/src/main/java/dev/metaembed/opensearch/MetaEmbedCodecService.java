package dev.metaembed.opensearch;

import java.util.Map;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.opensearch.index.codec.CodecService;
import org.opensearch.index.codec.CodecServiceConfig;
import org.opensearch.index.codec.PerFieldMappingPostingFormatCodec;
import org.opensearch.index.mapper.MappedFieldType;
import org.opensearch.index.mapper.MapperService;

/**
 * The codecs of an index with {@code index.metaembed: true}: OpenSearch's own codecs ({@code
 * default}, {@code lz4}, {@code best_compression}, {@code zlib}), except that each {@code
 * metaembed_vector} field is written with the MetaEmbed vectors format and its HNSW parameters.
 *
 * <p>Segments keep the name of Lucene's codec; the field's format is recorded per field and found
 * by SPI when a segment is read, so the index opens like any other wherever the plugin is
 * installed. Every other field, and every index without the setting, is untouched.
 */
final class MetaEmbedCodecService extends CodecService {
  private static final Logger LOGGER = LogManager.getLogger(MetaEmbedCodecService.class);

  /** The {@code index.codec} values that write {@code metaembed_vector} fields. */
  static final Set<String> CODEC_NAMES = Set.of(DEFAULT_CODEC, LZ4, BEST_COMPRESSION_CODEC, ZLIB);

  private final Map<String, Codec> codecs;

  MetaEmbedCodecService(CodecServiceConfig config) {
    this(config, config.getLogger() == null ? LOGGER : config.getLogger());
  }

  private MetaEmbedCodecService(CodecServiceConfig config, Logger logger) {
    super(
        config.getMapperService(), config.getIndexSettings(), logger, config.getAdditionalCodecs());
    MapperService mappers = config.getMapperService();
    if (mappers == null) {
      this.codecs = Map.of(); // no mappings, no metaembed_vector fields: OpenSearch's codecs
      return;
    }
    Codec fast = new FieldsCodec(Lucene104Codec.Mode.BEST_SPEED, mappers, logger);
    Codec small = new FieldsCodec(Lucene104Codec.Mode.BEST_COMPRESSION, mappers, logger);
    this.codecs =
        Map.of(DEFAULT_CODEC, fast, LZ4, fast, BEST_COMPRESSION_CODEC, small, ZLIB, small);
  }

  @Override
  public Codec codec(String name) {
    Codec codec = codecs.get(name);
    return codec != null ? codec : super.codec(name);
  }

  /** OpenSearch's per-field codec, with the MetaEmbed format for {@code metaembed_vector} fields. */
  private static final class FieldsCodec extends PerFieldMappingPostingFormatCodec {
    private final MapperService mappers;

    FieldsCodec(Lucene104Codec.Mode mode, MapperService mappers, Logger logger) {
      super(mode, mappers, logger);
      this.mappers = mappers;
    }

    @Override
    public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
      MappedFieldType type = mappers.fieldType(field);
      if (type != null && type.unwrap() instanceof MetaEmbedVectorFieldType metaEmbed) {
        return metaEmbed.vectorsFormat();
      }
      return super.getKnnVectorsFormatForField(field);
    }
  }
}
