package dev.metaembed.opensearch;

import dev.metaembed.opensearch.text.EncodeQueryAction;
import dev.metaembed.opensearch.text.EncodingStatsAction;
import dev.metaembed.opensearch.text.MetaEmbedEncodeProcessor;
import dev.metaembed.opensearch.text.RestCatMetaEmbedAction;
import dev.metaembed.opensearch.text.TextEncoders;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.lucene.util.SetOnce;
import org.opensearch.action.ActionRequest;
import org.opensearch.action.support.ActionFilter;
import org.opensearch.cluster.metadata.IndexNameExpressionResolver;
import org.opensearch.cluster.node.DiscoveryNodes;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.settings.ClusterSettings;
import org.opensearch.common.settings.IndexScopedSettings;
import org.opensearch.common.settings.Setting;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.settings.SettingsFilter;
import org.opensearch.core.action.ActionResponse;
import org.opensearch.core.common.io.stream.NamedWriteableRegistry;
import org.opensearch.core.xcontent.NamedXContentRegistry;
import org.opensearch.env.Environment;
import org.opensearch.env.NodeEnvironment;
import org.opensearch.index.IndexSettings;
import org.opensearch.index.codec.CodecServiceFactory;
import org.opensearch.index.mapper.Mapper;
import org.opensearch.ingest.Processor;
import org.opensearch.plugins.ActionPlugin;
import org.opensearch.plugins.EnginePlugin;
import org.opensearch.plugins.IngestPlugin;
import org.opensearch.plugins.MapperPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.plugins.SearchPlugin;
import org.opensearch.repositories.RepositoriesService;
import org.opensearch.rest.RestController;
import org.opensearch.rest.RestHandler;
import org.opensearch.script.ScriptService;
import org.opensearch.threadpool.ExecutorBuilder;
import org.opensearch.threadpool.ThreadPool;
import org.opensearch.transport.client.Client;
import org.opensearch.watcher.ResourceWatcherService;

/**
 * MetaEmbed for OpenSearch: the {@code metaembed_vector} field ({@link MetaEmbedVectorFieldMapper}),
 * the MetaEmbed codec for those fields on indices with {@code index.metaembed: true} ({@link
 * MetaEmbedCodecService}), and the {@code late_interaction} query ({@link
 * LateInteractionQueryBuilder}, with {@code query_vectors} or {@code query_text}); {@link
 * MetaEmbedResizeFilter} keeps {@code index.metaembed} from changing in a shrink, split or clone.
 * Text: the ingest processor {@code metaembed_encode} ({@link MetaEmbedEncodeProcessor}), {@code
 * query_text} ({@link EncodeQueryAction}) and {@code _cat/metaembed} ({@link
 * RestCatMetaEmbedAction}) share the node's {@link TextEncoders} and its thread pool.
 */
public class MetaEmbedPlugin extends Plugin
    implements MapperPlugin, SearchPlugin, EnginePlugin, ActionPlugin, IngestPlugin {
  /**
   * Where the encoder unpacks the built-in model and the tokenizer's native library, relative to
   * the node's first data path, unless {@code -Dmetaembed.cache} is set: OpenSearch lets a node
   * write only its own paths, not the user's home.
   */
  static final String CACHE_FOLDER = "metaembed-cache";

  private final SetOnce<ClusterService> clusterService = new SetOnce<>();
  private final SetOnce<TextEncoders> encoders = new SetOnce<>();

  @Override
  public Map<String, Processor.Factory> getProcessors(Processor.Parameters parameters) {
    // pipelines are made from the cluster state, after createComponents made the encoders
    return Map.of(
        MetaEmbedEncodeProcessor.TYPE, new MetaEmbedEncodeProcessor.Factory(encoders::get));
  }

  @Override
  public List<ExecutorBuilder<?>> getExecutorBuilders(Settings settings) {
    return List.of(TextEncoders.executorBuilder(settings));
  }

  @Override
  public List<ActionHandler<? extends ActionRequest, ? extends ActionResponse>> getActions() {
    return List.of(
        new ActionHandler<>(EncodeQueryAction.INSTANCE, EncodeQueryAction.Transport.class),
        new ActionHandler<>(EncodingStatsAction.INSTANCE, EncodingStatsAction.Transport.class));
  }

  @Override
  public List<RestHandler> getRestHandlers(
      Settings settings,
      RestController restController,
      ClusterSettings clusterSettings,
      IndexScopedSettings indexScopedSettings,
      SettingsFilter settingsFilter,
      IndexNameExpressionResolver indexNameExpressionResolver,
      Supplier<DiscoveryNodes> nodesInCluster) {
    return List.of(new RestCatMetaEmbedAction());
  }

  @Override
  public void close() {
    TextEncoders textEncoders = encoders.get();
    if (textEncoders != null) {
      textEncoders.close();
    }
  }

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
    if (System.getProperty("metaembed.cache") == null) {
      Path cache = environment.dataFiles()[0].resolve(CACHE_FOLDER).toAbsolutePath();
      System.setProperty("metaembed.cache", cache.toString());
    }
    TextEncoders textEncoders =
        new TextEncoders(environment.configDir(), threadPool, environment.settings());
    textEncoders.watch(clusterService.getClusterSettings());
    encoders.set(textEncoders);
    return List.of(textEncoders);
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
