package dev.metaembed.opensearch;

import static org.opensearch.test.hamcrest.OpenSearchAssertions.assertAcked;
import static org.opensearch.test.hamcrest.OpenSearchAssertions.assertNoFailures;

import dev.metaembed.lucene.codec.MetaEmbedVectorValues;
import dev.metaembed.lucene.codec.MetaEmbedVectorsFormat;
import dev.metaembed.lucene.codec.VectorStorage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.tests.util.LuceneTestCase.SuppressCodecs;
import org.opensearch.action.bulk.BulkRequestBuilder;
import org.opensearch.action.search.SearchResponse;
import org.opensearch.common.settings.Settings;
import org.opensearch.index.IndexService;
import org.opensearch.index.engine.Engine;
import org.opensearch.index.query.QueryBuilder;
import org.opensearch.index.query.QueryBuilders;
import org.opensearch.index.shard.IndexShard;
import org.opensearch.indices.IndicesService;
import org.opensearch.plugins.Plugin;
import org.opensearch.search.SearchHit;
import org.opensearch.test.OpenSearchIntegTestCase;
import org.opensearch.test.OpenSearchIntegTestCase.ClusterScope;
import org.opensearch.test.OpenSearchIntegTestCase.Scope;

/**
 * The plugin in a real in-JVM OpenSearch cluster: 2 data nodes, 3 shards, 1 replica, a few
 * thousand random documents. Every result is compared with what a plain-Lucene {@code
 * LateInteractionQuery} in exact mode returns over the same documents; a node restart must not
 * change any result.
 */
@ClusterScope(scope = Scope.TEST, numDataNodes = 2, numClientNodes = 0)
@SuppressCodecs(
    "*") // the index picks one of OpenSearch's codecs at random, never a Lucene test codec
public class LateInteractionClusterTests extends OpenSearchIntegTestCase {
  private static final int DOCS = 3000;
  private static final int K = 10;
  private static final int[][] BUDGETS = {{1, 1}, {2, 4}, {4, 8}, {8, 8}};

  @Override
  protected Collection<Class<? extends Plugin>> nodePlugins() {
    return List.of(MetaEmbedPlugin.class);
  }

  public void testResultsEqualLuceneExactAcrossShardsAndRestarts() throws Exception {
    Random random = new Random(random().nextLong());
    VectorStorage storage = randomFrom(VectorStorage.values());
    logger.info("storage {}", storage);
    List<RandomPages.Page> pages = RandomPages.generate(random, DOCS);
    createPagesIndex(storage);
    indexPages(pages);

    List<float[][]> queries = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      queries.add(RandomPages.queryVectors(random, 8));
    }
    checkShardsUseTheMetaEmbedFormat();
    try (LuceneReference reference = new LuceneReference(pages, storage)) {
      Map<String, Map<String, Float>> before = checkAgainstReference(queries, reference);
      checkApproximateSearch(queries.get(0), reference);
      checkHybridBool(queries.get(0), reference);
      checkExplain(queries.get(0));

      internalCluster().restartRandomDataNode();
      ensureGreen(RandomPages.INDEX);
      Map<String, Map<String, Float>> after = checkAgainstReference(queries, reference);
      assertEquals(before.keySet(), after.keySet());
      for (String key : before.keySet()) {
        // a copy's segments differ, and the kernel may round the last bit differently per batch
        assertSameHits("after restart, " + key, before.get(key), after.get(key));
      }
    }
  }

  private void createPagesIndex(VectorStorage storage) {
    Settings settings =
        Settings.builder()
            .put(MetaEmbedSettings.INDEX_METAEMBED.getKey(), true)
            .put("index.number_of_shards", 3)
            .put("index.number_of_replicas", 1)
            .build();
    assertAcked(
        prepareCreate(RandomPages.INDEX)
            .setSettings(settings)
            .setMapping(RandomPages.mapping(storage)));
    ensureGreen(RandomPages.INDEX);
  }

  private void indexPages(List<RandomPages.Page> pages) throws Exception {
    for (int from = 0; from < pages.size(); from += 500) {
      BulkRequestBuilder bulk = client().prepareBulk();
      for (RandomPages.Page page : pages.subList(from, Math.min(pages.size(), from + 500))) {
        bulk.add(
            client()
                .prepareIndex(RandomPages.INDEX)
                .setId(page.id())
                .setSource(RandomPages.source(page)));
      }
      assertFalse(bulk.get().buildFailureMessage(), bulk.get().hasFailures());
      if (randomBoolean()) {
        refresh(RandomPages.INDEX); // several segments per shard
      }
    }
    refresh(RandomPages.INDEX);
    assertEquals(
        pages.size(),
        client()
            .prepareSearch(RandomPages.INDEX)
            .setSize(0)
            .get()
            .getHits()
            .getTotalHits()
            .value());
  }

  /**
   * Every shard copy writes the field with the MetaEmbed format (recorded per field), and the
   * query reads it through OpenSearch's reader wrappers on the format's own fast path.
   */
  private void checkShardsUseTheMetaEmbedFormat() throws IOException {
    int leaves = 0;
    for (IndicesService indices : internalCluster().getInstances(IndicesService.class)) {
      for (IndexService index : indices) {
        for (IndexShard shard : index) {
          try (Engine.Searcher searcher = shard.acquireSearcher("test")) {
            for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
              FieldInfo info = leaf.reader().getFieldInfos().fieldInfo(RandomPages.FIELD);
              assertEquals(
                  MetaEmbedVectorsFormat.NAME,
                  info.getAttribute(PerFieldKnnVectorsFormat.PER_FIELD_FORMAT_KEY));
              MetaEmbedVectorValues values =
                  MetaEmbedVectorValues.get(leaf.reader(), RandomPages.FIELD);
              assertEquals("OffHeapMetaEmbedVectorValues", values.getClass().getSimpleName());
              leaves++;
            }
          }
        }
      }
    }
    assertTrue("segments seen: " + leaves, leaves >= 6); // 3 shards × 2 copies
  }

  /** Exact search, every budget, with and without a filter: hits equal the Lucene reference. */
  private Map<String, Map<String, Float>> checkAgainstReference(
      List<float[][]> queries, LuceneReference reference) throws Exception {
    Map<String, Map<String, Float>> results = new LinkedHashMap<>();
    for (int q = 0; q < queries.size(); q++) {
      for (int[] budget : BUDGETS) {
        for (String lang : new String[] {null, "en"}) {
          LateInteractionQueryBuilder query =
              new LateInteractionQueryBuilder(RandomPages.FIELD, queries.get(q))
                  .k(K)
                  .budget(budget[0], budget[1])
                  .exact(true);
          if (lang != null) {
            query.filter(QueryBuilders.termQuery("lang", lang));
          }
          Map<String, Float> got = search(query, K);
          Map<String, Float> want =
              reference.exactTopK(queries.get(q), budget[0], budget[1], K, lang);
          assertSameHits(
              "query " + q + " budget " + budget[0] + "," + budget[1] + " lang " + lang, want, got);
          results.put(q + "/" + budget[0] + "," + budget[1] + "/" + lang, got);
        }
      }
    }
    return results;
  }

  /** Graph candidates: every hit is a real document with its true score; recall is high. */
  private void checkApproximateSearch(float[][] query, LuceneReference reference) throws Exception {
    Map<String, Float> got =
        search(
            new LateInteractionQueryBuilder(RandomPages.FIELD, query)
                .k(K)
                .budget(4, 8)
                .numCandidates(200),
            K);
    Map<String, Float> all = reference.exactTopK(query, 4, 8, DOCS, null);
    Map<String, Float> want = reference.exactTopK(query, 4, 8, K, null);
    assertEquals(K, got.size());
    int found = 0;
    for (Map.Entry<String, Float> hit : got.entrySet()) {
      assertEquals("true score of " + hit.getKey(), all.get(hit.getKey()), hit.getValue(), 1e-5f);
      found += want.containsKey(hit.getKey()) ? 1 : 0;
    }
    logger.info("approximate recall@{} {}/{}", K, found, K);
    assertTrue("recall " + found + "/" + K, found >= K - 2);
    // the prune cascade: hits still carry their true (4,8) scores, on every shard
    Map<String, Float> pruned =
        search(
            new LateInteractionQueryBuilder(RandomPages.FIELD, query)
                .k(K)
                .budget(4, 8)
                .numCandidates(200)
                .prune(1, 2, 2 * K),
            K);
    assertEquals(K, pruned.size());
    for (Map.Entry<String, Float> hit : pruned.entrySet()) {
      assertEquals(
          "true score of pruned hit " + hit.getKey(), all.get(hit.getKey()), hit.getValue(), 1e-5f);
    }
  }

  /** Inside bool with a match clause: hits keep their late-interaction score plus the match part. */
  private void checkHybridBool(float[][] query, LuceneReference reference) throws Exception {
    LateInteractionQueryBuilder late =
        new LateInteractionQueryBuilder(RandomPages.FIELD, query).k(K).exact(true);
    QueryBuilder hybrid =
        QueryBuilders.boolQuery().must(late).should(QueryBuilders.matchQuery("title", "grep"));
    SearchResponse response =
        client().prepareSearch(RandomPages.INDEX).setQuery(hybrid).setSize(3 * K).get();
    assertNoFailures(response);
    Map<String, Float> all = reference.exactTopK(query, 8, RandomPages.MAX_VECTORS, DOCS, null);
    assertTrue(response.getHits().getHits().length > 0);
    assertTrue(response.getHits().getTotalHits().value() <= 3L * K); // each shard's top k at most
    for (SearchHit hit : response.getHits()) {
      float lateScore = all.get(hit.getId());
      boolean matches = ((String) hit.getSourceAsMap().get("title")).contains("grep");
      if (matches) {
        assertTrue(
            hit.getId() + " " + hit.getScore() + " vs " + lateScore,
            hit.getScore() > lateScore + 1e-4f);
      } else {
        assertEquals(hit.getId(), lateScore, hit.getScore(), 1e-5f);
      }
    }
  }

  private void checkExplain(float[][] query) {
    SearchResponse response =
        client()
            .prepareSearch(RandomPages.INDEX)
            .setQuery(
                new LateInteractionQueryBuilder(RandomPages.FIELD, query)
                    .k(K)
                    .budget(2, 4)
                    .exact(true))
            .setExplain(true)
            .setSize(3)
            .get();
    assertNoFailures(response);
    for (SearchHit hit : response.getHits()) {
      assertTrue(hit.getExplanation().isMatch());
      assertEquals(hit.getScore(), hit.getExplanation().getValue().floatValue(), 1e-6f);
      assertTrue(
          hit.getExplanation().toString(), hit.getExplanation().toString().contains("MaxSim"));
    }
  }

  private Map<String, Float> search(QueryBuilder query, int size) {
    SearchResponse response =
        client().prepareSearch(RandomPages.INDEX).setQuery(query).setSize(size).get();
    assertNoFailures(response);
    Map<String, Float> hits = new LinkedHashMap<>();
    for (SearchHit hit : response.getHits()) {
      hits.put(hit.getId(), hit.getScore());
    }
    return hits;
  }

  private static void assertSameHits(String what, Map<String, Float> want, Map<String, Float> got) {
    assertEquals(what + ": ids", new ArrayList<>(want.keySet()), new ArrayList<>(got.keySet()));
    for (Map.Entry<String, Float> hit : want.entrySet()) {
      assertEquals(
          what + ": score of " + hit.getKey(), hit.getValue(), got.get(hit.getKey()), 1e-5f);
    }
  }
}
