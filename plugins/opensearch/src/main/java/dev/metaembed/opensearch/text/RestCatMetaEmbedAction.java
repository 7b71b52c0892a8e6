package dev.metaembed.opensearch.text;

import java.util.List;
import org.opensearch.common.Table;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.rest.BytesRestResponse;
import org.opensearch.rest.RestRequest;
import org.opensearch.rest.RestResponse;
import org.opensearch.rest.action.RestResponseListener;
import org.opensearch.rest.action.cat.AbstractCatAction;
import org.opensearch.rest.action.cat.RestTable;
import org.opensearch.transport.client.node.NodeClient;

/**
 * {@code GET _cat/metaembed}: per node, the models loaded, documents and queries encoded, encoder
 * calls, failures and time spent encoding ({@code ?v} for headers, {@code ?format=json} as for
 * every {@code _cat} API).
 */
public final class RestCatMetaEmbedAction extends AbstractCatAction {
  @Override
  public String getName() {
    return "cat_metaembed_action";
  }

  @Override
  public List<Route> routes() {
    return List.of(new Route(RestRequest.Method.GET, "/_cat/metaembed"));
  }

  @Override
  protected void documentation(StringBuilder sb) {
    sb.append("/_cat/metaembed\n");
  }

  @Override
  protected RestChannelConsumer doCatRequest(RestRequest request, NodeClient client) {
    return channel ->
        client.execute(
            EncodingStatsAction.INSTANCE,
            new EncodingStatsAction.NodesRequest(),
            new RestResponseListener<>(channel) {
              @Override
              public RestResponse buildResponse(EncodingStatsAction.NodesResponse response)
                  throws Exception {
                if (response.hasFailures()) {
                  return new BytesRestResponse(
                      RestStatus.INTERNAL_SERVER_ERROR,
                      "nodes did not answer: " + response.failures());
                }
                return RestTable.buildResponse(table(request, response), channel);
              }
            });
  }

  @Override
  protected Table getTableWithHeader(RestRequest request) {
    return new Table()
        .startHeaders()
        .addCell("node", "desc:node name")
        .addCell("models", "desc:models loaded on the node")
        .addCell("documents", "desc:documents encoded")
        .addCell("queries", "desc:query texts encoded")
        .addCell("inferences", "desc:encoder calls (a batch of documents or one query)")
        .addCell("failures", "desc:encodings that failed")
        .addCell("time_ms", "desc:milliseconds spent encoding, summed over threads")
        .endHeaders();
  }

  private Table table(RestRequest request, EncodingStatsAction.NodesResponse response) {
    Table table = getTableWithHeader(request);
    for (EncodingStatsAction.NodeResponse node : response.getNodes()) {
      EncodingStats.Snapshot stats = node.stats();
      table
          .startRow()
          .addCell(node.getNode().getName())
          .addCell(stats.loadedModels().isEmpty() ? "-" : String.join(",", stats.loadedModels()))
          .addCell(stats.documents())
          .addCell(stats.queries())
          .addCell(stats.inferences())
          .addCell(stats.failures())
          .addCell(stats.millis())
          .endRow();
    }
    return table;
  }
}
