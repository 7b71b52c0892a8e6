package dev.metaembed.opensearch;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.lucene.util.SetOnce;
import org.opensearch.action.support.ActionFilter;
import org.opensearch.cluster.metadata.IndexNameExpressionResolver;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.settings.Setting;
import org.opensearch.core.common.io.stream.NamedWriteableRegistry;
import org.opensearch.core.xcontent.NamedXContentRegistry;
import org.opensearch.env.Environment;
import org.opensearch.env.NodeEnvironment;
import org.opensearch.index.IndexSettings;
import org.opensearch.index.codec.CodecServiceFactory;
import org.opensearch.index.mapper.Mapper;
import org.opensearch.plugins.ActionPlugin;
import org.opensearch.plugins.EnginePlugin;
import org.opensearch.plugins.MapperPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.plugins.SearchPlugin;
import org.opensearch.repositories.RepositoriesService;
import org.opensearch.script.ScriptService;
import org.opensearch.threadpool.ThreadPool;
import org.opensearch.transport.client.Client;
import org.opensearch.watcher.ResourceWatcherService;

/**
 * MetaEmbed for OpenSearch: the {@code metaembed_vector} field ({@link MetaEmbedVectorFieldMapper}),
 * the MetaEmbed codec for those fields on indices with {@code index.metaembed: true} ({@link
 * MetaEmbedCodecService}), and the {@code late_interaction} query ({@link
 * LateInteractionQueryBuilder}); {@link MetaEmbedResizeFilter} keeps {@code index.metaembed} from
 * changing in a shrink, split or clone.
 */
public class MetaEmbedPlugin extends Plugin
    implements MapperPlugin, SearchPlugin, EnginePlugin, ActionPlugin {
  private final SetOnce<ClusterService> clusterService = new SetOnce<>();

  @Override
  public Collection<Object> createComponents(
      Client client,
      ClusterService clusterService,
      ThreadPool threadPool,
      ResourceWatcherService resourceWatcherService,
      ScriptService scriptService,
      NamedXContentRegistry xContentRegistry,
      Environment environment,
      NodeEnvironment nodeEnvironment,
      NamedWriteableRegistry namedWriteableRegistry,
      IndexNameExpressionResolver indexNameExpressionResolver,
      Supplier<RepositoriesService> repositoriesServiceSupplier) {
    this.clusterService.set(clusterService);
    return List.of();
  }

  @Override
  public List<ActionFilter> getActionFilters() {
    return List.of(new MetaEmbedResizeFilter(() -> clusterService.get().state()));
  }

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
