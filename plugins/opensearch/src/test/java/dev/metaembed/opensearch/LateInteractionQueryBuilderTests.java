package dev.metaembed.opensearch;

import java.io.IOException;
import java.util.List;
import org.opensearch.common.io.stream.BytesStreamOutput;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.xcontent.json.JsonXContent;
import org.opensearch.core.common.ParsingException;
import org.opensearch.core.common.io.stream.NamedWriteableAwareStreamInput;
import org.opensearch.core.common.io.stream.NamedWriteableRegistry;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.xcontent.NamedXContentRegistry;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.query.QueryBuilder;
import org.opensearch.index.query.QueryBuilders;
import org.opensearch.search.SearchModule;
import org.opensearch.test.OpenSearchTestCase;

/** The query's JSON and wire forms: what is parsed is what is sent between nodes. */
public class LateInteractionQueryBuilderTests extends OpenSearchTestCase {
  private final SearchModule search =
      new SearchModule(Settings.EMPTY, List.of(new MetaEmbedPlugin()));
  private final NamedXContentRegistry xContent =
      new NamedXContentRegistry(search.getNamedXContents());
  private final NamedWriteableRegistry writeables =
      new NamedWriteableRegistry(search.getNamedWriteables());

  public void testParsesTheDocumentedForm() throws IOException {
    LateInteractionQueryBuilder query =
        (LateInteractionQueryBuilder)
            parse(
                """
        {"late_interaction": {"field": "page", "query_vectors": [[0.5, 0.5], [1, 0]], "k": 7,
          "budget": {"query": 2, "document": 8}, "num_candidates": 200,
          "prune": {"query": 1, "document": 2, "keep": 40},
          "filter": {"term": {"lang": "en"}}, "boost": 2.0, "_name": "li"}}""");
    LateInteractionQueryBuilder expected =
        new LateInteractionQueryBuilder("page", new float[][] {{0.5f, 0.5f}, {1f, 0f}})
            .k(7)
            .budget(2, 8)
            .numCandidates(200)
            .prune(1, 2, 40)
            .filter(QueryBuilders.termQuery("lang", "en"));
    expected.boost(2f).queryName("li");
    assertEquals(expected, query);
  }

  public void testJsonAndWireRoundTrips() throws IOException {
    for (int i = 0; i < 20; i++) {
      LateInteractionQueryBuilder query = randomQuery();
      assertEquals(query, parse(query.toString()));
      BytesStreamOutput out = new BytesStreamOutput();
      out.writeNamedWriteable(query);
      try (StreamInput in =
          new NamedWriteableAwareStreamInput(out.bytes().streamInput(), writeables)) {
        assertEquals(query, in.readNamedWriteable(QueryBuilder.class));
      }
    }
  }

  public void testFilterIsCombinedNotReplaced() {
    LateInteractionQueryBuilder query =
        new LateInteractionQueryBuilder("page", new float[][] {{1f}})
            .filter(QueryBuilders.termQuery("lang", "en"));
    query.filter(QueryBuilders.termQuery("year", 2020));
    assertEquals(
        QueryBuilders.boolQuery()
            .filter(QueryBuilders.termQuery("lang", "en"))
            .filter(QueryBuilders.termQuery("year", 2020)),
        query.filterQuery());
  }

  public void testBadQueriesAreRefusedWithTheirReason() {
    assertParseError("{\"late_interaction\": {\"query_vectors\": [[1]]}}", "requires [field]");
    assertParseError(
        "{\"late_interaction\": {\"field\": \"page\"}}", "requires a non-empty [query_vectors]");
    assertParseError(
        "{\"late_interaction\": {\"field\": \"page\", \"query_vectors\": []}}",
        "non-empty [query_vectors]");
    assertParseError(
        "{\"late_interaction\": {\"field\": \"page\", \"query_vectors\": [1, 2]}}",
        "not an array of numbers");
    assertParseError(
        "{\"late_interaction\": {\"field\": \"page\", \"query_vectors\": [[\"a\"]]}}",
        "not a number");
    assertParseError(
        "{\"late_interaction\": {\"field\": \"page\", \"query_vectors\": [[1]], \"size\": 3}}",
        "does not support [size]");
    assertParseError(
        "{\"late_interaction\": {\"field\": \"page\", \"query_vectors\": [[1]], \"budget\": 3}}",
        "[budget] takes an object");
    assertParseError(
        "{\"late_interaction\": {\"field\": \"page\", \"query_vectors\": [[1]], \"budget\": {\"q\": 1}}}",
        "[budget] does not support [q]");
    assertParseError(
        "{\"late_interaction\": {\"field\": \"page\", \"query_vectors\": [[1]], \"prune\": 3}}",
        "[prune] takes an object");
    assertParseError(
        "{\"late_interaction\": {\"field\": \"page\", \"query_vectors\": [[1]], \"prune\": {\"query\": 1, \"keep\": 9}}}",
        "all three");
    assertParseError(
        "{\"late_interaction\": {\"field\": \"page\", \"query_vectors\": [[1]], \"prune\": {\"top\": 1}}}",
        "[prune] does not support [top]");
  }

  private LateInteractionQueryBuilder randomQuery() {
    float[][] vectors = new float[1 + random().nextInt(4)][3];
    for (float[] vector : vectors) {
      for (int i = 0; i < vector.length; i++) {
        vector[i] = random().nextFloat() - 0.5f;
      }
    }
    LateInteractionQueryBuilder query =
        new LateInteractionQueryBuilder(randomAlphaOfLength(5), vectors)
            .k(1 + random().nextInt(50));
    if (randomBoolean()) {
      query.budget(1 + random().nextInt(vectors.length), 1 + random().nextInt(64));
    }
    if (randomBoolean()) {
      query.numCandidates(1 + random().nextInt(500));
    }
    if (randomBoolean()) {
      query.filter(QueryBuilders.termQuery("lang", randomAlphaOfLength(2)));
    }
    query.exact(randomBoolean()).probes(1 + random().nextInt(vectors.length));
    if (randomBoolean()) {
      query.prune(
          1 + random().nextInt(vectors.length), 1 + random().nextInt(8), 1 + random().nextInt(100));
    }
    if (randomBoolean()) {
      query.boost(1.5f).queryName("q");
    }
    return query;
  }

  private QueryBuilder parse(String json) throws IOException {
    try (XContentParser parser = JsonXContent.jsonXContent.createParser(xContent, null, json)) {
      return org.opensearch.index.query.AbstractQueryBuilder.parseInnerQueryBuilder(parser);
    }
  }

  private void assertParseError(String json, String messagePart) {
    Exception e = expectThrows(Exception.class, () -> parse(json));
    Throwable cause = e;
    StringBuilder all = new StringBuilder();
    while (cause != null) {
      all.append(' ').append(cause.getMessage());
      cause = cause.getCause();
    }
    assertTrue(e instanceof ParsingException || e.getCause() instanceof ParsingException);
    assertTrue(messagePart + " not in:" + all, all.toString().contains(messagePart));
  }
}
