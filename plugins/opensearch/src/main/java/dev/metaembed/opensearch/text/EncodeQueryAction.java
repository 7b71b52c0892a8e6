package dev.metaembed.opensearch.text;

import java.io.IOException;
import org.opensearch.action.ActionRequest;
import org.opensearch.action.ActionRequestValidationException;
import org.opensearch.action.ActionType;
import org.opensearch.action.support.ActionFilters;
import org.opensearch.action.support.HandledTransportAction;
import org.opensearch.common.inject.Inject;
import org.opensearch.core.action.ActionListener;
import org.opensearch.core.action.ActionResponse;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.tasks.Task;
import org.opensearch.transport.TransportService;

/**
 * Encodes a {@code late_interaction} query's {@code query_text} on the node that runs it: the
 * coordinating node, while it rewrites the request, before any shard sees it. An action (not a
 * static encoder) so that each node uses its own {@link TextEncoders}.
 */
public final class EncodeQueryAction extends ActionType<EncodeQueryAction.Response> {
  /** The action, as the node client executes it. */
  public static final EncodeQueryAction INSTANCE = new EncodeQueryAction();

  /** The action's name. */
  public static final String NAME = "cluster:internal/metaembed/encode_query";

  private EncodeQueryAction() {
    super(NAME, Response::new);
  }

  /** The text and the model (null: the default). */
  public static final class Request extends ActionRequest {
    private final String model;
    private final String text;

    public Request(String model, String text) {
      this.model = model;
      this.text = text;
    }

    Request(StreamInput in) throws IOException {
      super(in);
      model = in.readOptionalString();
      text = in.readString();
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
      super.writeTo(out);
      out.writeOptionalString(model);
      out.writeString(text);
    }

    @Override
    public ActionRequestValidationException validate() {
      return null;
    }
  }

  /** The query's vectors. */
  public static final class Response extends ActionResponse {
    private final float[][] vectors;

    Response(float[][] vectors) {
      this.vectors = vectors;
    }

    Response(StreamInput in) throws IOException {
      super(in);
      vectors = new float[in.readVInt()][];
      for (int i = 0; i < vectors.length; i++) {
        vectors[i] = in.readFloatArray();
      }
    }

    /** The query vectors in Matryoshka order. */
    public float[][] vectors() {
      return vectors;
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
      out.writeVInt(vectors.length);
      for (float[] vector : vectors) {
        out.writeFloatArray(vector);
      }
    }
  }

  /** Runs the encoding on this node's {@link TextEncoders}. */
  public static final class Transport extends HandledTransportAction<Request, Response> {
    private final TextEncoders encoders;

    @Inject
    public Transport(
        TransportService transportService, ActionFilters actionFilters, TextEncoders encoders) {
      super(NAME, transportService, actionFilters, Request::new);
      this.encoders = encoders;
    }

    @Override
    protected void doExecute(Task task, Request request, ActionListener<Response> listener) {
      ModelReference model;
      try {
        model = encoders.model(request.model);
      } catch (IllegalArgumentException e) {
        listener.onFailure(e);
        return;
      }
      encoders.encodeQuery(model, request.text, ActionListener.map(listener, Response::new));
    }
  }
}
