package dev.metaembed.opensearch;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.opensearch.common.settings.Setting;
import org.opensearch.index.IndexSettings;
import org.opensearch.index.codec.CodecServiceFactory;
import org.opensearch.index.mapper.Mapper;
import org.opensearch.plugins.EnginePlugin;
import org.opensearch.plugins.MapperPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.plugins.SearchPlugin;

/**
 * MetaEmbed for OpenSearch: the {@code metaembed_vector} field ({@link MetaEmbedVectorFieldMapper}),
 * the MetaEmbed codec for those fields on indices with {@code index.metaembed: true} ({@link
 * MetaEmbedCodecService}), and the {@code late_interaction} query ({@link
 * LateInteractionQueryBuilder}).
 */
public class MetaEmbedPlugin extends Plugin implements MapperPlugin, SearchPlugin, EnginePlugin {

  @Override
  public List<Setting<?>> getSettings() {
    return MetaEmbedSettings.all();
  }

  @Override
  public Map<String, Mapper.TypeParser> getMappers() {
    return Map.of(MetaEmbedVectorFieldMapper.CONTENT_TYPE, MetaEmbedVectorFieldMapper.PARSER);
  }

  @Override
  public List<QuerySpec<?>> getQueries() {
    return List.of(
        new QuerySpec<>(
            LateInteractionQueryBuilder.NAME,
            LateInteractionQueryBuilder::new,
            LateInteractionQueryParser::parse));
  }

  @Override
  public Optional<CodecServiceFactory> getCustomCodecServiceFactory(IndexSettings indexSettings) {
    if (MetaEmbedSettings.INDEX_METAEMBED.get(indexSettings.getSettings())) {
      return Optional.of(MetaEmbedCodecService::new);
    }
    return Optional.empty();
  }
}
