package dev.metaembed.opensearch;

import dev.metaembed.opensearch.text.ModelReference;
import java.io.IOException;
import org.opensearch.core.ParseField;
import org.opensearch.core.common.ParsingException;
import org.opensearch.core.xcontent.ObjectParser;
import org.opensearch.core.xcontent.ObjectParser.ValueType;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.query.AbstractQueryBuilder;
import org.opensearch.index.query.QueryBuilder;

/**
 * Reads a {@code late_interaction} query from the query DSL (see {@link LateInteractionQueryBuilder})
 * with OpenSearch's {@link ObjectParser}, then checks every option that does not depend on the
 * field (k, budgets, candidates, probes, prune) where the request is parsed, with the same rules
 * the shards apply ({@link LateInteractionQueryBuilder#validate()}).
 */
final class LateInteractionQueryParser {
  static final ParseField FIELD = new ParseField("field");
  static final ParseField QUERY_VECTORS = new ParseField("query_vectors");
  static final ParseField QUERY_TEXT = new ParseField("query_text");
  static final ParseField MODEL = new ParseField("model");
  static final ParseField K = new ParseField("k");
  static final ParseField BUDGET = new ParseField("budget");
  static final ParseField BUDGET_QUERY = new ParseField("query");
  static final ParseField BUDGET_DOCUMENT = new ParseField("document");
  static final ParseField NUM_CANDIDATES = new ParseField("num_candidates");
  static final ParseField PROBES = new ParseField("probes");
  static final ParseField EXACT = new ParseField("exact");
  static final ParseField FILTER = new ParseField("filter");
  static final ParseField PRUNE = new ParseField("prune");
  static final ParseField PRUNE_KEEP = new ParseField("keep");

  private static final String NAME = LateInteractionQueryBuilder.NAME;
  private static final int UNSET = LateInteractionQueryBuilder.UNSET;

  /** {@code budget}: {query, document}. */
  private static final ObjectParser<int[], Void> BUDGET_PARSER =
      new ObjectParser<>("budget", () -> new int[] {UNSET, UNSET});

  /** {@code prune}: {query, document, keep}, all three. */
  private static final ObjectParser<int[], Void> PRUNE_PARSER =
      new ObjectParser<>("prune", () -> new int[] {UNSET, UNSET, UNSET});

  private static final ObjectParser<Options, Void> PARSER = new ObjectParser<>(NAME, Options::new);

  static {
    BUDGET_PARSER.declareInt((b, v) -> b[0] = v, BUDGET_QUERY);
    BUDGET_PARSER.declareInt((b, v) -> b[1] = v, BUDGET_DOCUMENT);
    PRUNE_PARSER.declareInt((p, v) -> p[0] = v, BUDGET_QUERY);
    PRUNE_PARSER.declareInt((p, v) -> p[1] = v, BUDGET_DOCUMENT);
    PRUNE_PARSER.declareInt((p, v) -> p[2] = v, PRUNE_KEEP);
    PARSER.declareString((o, v) -> o.field = v, FIELD);
    PARSER.declareField(
        (o, v) -> o.queryVectors = v,
        (p, c) -> VectorArrays.parse(p, "[" + NAME + "] [query_vectors]", Integer.MAX_VALUE),
        QUERY_VECTORS,
        ValueType.VALUE_ARRAY);
    PARSER.declareString((o, v) -> o.queryText = v, QUERY_TEXT);
    PARSER.declareString((o, v) -> o.model = v, MODEL);
    PARSER.declareInt((o, v) -> o.k = v, K);
    PARSER.declareObject((o, v) -> o.budget = v, BUDGET_PARSER, BUDGET);
    PARSER.declareInt((o, v) -> o.numCandidates = v, NUM_CANDIDATES);
    PARSER.declareInt((o, v) -> o.probes = v, PROBES);
    PARSER.declareBoolean((o, v) -> o.exact = v, EXACT);
    PARSER.declareObject((o, v) -> o.prune = v, PRUNE_PARSER, PRUNE);
    PARSER.declareObject(
        (o, v) -> o.filter = v, (p, c) -> AbstractQueryBuilder.parseInnerQueryBuilder(p), FILTER);
    PARSER.declareFloat((o, v) -> o.boost = v, AbstractQueryBuilder.BOOST_FIELD);
    PARSER.declareString((o, v) -> o.queryName = v, AbstractQueryBuilder.NAME_FIELD);
  }

  private LateInteractionQueryParser() {}

  /** Parses the object after {@code "late_interaction":}. */
  static LateInteractionQueryBuilder parse(XContentParser parser) throws IOException {
    Options options = PARSER.parse(parser, null);
    try {
      return options.build().validate();
    } catch (IllegalArgumentException e) {
      throw new ParsingException(parser.getTokenLocation(), e.getMessage(), e);
    }
  }

  /** What was read. */
  private static final class Options {
    private String field;
    private float[][] queryVectors;
    private String queryText;
    private String model;
    private Integer k;
    private int[] budget;
    private Integer numCandidates;
    private Integer probes;
    private boolean exact;
    private int[] prune;
    private QueryBuilder filter;
    private float boost = AbstractQueryBuilder.DEFAULT_BOOST;
    private String queryName;

    LateInteractionQueryBuilder build() {
      if (field == null) {
        throw new IllegalArgumentException("[" + NAME + "] requires [field]");
      }
      LateInteractionQueryBuilder builder = input();
      if (k != null) {
        builder.k(k);
      }
      if (budget != null) {
        builder.budget(budget[0], budget[1]);
      }
      if (numCandidates != null) {
        builder.numCandidates(numCandidates);
      }
      if (probes != null) {
        builder.probes(probes);
      }
      builder.exact(exact).filter(filter);
      if (prune != null) {
        for (int value : prune) {
          if (value == UNSET) {
            throw new IllegalArgumentException(
                "["
                    + NAME
                    + "] [prune] takes an object {\"query\": r_q, \"document\": r_c, \"keep\": n},"
                    + " all three");
          }
        }
        builder.prune(prune[0], prune[1], prune[2]);
      }
      builder.boost(boost);
      builder.queryName(queryName);
      return builder;
    }

    /** The query's vectors or its text: exactly one. */
    private LateInteractionQueryBuilder input() {
      if (queryVectors != null && queryText != null) {
        throw new IllegalArgumentException(
            "[" + NAME + "] takes [query_vectors] or [query_text], not both");
      }
      if (queryText != null) {
        ModelReference.check(model);
        return LateInteractionQueryBuilder.ofText(field, queryText).model(model);
      }
      if (model != null) {
        throw new IllegalArgumentException(
            "[" + NAME + "] [model] goes with [query_text], not with [query_vectors]");
      }
      if (queryVectors == null || queryVectors.length == 0) {
        throw new IllegalArgumentException(
            "[" + NAME + "] requires a non-empty [query_vectors], or a [query_text]");
      }
      return new LateInteractionQueryBuilder(field, queryVectors);
    }
  }
}
