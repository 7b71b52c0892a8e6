package dev.metaembed.opensearch;

import java.util.List;
import org.opensearch.common.settings.Setting;
import org.opensearch.common.settings.Setting.Property;

/** The plugin's settings, all static. */
public final class MetaEmbedSettings {

  /**
   * {@code index.metaembed}: the index writes its {@code metaembed_vector} fields with the
   * MetaEmbed codec. Set when the index is created; {@code metaembed_vector} fields are refused on
   * indices without it, and indices without it use OpenSearch's codec unchanged.
   */
  public static final Setting<Boolean> INDEX_METAEMBED =
      Setting.boolSetting("index.metaembed", false, Property.IndexScope, Property.Final);

  private MetaEmbedSettings() {}

  static List<Setting<?>> all() {
    return List.of(INDEX_METAEMBED);
  }
}
