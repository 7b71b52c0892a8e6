package dev.metaembed.opensearch;

import static dev.metaembed.opensearch.BadRequests.assertBadRequest;
import static org.opensearch.test.hamcrest.OpenSearchAssertions.assertAcked;

import dev.metaembed.lucene.codec.VectorStorage;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.lucene.tests.util.LuceneTestCase.SuppressCodecs;
import org.opensearch.action.admin.indices.mapping.get.GetMappingsResponse;
import org.opensearch.action.admin.indices.shrink.ResizeType;
import org.opensearch.common.settings.Settings;
import org.opensearch.index.query.QueryBuilders;
import org.opensearch.plugins.Plugin;
import org.opensearch.test.IndexSettingsModule;
import org.opensearch.test.OpenSearchIntegTestCase;
import org.opensearch.test.OpenSearchIntegTestCase.ClusterScope;
import org.opensearch.test.OpenSearchIntegTestCase.Scope;

/** Mappings, bad documents and bad queries: clear 400s that name the field, nothing indexed. */
@ClusterScope(scope = Scope.SUITE, numDataNodes = 1, numClientNodes = 0)
@SuppressCodecs("*")
public class MetaEmbedMappingTests extends OpenSearchIntegTestCase {
  private static final Settings METAEMBED =
      Settings.builder()
          .put(MetaEmbedSettings.INDEX_METAEMBED.getKey(), true)
          .put("index.number_of_replicas", 0)
          .build();

  @Override
  protected Collection<Class<? extends Plugin>> nodePlugins() {
    return List.of(MetaEmbedPlugin.class);
  }

  public void testMappingRoundTripsWithEveryParameter() {
    VectorStorage storage = randomFrom(VectorStorage.values());
    assertAcked(
        prepareCreate("pages").setSettings(METAEMBED).setMapping(RandomPages.mapping(storage)));
    GetMappingsResponse response = client().admin().indices().prepareGetMappings("pages").get();
    @SuppressWarnings("unchecked")
    Map<String, Object> properties =
        (Map<String, Object>) response.mappings().get("pages").sourceAsMap().get("properties");
    assertEquals(
        Map.of(
            "type",
            "metaembed_vector",
            "dims",
            RandomPages.DIMS,
            "max_vectors",
            RandomPages.MAX_VECTORS,
            "similarity",
            "dot_product",
            "storage",
            storage.attributeValue(),
            "m",
            8,
            "ef_construction",
            50),
        properties.get(RandomPages.FIELD));
  }

  public void testDefaultsAreShownInTheMapping() {
    assertAcked(
        prepareCreate("defaults")
            .setSettings(METAEMBED)
            .setMapping(
                Map.of(
                    "properties", Map.of("page", Map.of("type", "metaembed_vector", "dims", 4)))));
    Map<String, Object> page = pageMapping("defaults");
    assertEquals(
        Map.of(
            "type",
            "metaembed_vector",
            "dims",
            4,
            "max_vectors",
            64,
            "similarity",
            "cosine",
            "storage",
            "float32"),
        page);
  }

  public void testBadMappingsAreRefused() {
    assertBadRequest(
        () ->
            prepareCreate("plain")
                .setMapping(
                    Map.of(
                        "properties",
                        Map.of("page", Map.of("type", "metaembed_vector", "dims", 4))))
                .get(),
        "index.metaembed");
    assertBadRequest(
        () ->
            prepareCreate("nodims")
                .setSettings(METAEMBED)
                .setMapping(
                    Map.of("properties", Map.of("page", Map.of("type", "metaembed_vector"))))
                .get(),
        "[dims] is required");
    assertBadRequest(
        () ->
            prepareCreate("bigdims")
                .setSettings(METAEMBED)
                .setMapping(
                    Map.of(
                        "properties",
                        Map.of("page", Map.of("type", "metaembed_vector", "dims", 5000))))
                .get(),
        "[dims] must be in 1..4096");
    assertBadRequest(
        () ->
            prepareCreate("manyvectors")
                .setSettings(METAEMBED)
                .setMapping(
                    Map.of(
                        "properties",
                        Map.of(
                            "page",
                            Map.of("type", "metaembed_vector", "dims", 4, "max_vectors", 65))))
                .get(),
        "[max_vectors] must be in 1..64");
    assertBadRequest(
        () ->
            prepareCreate("storage")
                .setSettings(METAEMBED)
                .setMapping(
                    Map.of(
                        "properties",
                        Map.of(
                            "page",
                            Map.of("type", "metaembed_vector", "dims", 4, "storage", "fp8"))))
                .get(),
        "storage");
    assertBadRequest(
        () ->
            prepareCreate("copyto")
                .setSettings(METAEMBED)
                .setMapping(
                    Map.of(
                        "properties",
                        Map.of(
                            "page",
                            Map.of("type", "metaembed_vector", "dims", 4, "copy_to", "other"))))
                .get(),
        "[copy_to]");
    assertBadRequest(
        () ->
            prepareCreate("similarity")
                .setSettings(METAEMBED)
                .setMapping(
                    Map.of(
                        "properties",
                        Map.of(
                            "page",
                            Map.of(
                                "type", "metaembed_vector", "dims", 4, "similarity", "hamming"))))
                .get(),
        "similarity");
  }

  public void testOnlyIndicesThatAskGetTheCodecService() {
    MetaEmbedPlugin plugin = new MetaEmbedPlugin();
    Settings plain =
        Settings.builder().put("index.version.created", org.opensearch.Version.CURRENT).build();
    assertTrue(
        plugin
            .getCustomCodecServiceFactory(IndexSettingsModule.newIndexSettings("plain", plain))
            .isEmpty());
    Settings asked = Settings.builder().put(plain).put(METAEMBED).build();
    assertTrue(
        plugin
            .getCustomCodecServiceFactory(IndexSettingsModule.newIndexSettings("asked", asked))
            .isPresent());
  }

  public void testACodecWithoutPerFieldVectorsIsRefusedByName() {
    org.apache.lucene.codecs.Codec flat =
        new org.apache.lucene.codecs.FilterCodec(
            "Lucene104", org.apache.lucene.codecs.Codec.getDefault()) {
          @Override
          public org.apache.lucene.codecs.KnnVectorsFormat knnVectorsFormat() {
            return new org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat();
          }
        };
    IllegalArgumentException e =
        expectThrows(
            IllegalArgumentException.class, () -> MetaEmbedCodecService.wrap("flat", flat, null));
    assertTrue(e.getMessage(), e.getMessage().contains("[index.codec] [flat] writes vectors with"));
    assertTrue(
        e.getMessage(), e.getMessage().contains("need a codec with a per-field vectors format"));
  }

  public void testEveryOpenSearchCodecWritesTheField() throws Exception {
    // the service wraps whatever codec OpenSearch gives for the name, Lucene's own default too
    for (String codec : List.of("default", "lz4", "best_compression", "zlib", "lucene_default")) {
      String index = "codec-" + codec.replace('_', '-');
      assertAcked(
          prepareCreate(index)
              .setSettings(Settings.builder().put(METAEMBED).put("index.codec", codec))
              .setMapping(RandomPages.mapping(VectorStorage.INT8)));
      client()
          .prepareIndex(index)
          .setId("1")
          .setSource(RandomPages.source(RandomPages.generate(random(), 1).get(0)))
          .get();
      refresh(index);
      float[][] query = RandomPages.queryVectors(random(), 1);
      assertEquals(
          1,
          client()
              .prepareSearch(index)
              .setQuery(new LateInteractionQueryBuilder(RandomPages.FIELD, query))
              .get()
              .getHits()
              .getHits()
              .length);
    }
  }

  public void testMappingCannotChange() {
    assertAcked(
        prepareCreate("fixed")
            .setSettings(METAEMBED)
            .setMapping(
                Map.of(
                    "properties", Map.of("page", Map.of("type", "metaembed_vector", "dims", 4)))));
    assertBadRequest(
        () ->
            client()
                .admin()
                .indices()
                .preparePutMapping("fixed")
                .setSource(
                    Map.of(
                        "properties",
                        Map.of("page", Map.of("type", "metaembed_vector", "dims", 8))))
                .get(),
        "dims");
  }

  public void testBadDocumentsAreRejectedAndNothingIsIndexed() throws Exception {
    assertAcked(
        prepareCreate("pages")
            .setSettings(METAEMBED)
            .setMapping(RandomPages.mapping(VectorStorage.FLOAT32)));
    float[] good = RandomPages.unitVector(random());
    List<Object> badValues =
        List.of(
            List.of(List.of(0.5f, 0.5f)), // wrong dims
            java.util.Collections.nCopies(
                RandomPages.MAX_VECTORS + 1, toList(good)), // too many vectors
            List.of(withNaN(good)), // NaN
            List.of(), // no vector
            "not vectors",
            List.of(List.of("a", "b")));
    for (Object bad : badValues) {
      assertBadRequest(
          () -> client().prepareIndex("pages").setSource(Map.of(RandomPages.FIELD, bad)).get(),
          "[" + RandomPages.FIELD + "]");
    }
    client()
        .prepareIndex("pages")
        .setId("ok")
        .setSource(Map.of(RandomPages.FIELD, List.of(toList(good))))
        .get();
    refresh("pages");
    assertEquals(
        1, client().prepareSearch("pages").setSize(0).get().getHits().getTotalHits().value());
    // the fields option returns the document's vectors, as one value, from _source
    List<Object> fetched =
        client()
            .prepareSearch("pages")
            .addFetchField(RandomPages.FIELD)
            .get()
            .getHits()
            .getAt(0)
            .field(RandomPages.FIELD)
            .getValues();
    assertEquals(1, fetched.size());
    List<?> vectors = (List<?>) fetched.get(0);
    assertEquals(1, vectors.size());
    assertEquals(RandomPages.DIMS, ((List<?>) vectors.get(0)).size());
    assertEquals(good[0], ((Number) ((List<?>) vectors.get(0)).get(0)).floatValue(), 0f);
  }

  public void testBadQueriesAreRefused() throws Exception {
    assertAcked(
        prepareCreate("pages")
            .setSettings(METAEMBED)
            .setMapping(RandomPages.mapping(VectorStorage.FLOAT32)));
    client()
        .prepareIndex("pages")
        .setId("1")
        .setSource(RandomPages.source(RandomPages.generate(random(), 1).get(0)))
        .get();
    refresh("pages");
    float[][] query = RandomPages.queryVectors(random(), 2);
    assertBadRequest(
        () ->
            client()
                .prepareSearch("pages")
                .setQuery(
                    new LateInteractionQueryBuilder(RandomPages.FIELD, new float[][] {{1f, 0f}}))
                .get(),
        "has dims 16");
    assertBadRequest(
        () ->
            client()
                .prepareSearch("pages")
                .setQuery(new LateInteractionQueryBuilder("title", query))
                .get(),
        "not [metaembed_vector]");
    assertBadRequest(
        () ->
            client()
                .prepareSearch("pages")
                .setQuery(new LateInteractionQueryBuilder("missing", query))
                .get(),
        "not mapped");
    assertBadRequest(
        () ->
            client()
                .prepareSearch("pages")
                .setQuery(new LateInteractionQueryBuilder(RandomPages.FIELD, query).budget(3, 4))
                .get(),
        "budget");
    assertBadRequest(
        () ->
            client()
                .prepareSearch("pages")
                .setQuery(
                    new LateInteractionQueryBuilder(RandomPages.FIELD, query).k(10).prune(1, 1, 5))
                .get(),
        "prune keep must be at least k (10), got 5");
    assertBadRequest(
        () ->
            client()
                .prepareSearch("pages")
                .setQuery(QueryBuilders.termQuery(RandomPages.FIELD, "x"))
                .get(),
        "late_interaction");
  }

  public void testQueryVectorsAreBoundedPerIndex() throws Exception {
    assertAcked(
        prepareCreate("bounded")
            .setSettings(
                Settings.builder()
                    .put(METAEMBED)
                    .put(MetaEmbedSettings.MAX_QUERY_VECTORS.getKey(), 3))
            .setMapping(RandomPages.mapping(VectorStorage.FLOAT32)));
    assertAcked(
        prepareCreate("defaulted")
            .setSettings(METAEMBED)
            .setMapping(RandomPages.mapping(VectorStorage.FLOAT32)));
    for (String index : List.of("bounded", "defaulted")) {
      client()
          .prepareIndex(index)
          .setId("1")
          .setSource(RandomPages.source(RandomPages.generate(random(), 1).get(0)))
          .get();
      refresh(index);
    }
    assertEquals(
        1,
        client()
            .prepareSearch("bounded")
            .setQuery(
                new LateInteractionQueryBuilder(
                    RandomPages.FIELD, RandomPages.queryVectors(random(), 3)))
            .get()
            .getHits()
            .getHits()
            .length);
    assertBadRequest(
        () ->
            client()
                .prepareSearch("bounded")
                .setQuery(
                    new LateInteractionQueryBuilder(
                        RandomPages.FIELD, RandomPages.queryVectors(random(), 4)))
                .get(),
        "has 4 query vectors, more than the 3 that [index.metaembed.max_query_vectors] allows for index [bounded]");
    int defaultMax = MetaEmbedSettings.DEFAULT_MAX_QUERY_VECTORS;
    assertEquals(
        1,
        client()
            .prepareSearch("defaulted")
            .setQuery(
                new LateInteractionQueryBuilder(
                    RandomPages.FIELD, RandomPages.queryVectors(random(), defaultMax)))
            .get()
            .getHits()
            .getHits()
            .length);
    assertBadRequest(
        () ->
            client()
                .prepareSearch("defaulted")
                .setQuery(
                    new LateInteractionQueryBuilder(
                        RandomPages.FIELD, RandomPages.queryVectors(random(), defaultMax + 1)))
                .get(),
        "more than the " + defaultMax);
    // dynamic: raising the bound takes effect on the next search
    assertAcked(
        client()
            .admin()
            .indices()
            .prepareUpdateSettings("bounded")
            .setSettings(Settings.builder().put(MetaEmbedSettings.MAX_QUERY_VECTORS.getKey(), 4)));
    assertEquals(
        1,
        client()
            .prepareSearch("bounded")
            .setQuery(
                new LateInteractionQueryBuilder(
                    RandomPages.FIELD, RandomPages.queryVectors(random(), 4)))
            .get()
            .getHits()
            .getHits()
            .length);
    assertBadRequest(
        () ->
            prepareCreate("zero")
                .setSettings(
                    Settings.builder()
                        .put(METAEMBED)
                        .put(MetaEmbedSettings.MAX_QUERY_VECTORS.getKey(), 0))
                .get(),
        "max_query_vectors");
  }

  /**
   * A shrink, split or clone may not change {@code index.metaembed}: a 400 naming the setting
   * instead of a target whose shards never recover. Leaving it out keeps the source's value.
   */
  public void testResizeKeepsIndexMetaEmbed() throws Exception {
    assertAcked(
        prepareCreate("source")
            .setSettings(Settings.builder().put(METAEMBED).put("index.number_of_shards", 1))
            .setMapping(RandomPages.mapping(VectorStorage.FLOAT32)));
    client()
        .prepareIndex("source")
        .setId("1")
        .setSource(RandomPages.source(RandomPages.generate(random(), 1).get(0)))
        .get();
    assertAcked(
        client()
            .admin()
            .indices()
            .prepareUpdateSettings("source")
            .setSettings(Settings.builder().put("index.blocks.write", true)));
    ResizeType type = randomFrom(ResizeType.SPLIT, ResizeType.CLONE);
    int shards = type == ResizeType.SPLIT ? 2 : 1;
    assertBadRequest(
        () ->
            client()
                .admin()
                .indices()
                .prepareResizeIndex("source", "changed")
                .setResizeType(type)
                .setSettings(
                    Settings.builder()
                        .put("index.number_of_shards", shards)
                        .put("index.number_of_replicas", 0)
                        .put(MetaEmbedSettings.INDEX_METAEMBED.getKey(), false)
                        .putNull("index.blocks.write")
                        .build())
                .get(),
        "[index.metaembed] cannot change when an index is resized: [source] has [true], so [changed] must too");
    assertFalse(indexExists("changed"));
    assertAcked(
        client()
            .admin()
            .indices()
            .prepareResizeIndex("source", "kept")
            .setResizeType(type)
            .setSettings(
                Settings.builder()
                    .put("index.number_of_shards", shards)
                    .put("index.number_of_replicas", 0)
                    .putNull("index.blocks.write")
                    .build())
            .get());
    ensureGreen("kept");
    assertEquals(
        "true",
        client()
            .admin()
            .indices()
            .prepareGetSettings("kept")
            .get()
            .getSetting("kept", MetaEmbedSettings.INDEX_METAEMBED.getKey()));
    assertEquals(
        1,
        client()
            .prepareSearch("kept")
            .setQuery(
                new LateInteractionQueryBuilder(
                    RandomPages.FIELD, RandomPages.queryVectors(random(), 2)))
            .get()
            .getHits()
            .getHits()
            .length);
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> pageMapping(String index) {
    Map<String, Object> source =
        client()
            .admin()
            .indices()
            .prepareGetMappings(index)
            .get()
            .mappings()
            .get(index)
            .sourceAsMap();
    return (Map<String, Object>) ((Map<String, Object>) source.get("properties")).get("page");
  }

  private static List<Float> toList(float[] vector) {
    Float[] boxed = new Float[vector.length];
    for (int i = 0; i < vector.length; i++) {
      boxed[i] = vector[i];
    }
    return List.of(boxed);
  }

  private static List<Object> withNaN(float[] vector) {
    List<Object> values = new java.util.ArrayList<>(toList(vector));
    values.set(3, "NaN");
    return values;
  }
}
