package dev.metaembed.opensearch;

import dev.metaembed.lucene.search.LateInteractionQuery;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import org.apache.lucene.search.Query;
import org.opensearch.common.compress.CompressedXContent;
import org.opensearch.common.settings.Settings;
import org.opensearch.index.mapper.MapperService;
import org.opensearch.index.query.QueryBuilder;
import org.opensearch.index.query.QueryBuilders;
import org.opensearch.index.query.QueryShardContext;
import org.opensearch.plugins.Plugin;
import org.opensearch.test.AbstractQueryTestCase;

/**
 * OpenSearch's own query test harness on {@code late_interaction}: random valid queries through
 * JSON (with shuffled and unknown fields), the wire, equality and hash codes, rewriting, and
 * {@code toQuery} on a shard whose mapping has a {@code metaembed_vector} field.
 */
public class LateInteractionQueryTestCase
    extends AbstractQueryTestCase<LateInteractionQueryBuilder> {
  private static final String FIELD = "page";
  private static final int DIMS = 4;

  @Override
  protected Collection<Class<? extends Plugin>> getPlugins() {
    return List.of(MetaEmbedPlugin.class, org.opensearch.geo.GeoModulePlugin.class);
  }

  @Override
  protected Settings createTestIndexSettings() {
    return Settings.builder()
        .put(super.createTestIndexSettings())
        .put(MetaEmbedSettings.INDEX_METAEMBED.getKey(), true)
        .build();
  }

  @Override
  protected void initializeAdditionalMappings(MapperService mapperService) throws IOException {
    mapperService.merge(
        "_doc",
        new CompressedXContent(
            "{\"properties\": {\""
                + FIELD
                + "\": {\"type\": \"metaembed_vector\", \"dims\": "
                + DIMS
                + ", \"max_vectors\": 8}}}"),
        MapperService.MergeReason.MAPPING_UPDATE);
  }

  @Override
  protected LateInteractionQueryBuilder doCreateTestQueryBuilder() {
    return RandomQueries.valid(random(), FIELD, DIMS, 8, KEYWORD_FIELD_NAME);
  }

  @Override
  protected void doAssertLuceneQuery(
      LateInteractionQueryBuilder builder, Query query, QueryShardContext context)
      throws IOException {
    assertTrue(query.getClass().getName(), query instanceof LateInteractionQuery);
    LateInteractionQuery.Builder expected = builder.luceneQuery(FIELD);
    if (builder.filterQuery() != null) {
      expected.filter(builder.filterQuery().toQuery(context));
    }
    assertEquals(expected.build(), query);
  }

  /**
   * The harness expects {@code filter(q)} to wrap the query in a {@code bool}; {@code
   * late_interaction} takes the filter in instead, so that it applies before the top k is chosen
   * (a pre-filter, as the k-NN plugin does): checked here.
   */
  @Override
  public void testFilter() throws IOException {
    LateInteractionQueryBuilder query = createTestQueryBuilder();
    QueryBuilder before = query.filterQuery();
    assertSame(query, query.filter(null));
    assertEquals(before, query.filterQuery());
    QueryBuilder added = QueryBuilders.matchAllQuery();
    assertSame(query, query.filter(added));
    if (before == null) {
      assertEquals(added, query.filterQuery());
    } else {
      assertEquals(QueryBuilders.boolQuery().filter(before).filter(added), query.filterQuery());
    }
  }

  @Override
  protected boolean builderGeneratesCacheableQueries() {
    return true;
  }

  @Override
  protected java.util.Set<String> getObjectsHoldingArbitraryContent() {
    return java.util.Set.of();
  }

  @Override
  protected String[] shuffleProtectedFields() {
    return new String[] {LateInteractionQueryParser.QUERY_VECTORS.getPreferredName()};
  }
}
