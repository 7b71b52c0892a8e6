package dev.metaembed.opensearch;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import org.apache.lucene.search.FieldExistsQuery;
import org.apache.lucene.search.Query;
import org.opensearch.common.settings.Settings;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.index.mapper.MappedFieldType;
import org.opensearch.index.mapper.MapperService;
import org.opensearch.index.mapper.MapperTestCase;
import org.opensearch.index.mapper.ParseContext;
import org.opensearch.plugins.Plugin;

/**
 * OpenSearch's own mapper test harness on {@code metaembed_vector}: the minimal mapping serializes
 * to itself and grows to the maximal one, {@code meta} updates, exists queries, and a conflict for
 * every parameter that cannot change once the field exists.
 */
public class MetaEmbedVectorFieldMapperTestCase extends MapperTestCase {

  @Override
  protected Collection<? extends Plugin> getPlugins() {
    return List.of(new MetaEmbedPlugin());
  }

  @Override
  protected Settings getIndexSettings() {
    return Settings.builder()
        .put(super.getIndexSettings())
        .put(MetaEmbedSettings.INDEX_METAEMBED.getKey(), true)
        .build();
  }

  @Override
  protected void minimalMapping(XContentBuilder b) throws IOException {
    b.field("type", MetaEmbedVectorFieldMapper.CONTENT_TYPE).field("dims", 3);
  }

  @Override
  protected void writeFieldValue(XContentBuilder b) throws IOException {
    b.startArray().startArray().value(0.6f).value(0.8f).value(0f).endArray().endArray();
  }

  @Override
  protected void registerParameters(ParameterChecker checker) throws IOException {
    checker.registerConflictCheck("max_vectors", b -> b.field("max_vectors", 8));
    checker.registerConflictCheck("similarity", b -> b.field("similarity", "dot_product"));
    checker.registerConflictCheck("storage", b -> b.field("storage", "int8"));
    checker.registerConflictCheck("m", b -> b.field("m", 8));
    checker.registerConflictCheck("ef_construction", b -> b.field("ef_construction", 50));
  }

  /**
   * The field has neither doc values nor norms: its exists query is Lucene's {@link
   * FieldExistsQuery}, which reads the vectors, not {@code _field_names}.
   */
  @Override
  protected void assertExistsQuery(
      MappedFieldType type, Query query, ParseContext.Document fields) {
    assertEquals(new FieldExistsQuery(type.name()), query);
    assertNotNull(fields.getField(type.name()));
  }

  /**
   * {@code meta} round trips; unlike most OpenSearch fields this one always shows its defaults
   * ({@code max_vectors}, {@code similarity}, {@code storage}) in the mapping, by design.
   */
  @Override
  public void testMeta() throws IOException {
    MapperService mapperService =
        createMapperService(
            fieldMapping(
                b -> {
                  minimalMapping(b);
                  b.field("meta", java.util.Map.of("foo", "bar"));
                }));
    String mapping = mapperService.documentMapper().mappingSource().string();
    assertTrue(mapping, mapping.contains("\"meta\":{\"foo\":\"bar\"}"));
    assertTrue(mapping, mapping.contains("\"max_vectors\":64"));
    merge(mapperService, fieldMapping(this::minimalMapping));
    mapping = mapperService.documentMapper().mappingSource().string();
    assertFalse(mapping, mapping.contains("foo"));
  }
}
