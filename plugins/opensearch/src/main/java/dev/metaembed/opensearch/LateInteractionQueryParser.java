package dev.metaembed.opensearch;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.opensearch.core.ParseField;
import org.opensearch.core.common.ParsingException;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.core.xcontent.XContentParser.Token;
import org.opensearch.index.query.AbstractQueryBuilder;
import org.opensearch.index.query.QueryBuilder;

/** Reads a {@code late_interaction} query from the query DSL (see {@link LateInteractionQueryBuilder}). */
final class LateInteractionQueryParser {
  static final ParseField FIELD = new ParseField("field");
  static final ParseField QUERY_VECTORS = new ParseField("query_vectors");
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

  private LateInteractionQueryParser() {}

  /** Parses the object after {@code "late_interaction":}. */
  static LateInteractionQueryBuilder parse(XContentParser parser) throws IOException {
    Options options = new Options();
    for (Token token = parser.nextToken(); token != Token.END_OBJECT; token = parser.nextToken()) {
      if (token != Token.FIELD_NAME) {
        throw error(parser, "expected a field name, got " + token);
      }
      String name = parser.currentName();
      parser.nextToken();
      options.read(parser, name);
    }
    return options.build(parser);
  }

  /** What has been read so far. */
  private static final class Options {
    private String field;
    private float[][] queryVectors;
    private Integer k;
    private int queryBudget = LateInteractionQueryBuilder.UNSET;
    private int documentBudget = LateInteractionQueryBuilder.UNSET;
    private Integer numCandidates;
    private Integer probes;
    private boolean exact;
    private int[] prune; // query, document, keep
    private QueryBuilder filter;
    private float boost = AbstractQueryBuilder.DEFAULT_BOOST;
    private String queryName;

    void read(XContentParser parser, String name) throws IOException {
      var handler = parser.getDeprecationHandler();
      if (FIELD.match(name, handler)) {
        field = parser.text();
      } else if (QUERY_VECTORS.match(name, handler)) {
        queryVectors = readVectors(parser);
      } else if (K.match(name, handler)) {
        k = parser.intValue();
      } else if (BUDGET.match(name, handler)) {
        readBudget(parser);
      } else if (NUM_CANDIDATES.match(name, handler)) {
        numCandidates = parser.intValue();
      } else if (PROBES.match(name, handler)) {
        probes = parser.intValue();
      } else if (EXACT.match(name, handler)) {
        exact = parser.booleanValue();
      } else if (PRUNE.match(name, handler)) {
        prune = readPrune(parser);
      } else if (FILTER.match(name, handler)) {
        filter = AbstractQueryBuilder.parseInnerQueryBuilder(parser);
      } else if (AbstractQueryBuilder.BOOST_FIELD.match(name, handler)) {
        boost = parser.floatValue();
      } else if (AbstractQueryBuilder.NAME_FIELD.match(name, handler)) {
        queryName = parser.text();
      } else {
        throw error(parser, "does not support [" + name + "]");
      }
    }

    private void readBudget(XContentParser parser) throws IOException {
      if (parser.currentToken() != Token.START_OBJECT) {
        throw error(parser, "[budget] takes an object {\"query\": r_q, \"document\": r_c}");
      }
      for (Token token = parser.nextToken();
          token != Token.END_OBJECT;
          token = parser.nextToken()) {
        String name = parser.currentName();
        parser.nextToken();
        if (BUDGET_QUERY.match(name, parser.getDeprecationHandler())) {
          queryBudget = parser.intValue();
        } else if (BUDGET_DOCUMENT.match(name, parser.getDeprecationHandler())) {
          documentBudget = parser.intValue();
        } else {
          throw error(parser, "[budget] does not support [" + name + "]");
        }
      }
    }

    private static int[] readPrune(XContentParser parser) throws IOException {
      String form = "[prune] takes an object {\"query\": r_q, \"document\": r_c, \"keep\": n}";
      if (parser.currentToken() != Token.START_OBJECT) {
        throw error(parser, form);
      }
      int[] prune = {
        LateInteractionQueryBuilder.UNSET,
        LateInteractionQueryBuilder.UNSET,
        LateInteractionQueryBuilder.UNSET
      };
      for (Token token = parser.nextToken();
          token != Token.END_OBJECT;
          token = parser.nextToken()) {
        String name = parser.currentName();
        parser.nextToken();
        if (BUDGET_QUERY.match(name, parser.getDeprecationHandler())) {
          prune[0] = parser.intValue();
        } else if (BUDGET_DOCUMENT.match(name, parser.getDeprecationHandler())) {
          prune[1] = parser.intValue();
        } else if (PRUNE_KEEP.match(name, parser.getDeprecationHandler())) {
          prune[2] = parser.intValue();
        } else {
          throw error(parser, "[prune] does not support [" + name + "]");
        }
      }
      for (int value : prune) {
        if (value == LateInteractionQueryBuilder.UNSET) {
          throw error(parser, form + ", all three");
        }
      }
      return prune;
    }

    private static float[][] readVectors(XContentParser parser) throws IOException {
      if (parser.currentToken() != Token.START_ARRAY) {
        throw error(parser, "[query_vectors] takes an array of vectors (arrays of numbers)");
      }
      List<float[]> vectors = new ArrayList<>();
      for (Token token = parser.nextToken(); token != Token.END_ARRAY; token = parser.nextToken()) {
        if (token != Token.START_ARRAY) {
          throw error(
              parser, "[query_vectors] entry " + vectors.size() + " is not an array of numbers");
        }
        List<Float> values = new ArrayList<>();
        for (Token t = parser.nextToken(); t != Token.END_ARRAY; t = parser.nextToken()) {
          if (t != Token.VALUE_NUMBER) {
            throw error(
                parser,
                "[query_vectors] entry " + vectors.size() + " holds " + t + ", not a number");
          }
          values.add(parser.floatValue());
        }
        float[] vector = new float[values.size()];
        for (int i = 0; i < vector.length; i++) {
          vector[i] = values.get(i);
        }
        vectors.add(vector);
      }
      return vectors.toArray(new float[0][]);
    }

    LateInteractionQueryBuilder build(XContentParser parser) {
      if (field == null) {
        throw error(parser, "requires [field]");
      }
      if (queryVectors == null || queryVectors.length == 0) {
        throw error(parser, "requires a non-empty [query_vectors]");
      }
      LateInteractionQueryBuilder builder = new LateInteractionQueryBuilder(field, queryVectors);
      if (k != null) {
        builder.k(k);
      }
      if (queryBudget != LateInteractionQueryBuilder.UNSET
          || documentBudget != LateInteractionQueryBuilder.UNSET) {
        builder.budget(queryBudget, documentBudget);
      }
      if (numCandidates != null) {
        builder.numCandidates(numCandidates);
      }
      if (probes != null) {
        builder.probes(probes);
      }
      builder.exact(exact).filter(filter);
      if (prune != null) {
        builder.prune(prune[0], prune[1], prune[2]);
      }
      builder.boost(boost);
      builder.queryName(queryName);
      return builder;
    }
  }

  private static ParsingException error(XContentParser parser, String message) {
    return new ParsingException(parser.getTokenLocation(), "[" + NAME + "] " + message);
  }
}
