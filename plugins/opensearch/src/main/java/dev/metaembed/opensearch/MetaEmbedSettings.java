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

  private MetaEmbedSettings() {}

  static List<Setting<?>> all() {
    return List.of(INDEX_METAEMBED, MAX_QUERY_VECTORS);
  }
}
