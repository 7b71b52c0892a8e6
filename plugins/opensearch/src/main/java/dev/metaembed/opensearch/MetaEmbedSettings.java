package dev.metaembed.opensearch;

import java.util.List;
import org.opensearch.common.settings.Setting;
import org.opensearch.common.settings.Setting.Property;

/** The plugin's settings. */
public final class MetaEmbedSettings {

  /**
   * {@code index.metaembed}: the index writes its {@code metaembed_vector} fields with the
   * MetaEmbed codec. Set when the index is created; {@code metaembed_vector} fields are refused on
   * indices without it, and indices without it use OpenSearch's codec unchanged.
   */
  public static final Setting<Boolean> INDEX_METAEMBED =
      Setting.boolSetting("index.metaembed", false, Property.IndexScope, Property.Final);

  /**
   * {@code index.metaembed.max_query_vectors}: the most query vectors a {@code late_interaction}
   * query may send to this index (default {@value #DEFAULT_MAX_QUERY_VECTORS}, 1 to {@value
   * #LIMIT_MAX_QUERY_VECTORS}, dynamic). A query's cost grows with its vector count times the
   * candidates' vectors; more vectors than this is refused with a 400, so one request cannot hold
   * a node's CPU. MetaEmbed models send 16; token-level models about one per query token.
   */
  public static final Setting<Integer> MAX_QUERY_VECTORS =
      Setting.intSetting(
          "index.metaembed.max_query_vectors",
          MetaEmbedSettings.DEFAULT_MAX_QUERY_VECTORS,
          1,
          MetaEmbedSettings.LIMIT_MAX_QUERY_VECTORS,
          Property.IndexScope,
          Property.Dynamic);

  /** Default of {@link #MAX_QUERY_VECTORS}. */
  public static final int DEFAULT_MAX_QUERY_VECTORS = 128;

  /** Largest value {@link #MAX_QUERY_VECTORS} accepts. */
  public static final int LIMIT_MAX_QUERY_VECTORS = 4096;

  /**
   * {@code metaembed.encode.max_batch_size}: texts per inference at most when {@code
   * metaembed_encode} encodes the documents of a {@code _bulk} (default 32, 1 to 1024, dynamic).
   * A bulk is cut into batches of this size, which run in parallel on the {@code metaembed_encode}
   * thread pool; a larger batch costs more memory per inference (its longest text sets the padded
   * length of all).
   */
  public static final Setting<Integer> MAX_BATCH_SIZE =
      Setting.intSetting(
          "metaembed.encode.max_batch_size", 32, 1, 1024, Property.NodeScope, Property.Dynamic);

  /**
   * {@code metaembed.encode.intra_op_threads}: ONNX Runtime threads per inference (default 1,
   * static). The {@code metaembed_encode} thread pool ({@code thread_pool.metaembed_encode.size},
   * default half the node's processors) bounds how many inferences run at once; with more than one
   * thread per inference a node uses up to size × this many cores for encoding.
   */
  public static final Setting<Integer> INTRA_OP_THREADS =
      Setting.intSetting("metaembed.encode.intra_op_threads", 1, 1, 64, Property.NodeScope);

  private MetaEmbedSettings() {}

  static List<Setting<?>> all() {
    return List.of(INDEX_METAEMBED, MAX_QUERY_VECTORS, MAX_BATCH_SIZE, INTRA_OP_THREADS);
  }
}
