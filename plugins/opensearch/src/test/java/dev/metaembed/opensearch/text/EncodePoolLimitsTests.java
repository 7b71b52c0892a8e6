package dev.metaembed.opensearch.text;

import static org.opensearch.test.hamcrest.OpenSearchAssertions.assertAcked;

import dev.metaembed.opensearch.MetaEmbedPlugin;
import dev.metaembed.opensearch.MetaEmbedSettings;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.lucene.tests.util.LuceneTestCase.SuppressCodecs;
import org.opensearch.action.bulk.BulkItemResponse;
import org.opensearch.action.bulk.BulkRequestBuilder;
import org.opensearch.action.bulk.BulkResponse;
import org.opensearch.common.settings.Settings;
import org.opensearch.core.common.bytes.BytesArray;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.core.xcontent.MediaTypeRegistry;
import org.opensearch.plugins.Plugin;
import org.opensearch.test.OpenSearchIntegTestCase;
import org.opensearch.test.OpenSearchIntegTestCase.ClusterScope;
import org.opensearch.test.OpenSearchIntegTestCase.Scope;

/**
 * The {@code metaembed_encode} pool is bounded: with one thread, a queue of one and batches of one
 * document, a bulk of 8 documents submits 8 encodings while the first one still loads the model,
 * so most are rejected. Each rejected document fails alone with a 429 and is not indexed; the
 * others (at least the first, which runs) are indexed.
 */
@ClusterScope(scope = Scope.TEST, numDataNodes = 1, numClientNodes = 0)
@SuppressCodecs("*")
public class EncodePoolLimitsTests extends OpenSearchIntegTestCase {
  private static final int DOCS = 8;

  @Override
  protected Collection<Class<? extends Plugin>> nodePlugins() {
    return List.of(MetaEmbedPlugin.class);
  }

  @Override
  protected Settings nodeSettings(int nodeOrdinal) {
    return Settings.builder()
        .put(super.nodeSettings(nodeOrdinal))
        .put("thread_pool." + TextEncoders.THREAD_POOL + ".size", 1)
        .put("thread_pool." + TextEncoders.THREAD_POOL + ".queue_size", 1)
        .put(MetaEmbedSettings.MAX_BATCH_SIZE.getKey(), 1)
        .build();
  }

  public void testAFullQueueRejectsDocumentsAloneWith429() {
    assertAcked(
        prepareCreate("pages")
            .setSettings(
                Settings.builder()
                    .put(MetaEmbedSettings.INDEX_METAEMBED.getKey(), true)
                    .put("index.number_of_replicas", 0))
            .setMapping(
                Map.of(
                    "properties",
                    Map.of("page", Map.of("type", "metaembed_vector", "dims", 384)))));
    String pipeline =
        "{\"processors\": [{\"metaembed_encode\": {\"field\": \"text\", \"target_field\":"
            + " \"page\"}}]}";
    assertAcked(
        client()
            .admin()
            .cluster()
            .preparePutPipeline(
                "encode",
                new BytesArray(pipeline.getBytes(StandardCharsets.UTF_8)),
                MediaTypeRegistry.JSON)
            .get());
    BulkRequestBuilder bulk = client().prepareBulk().setRefreshPolicy("true");
    for (int i = 0; i < DOCS; i++) {
      bulk.add(
          client()
              .prepareIndex("pages")
              .setPipeline("encode")
              .setId("d" + i)
              .setSource(Map.of("text", "page number " + i)));
    }
    BulkResponse response = bulk.get();
    int rejected = 0;
    for (BulkItemResponse item : response.getItems()) {
      boolean exists = client().prepareGet("pages", item.getId()).get().isExists();
      if (item.isFailed()) {
        rejected++;
        assertEquals(item.getFailureMessage(), RestStatus.TOO_MANY_REQUESTS, item.status());
        assertTrue(item.getFailureMessage(), item.getFailureMessage().contains("rejected"));
        assertFalse(item.getId() + " failed but was indexed", exists);
      } else {
        assertTrue(item.getId() + " succeeded but is missing", exists);
      }
    }
    logger.info("{} of {} documents rejected", rejected, DOCS);
    // at most the running batch and the queued one get through while the model loads
    assertTrue("rejected " + rejected + " of " + DOCS, rejected >= DOCS - 2);
    assertTrue("the first batch runs: rejected " + rejected + " of " + DOCS, rejected < DOCS);
    assertEquals(
        DOCS - rejected,
        client().prepareSearch("pages").setSize(0).get().getHits().getTotalHits().value());
  }
}
