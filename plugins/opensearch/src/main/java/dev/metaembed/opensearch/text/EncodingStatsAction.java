package dev.metaembed.opensearch.text;

import java.io.IOException;
import java.util.List;
import org.opensearch.action.ActionType;
import org.opensearch.action.FailedNodeException;
import org.opensearch.action.support.ActionFilters;
import org.opensearch.action.support.nodes.BaseNodeResponse;
import org.opensearch.action.support.nodes.BaseNodesRequest;
import org.opensearch.action.support.nodes.BaseNodesResponse;
import org.opensearch.action.support.nodes.TransportNodesAction;
import org.opensearch.cluster.ClusterName;
import org.opensearch.cluster.node.DiscoveryNode;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.inject.Inject;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.threadpool.ThreadPool;
import org.opensearch.transport.TransportRequest;
import org.opensearch.transport.TransportService;

/** Every node's {@link EncodingStats}, for {@code _cat/metaembed}. */
public final class EncodingStatsAction extends ActionType<EncodingStatsAction.NodesResponse> {
  /** The action, as the node client executes it. */
  public static final EncodingStatsAction INSTANCE = new EncodingStatsAction();

  /** The action's name. */
  public static final String NAME = "cluster:monitor/metaembed/stats";

  private EncodingStatsAction() {
    super(NAME, NodesResponse::new);
  }

  /** Asks the given nodes (all when none are given). */
  public static final class NodesRequest extends BaseNodesRequest<NodesRequest> {
    public NodesRequest(String... nodeIds) {
      super(nodeIds);
    }

    NodesRequest(StreamInput in) throws IOException {
      super(in);
    }
  }

  /** The per-node request: nothing to say. */
  public static final class NodeRequest extends TransportRequest {
    NodeRequest() {}

    NodeRequest(StreamInput in) throws IOException {
      super(in);
    }
  }

  /** One node's figures. */
  public static final class NodeResponse extends BaseNodeResponse {
    private final EncodingStats.Snapshot stats;

    NodeResponse(DiscoveryNode node, EncodingStats.Snapshot stats) {
      super(node);
      this.stats = stats;
    }

    NodeResponse(StreamInput in) throws IOException {
      super(in);
      stats = EncodingStats.Snapshot.readFrom(in);
    }

    /** The node's figures. */
    public EncodingStats.Snapshot stats() {
      return stats;
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
      super.writeTo(out);
      stats.writeTo(out);
    }
  }

  /** All nodes' figures. */
  public static final class NodesResponse extends BaseNodesResponse<NodeResponse> {
    NodesResponse(ClusterName cluster, List<NodeResponse> nodes, List<FailedNodeException> failed) {
      super(cluster, nodes, failed);
    }

    NodesResponse(StreamInput in) throws IOException {
      super(in);
    }

    @Override
    protected List<NodeResponse> readNodesFrom(StreamInput in) throws IOException {
      return in.readList(NodeResponse::new);
    }

    @Override
    protected void writeNodesTo(StreamOutput out, List<NodeResponse> nodes) throws IOException {
      out.writeList(nodes);
    }
  }

  /** Collects the figures from every node. */
  public static final class Transport
      extends TransportNodesAction<NodesRequest, NodesResponse, NodeRequest, NodeResponse> {
    private final TextEncoders encoders;

    @Inject
    public Transport(
        ThreadPool threadPool,
        ClusterService clusterService,
        TransportService transportService,
        ActionFilters actionFilters,
        TextEncoders encoders) {
      super(
          NAME,
          threadPool,
          clusterService,
          transportService,
          actionFilters,
          NodesRequest::new,
          NodeRequest::new,
          ThreadPool.Names.MANAGEMENT,
          NodeResponse.class);
      this.encoders = encoders;
    }

    @Override
    protected NodesResponse newResponse(
        NodesRequest request, List<NodeResponse> nodes, List<FailedNodeException> failures) {
      return new NodesResponse(clusterService.getClusterName(), nodes, failures);
    }

    @Override
    protected NodeRequest newNodeRequest(NodesRequest request) {
      return new NodeRequest();
    }

    @Override
    protected NodeResponse newNodeResponse(StreamInput in) throws IOException {
      return new NodeResponse(in);
    }

    @Override
    protected NodeResponse nodeOperation(NodeRequest request) {
      return new NodeResponse(clusterService.localNode(), encoders.stats());
    }
  }
}
