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
        "{\"late_interaction\": {\"field\": \"page\", \"query_vectors\": [[1], 2]}}",
        "[query_vectors], vector 1: expected an array of numbers");
    assertParseError(
        "{\"late_interaction\": {\"field\": \"page\", \"query_vectors\": [[\"1\"]]}}",
        "[query_vectors], vector 0: expected a number, got VALUE_STRING");
    assertParseError(
        "{\"late_interaction\": {\"field\": \"page\", \"query_vectors\": 3}}", "query_vectors");
    assertParseError(
        "{\"late_interaction\": {\"field\": \"page\", \"query_vectors\": [[1]], \"size\": 3}}",
        "unknown field [size]");
    assertParseError(
        "{\"late_interaction\": {\"field\": \"page\", \"query_vectors\": [[1]], \"budget\": 3}}",
        "budget");
    assertParseError(
        "{\"late_interaction\": {\"field\": \"page\", \"query_vectors\": [[1]], \"budget\": {\"q\": 1}}}",
        "unknown field [q]");
    assertParseError(
        "{\"late_interaction\": {\"field\": \"page\", \"query_vectors\": [[1]], \"prune\": 3}}",
        "prune");
    assertParseError(
        "{\"late_interaction\": {\"field\": \"page\", \"query_vectors\": [[1]], \"prune\": {\"query\": 1, \"keep\": 9}}}",
        "all three");
    assertParseError(
        "{\"late_interaction\": {\"field\": \"page\", \"query_vectors\": [[1]], \"prune\": {\"top\": 1}}}",
        "unknown field [top]");
  }

  /** k, budgets, candidates, probes and prune are checked where the request is parsed. */
  public void testOptionsAreValidatedAtParseTime() {
    String head =
        "{\"late_interaction\": {\"field\": \"page\", \"query_vectors\": [[1, 0], [0, 1]], ";
    assertParseError(head + "\"k\": 0}}", "k must be at least 1, got 0");
    assertParseError(head + "\"budget\": {\"query\": 3, \"document\": 4}}}", "budget");
    assertParseError(head + "\"budget\": {\"query\": 1, \"document\": 0}}}", "budget");
    assertParseError(head + "\"num_candidates\": 0}}", "candidates must be at least 1, got 0");
    assertParseError(head + "\"probes\": 3}}", "probes must be in 1..2, got 3");
    assertParseError(
        head + "\"k\": 10, \"prune\": {\"query\": 1, \"document\": 1, \"keep\": 5}}}",
        "prune keep must be at least k (10), got 5");
    assertParseError(
        head + "\"exact\": true, \"prune\": {\"query\": 1, \"document\": 1, \"keep\": 50}}}",
        "prune is approximate");
    assertParseError(
        "{\"late_interaction\": {\"field\": \"page\", \"query_vectors\": [[1, 0], [1]]}}", "page");
  }

  /** Documents and queries follow one rule: a single vector is accepted for both. */
  public void testQueryTextRoundTripsAndIsChecked() throws IOException {
    LateInteractionQueryBuilder query =
        (LateInteractionQueryBuilder)
            parse(
                """
        {"late_interaction": {"field": "page", "query_text": "list directory contents",
          "model": "builtin:metaembed-minilm", "k": 5, "budget": {"query": 4, "document": 8}}}""");
    LateInteractionQueryBuilder expected =
        LateInteractionQueryBuilder.ofText("page", "list directory contents")
            .model("builtin:metaembed-minilm")
            .k(5)
            .budget(4, 8);
    assertEquals(expected, query);
    assertNull(query.queryVectors());
    LateInteractionQueryBuilder noModel =
        LateInteractionQueryBuilder.ofText("page", "copy files").budget(2, 4);
    for (LateInteractionQueryBuilder text : List.of(expected, noModel)) {
      assertEquals(text, parse(text.toString()));
      BytesStreamOutput out = new BytesStreamOutput();
      out.writeNamedWriteable(text);
      try (StreamInput in =
          new NamedWriteableAwareStreamInput(out.bytes().streamInput(), writeables)) {
        assertEquals(text, in.readNamedWriteable(QueryBuilder.class));
      }
    }
    assertNotEquals(expected, noModel);
    assertNotEquals(
        LateInteractionQueryBuilder.ofText("page", "a"),
        LateInteractionQueryBuilder.ofText("page", "b"));

    assertParseError(
        "{\"late_interaction\": {\"field\": \"page\", \"query_text\": \"a\","
            + " \"query_vectors\": [[1]]}}",
        "not both");
    assertParseError(
        "{\"late_interaction\": {\"field\": \"page\", \"query_text\": \" \"}}",
        "non-blank [query_text]");
    assertParseError(
        "{\"late_interaction\": {\"field\": \"page\", \"query_vectors\": [[1]],"
            + " \"model\": \"builtin:metaembed-minilm\"}}",
        "[model] goes with [query_text]");
    assertParseError(
        "{\"late_interaction\": {\"field\": \"page\", \"query_text\": \"a\","
            + " \"model\": \"../models/x\"}}",
        "a path is never accepted");
    assertParseError(
        "{\"late_interaction\": {\"field\": \"page\", \"query_text\": \"a\","
            + " \"model\": \"builtin:nope\"}}",
        "one built-in model");
    assertParseError(
        "{\"late_interaction\": {\"field\": \"page\", \"query_text\": \"a\", \"k\": 0}}", "k");
    // stand-in vectors check the options before encoding: a huge budget must not allocate them
    assertParseError(
        "{\"late_interaction\": {\"field\": \"page\", \"query_text\": \"a\","
            + " \"budget\": {\"query\": 2000000000}}}",
        "no query may have more than 4096");
  }

  public void testASingleVectorIsOneQueryVector() throws IOException {
    assertEquals(
        new LateInteractionQueryBuilder("page", new float[][] {{1f, 2f}}),
        parse("{\"late_interaction\": {\"field\": \"page\", \"query_vectors\": [1, 2]}}"));
  }

  private LateInteractionQueryBuilder randomQuery() {
    LateInteractionQueryBuilder query =
        RandomQueries.valid(random(), randomAlphaOfLength(5), 3, 64, "lang");
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
    // both are 400s: ObjectParser's XContentParseException and the validation's ParsingException
    boolean badRequest = false;
    for (Throwable t = e; t != null; t = t.getCause()) {
      badRequest |=
          t instanceof ParsingException
              || t instanceof org.opensearch.core.xcontent.XContentParseException;
    }
    assertTrue(e.toString(), badRequest);
    assertTrue(messagePart + " not in:" + all, all.toString().contains(messagePart));
  }
}
