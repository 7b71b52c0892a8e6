package dev.metaembed.opensearch;

import java.util.function.Supplier;
import org.opensearch.action.ActionRequest;
import org.opensearch.action.admin.indices.shrink.ResizeRequest;
import org.opensearch.action.support.ActionFilter;
import org.opensearch.action.support.ActionFilterChain;
import org.opensearch.cluster.ClusterState;
import org.opensearch.cluster.metadata.IndexMetadata;
import org.opensearch.common.settings.Settings;
import org.opensearch.core.action.ActionListener;
import org.opensearch.core.action.ActionResponse;
import org.opensearch.tasks.Task;

/**
 * Refuses a shrink, split or clone whose target settings give {@code index.metaembed} another value
 * than the source index has. OpenSearch would accept it and create the target, whose shards then
 * never recover: the copied {@code metaembed_vector} mappings need {@code index.metaembed: true}, and
 * without them nothing uses the MetaEmbed codec. Without the setting in the request the target
 * keeps the source's value, as every other index setting.
 */
final class MetaEmbedResizeFilter implements ActionFilter {
  private final Supplier<ClusterState> clusterState;

  MetaEmbedResizeFilter(Supplier<ClusterState> clusterState) {
    this.clusterState = clusterState;
  }

  @Override
  public int order() {
    return 0;
  }

  @Override
  public <Request extends ActionRequest, Response extends ActionResponse> void apply(
      Task task,
      String action,
      Request request,
      ActionListener<Response> listener,
      ActionFilterChain<Request, Response> chain) {
    String problem = request instanceof ResizeRequest resize ? problem(resize) : null;
    if (problem != null) {
      listener.onFailure(new IllegalArgumentException(problem));
      return;
    }
    chain.proceed(task, action, request, listener);
  }

  /** What is wrong with the request, or null. */
  private String problem(ResizeRequest resize) {
    Settings target = resize.getTargetIndexRequest().settings();
    IndexMetadata source = clusterState.get().metadata().index(resize.getSourceIndex());
    if (source == null || MetaEmbedSettings.INDEX_METAEMBED.exists(target) == false) {
      return null; // a missing source is OpenSearch's own error
    }
    boolean sourceValue = MetaEmbedSettings.INDEX_METAEMBED.get(source.getSettings());
    if (MetaEmbedSettings.INDEX_METAEMBED.get(target) == sourceValue) {
      return null;
    }
    return "["
        + MetaEmbedSettings.INDEX_METAEMBED.getKey()
        + "] cannot change when an index is resized: ["
        + resize.getSourceIndex()
        + "] has ["
        + sourceValue
        + "], so ["
        + resize.getTargetIndexRequest().index()
        + "] must too (leave the setting out to keep it)";
  }
}
