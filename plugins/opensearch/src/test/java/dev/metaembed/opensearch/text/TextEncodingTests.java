package dev.metaembed.opensearch.text;

import static dev.metaembed.opensearch.BadRequests.assertBadRequest;
import static org.opensearch.test.hamcrest.OpenSearchAssertions.assertAcked;
import static org.opensearch.test.hamcrest.OpenSearchAssertions.assertNoFailures;

import dev.metaembed.encoder.BuiltinModel;
import dev.metaembed.encoder.MetaEmbedEncoder;
import dev.metaembed.opensearch.LateInteractionQueryBuilder;
import dev.metaembed.opensearch.MetaEmbedPlugin;
import dev.metaembed.opensearch.MetaEmbedSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.lucene.tests.util.LuceneTestCase.SuppressCodecs;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.opensearch.ExceptionsHelper;
import org.opensearch.action.bulk.BulkItemResponse;
import org.opensearch.action.bulk.BulkRequestBuilder;
import org.opensearch.action.bulk.BulkResponse;
import org.opensearch.action.ingest.SimulateDocumentBaseResult;
import org.opensearch.action.ingest.SimulatePipelineResponse;
import org.opensearch.action.search.SearchResponse;
import org.opensearch.common.settings.Settings;
import org.opensearch.core.common.bytes.BytesArray;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.core.xcontent.MediaTypeRegistry;
import org.opensearch.env.Environment;
import org.opensearch.plugins.Plugin;
import org.opensearch.search.SearchHit;
import org.opensearch.test.OpenSearchIntegTestCase;
import org.opensearch.test.OpenSearchIntegTestCase.ClusterScope;
import org.opensearch.test.OpenSearchIntegTestCase.Scope;

/**
 * Text in and out of an in-JVM cluster (2 data nodes, 3 shards): the {@code metaembed_encode}
 * processor writes exactly the vectors the encoder gives, bad documents fail alone with a 400,
 * {@code query_text} scores exactly as {@code query_vectors} with the encoder's query vectors and
 * is encoded once per request, models are named safely, and {@code _cat/metaembed} counts.
 */
@ClusterScope(scope = Scope.SUITE, numDataNodes = 2, numClientNodes = 0)
@SuppressCodecs("*")
public class TextEncodingTests extends OpenSearchIntegTestCase {
  private static final String INDEX = "pages";
  private static final String PIPELINE = "encode";
  private static final List<String[]> PAGES =
      List.of(
          new String[] {"ls", "list directory contents, sorted alphabetically by default"},
          new String[] {"cp", "copy files and directories from a source to a destination"},
          new String[] {"mv", "move (rename) files"},
          new String[] {"rm", "remove files or directories"},
          new String[] {"grep", "print lines that match patterns in each file"},
          new String[] {"tar", "an archiving utility: store, list or extract files in an archive"},
          new String[] {"ssh", "OpenSSH remote login client"},
          new String[] {"chmod", "change file mode bits"},
          new String[] {"", "a page without a title that talks about disk usage of files"});

  private static MetaEmbedEncoder reference;

  @BeforeClass
  public static void loadReference() throws IOException {
    reference = MetaEmbedEncoder.loadDefault();
  }

  @AfterClass
  public static void closeReference() {
    reference.close();
    reference = null;
  }

  @Override
  protected Collection<Class<? extends Plugin>> nodePlugins() {
    return List.of(MetaEmbedPlugin.class);
  }

  public void testPipelineWritesTheEncodersVectorsAndFailsBadDocumentsAlone() throws Exception {
    createIndexAndPipeline(null);
    BulkRequestBuilder bulk = client().prepareBulk();
    for (int i = 0; i < PAGES.size(); i++) {
      bulk.add(
          client().prepareIndex(INDEX).setPipeline(PIPELINE).setId("p" + i).setSource(page(i)));
    }
    bulk.add(
        client()
            .prepareIndex(INDEX)
            .setPipeline(PIPELINE)
            .setId("missing")
            .setSource(Map.of("title", "x")));
    bulk.add(
        client()
            .prepareIndex(INDEX)
            .setPipeline(PIPELINE)
            .setId("number")
            .setSource(Map.of("text", 42)));
    bulk.add(
        client()
            .prepareIndex(INDEX)
            .setPipeline(PIPELINE)
            .setId("blank")
            .setSource(Map.of("text", "  ")));
    BulkResponse response = bulk.setRefreshPolicy("true").get();

    Map<String, BulkItemResponse> items = new java.util.HashMap<>();
    for (BulkItemResponse item : response.getItems()) {
      items.put(item.getId(), item);
    }
    assertFailed(items.get("missing"), "[text] is missing");
    assertFailed(items.get("number"), "[text] must be a string, got [Integer]");
    assertFailed(items.get("blank"), "is blank: nothing to encode");
    for (int i = 0; i < PAGES.size(); i++) {
      assertFalse(items.get("p" + i).getFailureMessage(), items.get("p" + i).isFailed());
      Map<String, Object> source = client().prepareGet(INDEX, "p" + i).get().getSourceAsMap();
      float[][] expected = reference.encodeDocument(documentText(i));
      assertVectorsEqual("p" + i, expected, source.get("page"));
    }
    for (String id : List.of("missing", "number", "blank")) {
      assertFalse(id + " was indexed", client().prepareGet(INDEX, id).get().isExists());
    }
    assertEquals(
        PAGES.size(),
        client().prepareSearch(INDEX).setSize(0).get().getHits().getTotalHits().value());
  }

  public void testSingleDocumentsAndIgnoreMissing() throws Exception {
    createIndexAndPipeline(null);
    client().prepareIndex(INDEX).setPipeline(PIPELINE).setId("one").setSource(page(0)).get();
    Map<String, Object> source = client().prepareGet(INDEX, "one").get().getSourceAsMap();
    assertVectorsEqual("one", reference.encodeDocument(documentText(0)), source.get("page"));
    assertBadRequest(
        () ->
            client()
                .prepareIndex(INDEX)
                .setPipeline(PIPELINE)
                .setId("two")
                .setSource(Map.of("text", List.of("a", "b")))
                .get(),
        "must be a string");
    assertFalse(client().prepareGet(INDEX, "two").get().isExists());

    String lenient =
        "{\"processors\": [{\"metaembed_encode\": {\"field\": \"text\", \"target_field\":"
            + " \"page\", \"ignore_missing\": true}}]}";
    assertAcked(
        client()
            .admin()
            .cluster()
            .preparePutPipeline("lenient", new BytesArray(lenient), MediaTypeRegistry.JSON)
            .get());
    client()
        .prepareIndex(INDEX)
        .setPipeline("lenient")
        .setId("untitled")
        .setSource(Map.of("title", "no text"))
        .get();
    Map<String, Object> untouched = client().prepareGet(INDEX, "untitled").get().getSourceAsMap();
    assertEquals(Map.of("title", "no text"), untouched);
    assertBadRequest(
        () ->
            client()
                .admin()
                .cluster()
                .preparePutPipeline(
                    "nofield",
                    new BytesArray(
                        "{\"processors\": [{\"metaembed_encode\": {\"target_field\": \"p\"}}]}"),
                    MediaTypeRegistry.JSON)
                .get(),
        "[field] required property is missing");
  }

  public void testQueryTextScoresAsTheEncodersQueryVectorsAndIsEncodedOncePerRequest()
      throws Exception {
    createIndexAndPipeline(null);
    indexPages();
    String text = "how do I copy a directory";
    float[][] vectors = reference.encodeQuery(text);
    for (int[] budget : new int[][] {{1, 1}, {4, 8}, {16, 64}}) {
      long before = totalStats().queries();
      SearchResponse byText =
          search(
              LateInteractionQueryBuilder.ofText("page", text)
                  .budget(budget[0], budget[1])
                  .exact(true));
      assertEquals("one encoding per request, not per shard", before + 1, totalStats().queries());
      SearchResponse byVectors =
          search(
              new LateInteractionQueryBuilder("page", vectors)
                  .budget(budget[0], budget[1])
                  .exact(true));
      assertSameHits(byVectors, byText);
      assertEquals(
          "cp", PAGES.get(Integer.parseInt(byText.getHits().getAt(0).getId().substring(1)))[0]);
    }
    assertBadRequest(
        () -> search(LateInteractionQueryBuilder.ofText("page", text).budget(17, 64)), "17");
  }

  public void testModelsAreNamedSafelyAndFolderModelsLoadFromTheConfigDirectory() throws Exception {
    createIndexAndPipeline(null);
    indexPages();
    for (String bad : List.of("../../etc", "/tmp/model", ".hidden", "builtin:pooled-minilm")) {
      assertBadRequest(
          () ->
              client()
                  .admin()
                  .cluster()
                  .preparePutPipeline("bad", pipeline(bad), MediaTypeRegistry.JSON)
                  .get(),
          "model [" + bad + "]");
      assertBadRequest(
          () -> search(LateInteractionQueryBuilder.ofText("page", "copy").model(bad)),
          "model [" + bad + "]");
    }
    Exception missing =
        expectThrows(
            Exception.class,
            () -> search(LateInteractionQueryBuilder.ofText("page", "copy").model("absent")));
    assertTrue(
        ExceptionsHelper.detailedMessage(missing),
        ExceptionsHelper.detailedMessage(missing).contains("no folder"));

    // the built-in model's files, linked into every node's config/metaembed/models/copy
    Path builtin = BuiltinModel.DEFAULT.directory();
    java.util.Set<Path> folders = new java.util.HashSet<>(); // nodes may share a config dir
    for (String node : internalCluster().getNodeNames()) {
      folders.add(
          internalCluster()
              .getInstance(Environment.class, node)
              .configDir()
              .resolve(ModelReference.MODELS_FOLDER)
              .resolve("copy"));
    }
    for (Path folder : folders) {
      Files.createDirectories(folder);
      try (Stream<Path> files = Files.list(builtin)) {
        for (Path file : files.toList()) {
          Files.createSymbolicLink(
              folder.resolve(file.getFileName().toString()),
              folder.getFileSystem().getPath(file.toString()));
        }
      }
    }
    SearchResponse byFolder =
        search(LateInteractionQueryBuilder.ofText("page", "copy files").model("copy").exact(true));
    SearchResponse byBuiltin =
        search(LateInteractionQueryBuilder.ofText("page", "copy files").exact(true));
    assertSameHits(byBuiltin, byFolder);
    assertTrue(totalStats().loadedModels().contains("copy"));
  }

  public void testBatchSizeSettingCutsBulksIntoBatches() throws Exception {
    createIndexAndPipeline(null);
    try {
      assertAcked(
          client()
              .admin()
              .cluster()
              .prepareUpdateSettings()
              .setTransientSettings(
                  Settings.builder().put(MetaEmbedSettings.MAX_BATCH_SIZE.getKey(), 4)));
      EncodingStats.Snapshot before = totalStats();
      indexPages();
      EncodingStats.Snapshot after = totalStats();
      assertEquals(PAGES.size(), after.documents() - before.documents());
      assertEquals(
          "9 documents in batches of 4",
          (PAGES.size() + 3) / 4,
          after.inferences() - before.inferences());
    } finally {
      client()
          .admin()
          .cluster()
          .prepareUpdateSettings()
          .setTransientSettings(
              Settings.builder().putNull(MetaEmbedSettings.MAX_BATCH_SIZE.getKey()))
          .get();
    }
  }

  public void testSimulateShowsTheVectors() throws Exception {
    createIndexAndPipeline(null);
    String body =
        "{\"pipeline\": {\"processors\": [{\"metaembed_encode\": {\"field\": \"text\","
            + " \"target_field\": \"page\", \"title_field\": \"title\"}}]},"
            + " \"docs\": [{\"_source\": {\"title\": \"ls\", \"text\": \"list directory contents\"}}]}";
    SimulatePipelineResponse response =
        client()
            .admin()
            .cluster()
            .prepareSimulatePipeline(new BytesArray(body), MediaTypeRegistry.JSON)
            .get();
    SimulateDocumentBaseResult result = (SimulateDocumentBaseResult) response.getResults().get(0);
    assertNull(result.getFailure());
    assertVectorsEqual(
        "simulated",
        reference.encodeDocument("ls. list directory contents"),
        result.getIngestDocument().getSourceAndMetadata().get("page"));
  }

  private void createIndexAndPipeline(String model) {
    if (indexExists(INDEX)) {
      assertAcked(client().admin().indices().prepareDelete(INDEX));
    }
    assertAcked(
        prepareCreate(INDEX)
            .setSettings(
                Settings.builder()
                    .put(MetaEmbedSettings.INDEX_METAEMBED.getKey(), true)
                    .put("index.number_of_shards", 3)
                    .put("index.number_of_replicas", 0))
            .setMapping(
                Map.of(
                    "properties",
                    Map.of(
                        "page",
                        Map.of(
                            "type",
                            "metaembed_vector",
                            "dims",
                            reference.dimension(),
                            "max_vectors",
                            reference.documentVectors(),
                            "similarity",
                            "dot_product")))));
    assertAcked(
        client()
            .admin()
            .cluster()
            .preparePutPipeline(PIPELINE, pipeline(model), MediaTypeRegistry.JSON)
            .get());
    ensureGreen(INDEX);
  }

  private static BytesArray pipeline(String model) {
    String modelOption = model == null ? "" : ", \"model\": \"" + model + "\"";
    return new BytesArray(
        ("{\"processors\": [{\"metaembed_encode\": {\"field\": \"text\", \"title_field\":"
                + " \"title\", \"target_field\": \"page\""
                + modelOption
                + "}}]}")
            .getBytes(StandardCharsets.UTF_8));
  }

  private void indexPages() {
    BulkRequestBuilder bulk = client().prepareBulk().setRefreshPolicy("true");
    for (int i = 0; i < PAGES.size(); i++) {
      bulk.add(
          client().prepareIndex(INDEX).setPipeline(PIPELINE).setId("p" + i).setSource(page(i)));
    }
    BulkResponse response = bulk.get();
    assertFalse(response.buildFailureMessage(), response.hasFailures());
  }

  private static Map<String, Object> page(int i) {
    String title = PAGES.get(i)[0];
    return title.isEmpty()
        ? Map.of("text", PAGES.get(i)[1])
        : Map.of("title", title, "text", PAGES.get(i)[1]);
  }

  private static String documentText(int i) {
    String title = PAGES.get(i)[0];
    return title.isEmpty() ? PAGES.get(i)[1] : title + ". " + PAGES.get(i)[1];
  }

  private SearchResponse search(LateInteractionQueryBuilder query) {
    SearchResponse response =
        client().prepareSearch(INDEX).setQuery(query).setSize(PAGES.size()).get();
    assertNoFailures(response);
    return response;
  }

  private EncodingStats.Snapshot totalStats() {
    EncodingStatsAction.NodesResponse response =
        client()
            .execute(EncodingStatsAction.INSTANCE, new EncodingStatsAction.NodesRequest())
            .actionGet();
    assertFalse(response.failures().toString(), response.hasFailures());
    assertEquals(internalCluster().size(), response.getNodes().size());
    long documents = 0, queries = 0, inferences = 0, failures = 0, millis = 0;
    java.util.Set<String> models = new java.util.TreeSet<>();
    for (EncodingStatsAction.NodeResponse node : response.getNodes()) {
      EncodingStats.Snapshot s = node.stats();
      documents += s.documents();
      queries += s.queries();
      inferences += s.inferences();
      failures += s.failures();
      millis += s.millis();
      models.addAll(s.loadedModels());
    }
    return new EncodingStats.Snapshot(
        documents, queries, inferences, failures, millis, List.copyOf(models));
  }

  private static void assertSameHits(SearchResponse expected, SearchResponse actual) {
    assertEquals(expected.getHits().getHits().length, actual.getHits().getHits().length);
    for (int i = 0; i < expected.getHits().getHits().length; i++) {
      SearchHit e = expected.getHits().getAt(i);
      SearchHit a = actual.getHits().getAt(i);
      assertEquals("hit " + i, e.getId(), a.getId());
      assertEquals("score of " + e.getId(), e.getScore(), a.getScore(), 0f);
    }
  }

  @SuppressWarnings("unchecked")
  private static void assertVectorsEqual(String what, float[][] expected, Object actual) {
    List<List<Number>> vectors = (List<List<Number>>) actual;
    assertEquals(what + ": vectors", expected.length, vectors.size());
    for (int v = 0; v < expected.length; v++) {
      assertEquals(what + ": dims", expected[v].length, vectors.get(v).size());
      for (int c = 0; c < expected[v].length; c++) {
        assertEquals(
            what + " vector " + v + "[" + c + "]",
            expected[v][c],
            vectors.get(v).get(c).floatValue(),
            0f);
      }
    }
  }

  private static void assertFailed(BulkItemResponse item, String messagePart) {
    assertTrue(item.getId() + " should fail", item.isFailed());
    assertEquals(item.getFailureMessage(), RestStatus.BAD_REQUEST, item.status());
    assertTrue(item.getFailureMessage(), item.getFailureMessage().contains(messagePart));
  }
}
