package dev.metaembed.opensearch;

import dev.metaembed.lucene.search.LateInteractionQuery;
import dev.metaembed.opensearch.text.EncodeQueryAction;
import dev.metaembed.opensearch.text.ModelReference;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;
import org.apache.lucene.search.Query;
import org.apache.lucene.util.SetOnce;
import org.opensearch.core.action.ActionListener;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.index.mapper.MappedFieldType;
import org.opensearch.index.query.AbstractQueryBuilder;
import org.opensearch.index.query.MatchNoneQueryBuilder;
import org.opensearch.index.query.QueryBuilder;
import org.opensearch.index.query.QueryBuilders;
import org.opensearch.index.query.QueryRewriteContext;
import org.opensearch.index.query.QueryShardContext;

/**
 * The {@code late_interaction} query: the k best documents of each shard by budgeted MaxSim over
 * a {@code metaembed_vector} field, as {@link LateInteractionQuery} computes it; OpenSearch merges
 * the shards' hits.
 *
 * <pre>
 * {"late_interaction": {"field": "page", "query_vectors": [[...], ...], "k": 10,
 *                       "budget": {"query": 4, "document": 8}, "num_candidates": 200,
 *                       "filter": {"term": {"lang": "en"}}, "exact": false, "probes": 1}}
 * </pre>
 *
 * Instead of {@code query_vectors}, a query may send {@code query_text} (and {@code model}, default
 * {@value ModelReference#DEFAULT}): the coordinating node encodes it once, while it rewrites the
 * request ({@link EncodeQueryAction}), and the shards receive the vectors.
 *
 * <p>Options ({@link LateInteractionQueryParser} reads them): {@code k} default 10; {@code budget}
 * defaults to every query vector against every stored vector; {@code num_candidates} (graph
 * candidates per segment) defaults to max(100, 10 × k); {@code exact} scores every matching
 * document; {@code probes} searches the graph with the first query vectors; {@code prune}
 * ({@code {"query": 2, "document": 4, "keep": 80}}) ranks the candidates at that smaller budget
 * and rescores only the best {@code keep} (approximate); plus {@code boost}
 * and {@code _name}.
 */
public final class LateInteractionQueryBuilder
    extends AbstractQueryBuilder<LateInteractionQueryBuilder> {
  /** The query's name in the query DSL. */
  public static final String NAME = "late_interaction";

  /** Means "not set": the Lucene query's default applies. */
  static final int UNSET = -1;

  private final String field;
  private final float[][] queryVectors; // null until query_text is encoded
  private final String queryText; // null when the query came with vectors
  private String model; // query_text's model; null: the default
  private SetOnce<float[][]> encoded; // query_text's vectors once the coordinating node has them
  private int k = 10;
  private int queryBudget = UNSET;
  private int documentBudget = UNSET;
  private int numCandidates = UNSET;
  private int probes = 1;
  private boolean exact;
  private QueryBuilder filter;
  private int pruneQuery = UNSET;
  private int pruneDocument = UNSET;
  private int pruneKeep = UNSET;

  /** A query on {@code field} with the query's meta vectors in Matryoshka order. */
  public LateInteractionQueryBuilder(String field, float[][] queryVectors) {
    if (field == null || field.isEmpty()) {
      throw new IllegalArgumentException("[" + NAME + "] requires [field]");
    }
    if (queryVectors == null || queryVectors.length == 0) {
      throw new IllegalArgumentException("[" + NAME + "] requires [query_vectors]");
    }
    this.field = field;
    this.queryVectors = queryVectors;
    this.queryText = null;
  }

  private LateInteractionQueryBuilder(String field, String queryText) {
    if (field == null || field.isEmpty()) {
      throw new IllegalArgumentException("[" + NAME + "] requires [field]");
    }
    if (queryText == null || queryText.isBlank()) {
      throw new IllegalArgumentException("[" + NAME + "] requires a non-blank [query_text]");
    }
    this.field = field;
    this.queryVectors = null;
    this.queryText = queryText;
  }

  /**
   * A query on {@code field} with text that the coordinating node encodes with {@link
   * #model(String)} (the default model unless set).
   */
  public static LateInteractionQueryBuilder ofText(String field, String queryText) {
    return new LateInteractionQueryBuilder(field, queryText);
  }

  /**
   * The model that encodes {@code query_text}: {@code builtin:NAME} or a folder name under the
   * nodes' {@code config/metaembed/models}; null is {@value ModelReference#DEFAULT}.
   *
   * @throws IllegalArgumentException for a query with vectors
   */
  public LateInteractionQueryBuilder model(String model) {
    if (queryText == null && model != null) {
      throw new IllegalArgumentException(
          "[" + NAME + "] [model] goes with [query_text], not with [query_vectors]");
    }
    this.model = model;
    return this;
  }

  /** The query text, null for a query with vectors. */
  public String queryText() {
    return queryText;
  }

  /** The query's vectors, null while {@code query_text} is not encoded yet. */
  public float[][] queryVectors() {
    return queryVectors;
  }

  /** Reads a query sent by another node. */
  public LateInteractionQueryBuilder(StreamInput in) throws IOException {
    super(in);
    field = in.readString();
    if (in.readBoolean()) {
      queryVectors = new float[in.readVInt()][];
      for (int i = 0; i < queryVectors.length; i++) {
        queryVectors[i] = in.readFloatArray();
      }
    } else {
      queryVectors = null;
    }
    queryText = in.readOptionalString();
    model = in.readOptionalString();
    k = in.readVInt();
    queryBudget = in.readInt();
    documentBudget = in.readInt();
    numCandidates = in.readInt();
    probes = in.readVInt();
    exact = in.readBoolean();
    filter = in.readOptionalNamedWriteable(QueryBuilder.class);
    pruneQuery = in.readInt();
    pruneDocument = in.readInt();
    pruneKeep = in.readInt();
  }

  @Override
  protected void doWriteTo(StreamOutput out) throws IOException {
    out.writeString(field);
    out.writeBoolean(queryVectors != null);
    if (queryVectors != null) {
      out.writeVInt(queryVectors.length);
      for (float[] vector : queryVectors) {
        out.writeFloatArray(vector);
      }
    }
    out.writeOptionalString(queryText);
    out.writeOptionalString(model);
    out.writeVInt(k);
    out.writeInt(queryBudget);
    out.writeInt(documentBudget);
    out.writeInt(numCandidates);
    out.writeVInt(probes);
    out.writeBoolean(exact);
    out.writeOptionalNamedWriteable(filter);
    out.writeInt(pruneQuery);
    out.writeInt(pruneDocument);
    out.writeInt(pruneKeep);
  }

  /** Hits per shard, at least 1. */
  public LateInteractionQueryBuilder k(int k) {
    this.k = k;
    return this;
  }

  /** Scores the first {@code query} query vectors against the first {@code document} vectors. */
  public LateInteractionQueryBuilder budget(int query, int document) {
    this.queryBudget = query;
    this.documentBudget = document;
    return this;
  }

  /** Graph candidates per segment. */
  public LateInteractionQueryBuilder numCandidates(int numCandidates) {
    this.numCandidates = numCandidates;
    return this;
  }

  /** Graph searches with the first {@code probes} query vectors; default 1. */
  public LateInteractionQueryBuilder probes(int probes) {
    this.probes = probes;
    return this;
  }

  /** Scores every matching document instead of graph candidates. */
  public LateInteractionQueryBuilder exact(boolean exact) {
    this.exact = exact;
    return this;
  }

  /**
   * The cascade of {@code LateInteractionQuery.Builder#prune}, approximate: graph candidates ranked
   * at budget ({@code query}, {@code document}), the best {@code keep} rescored at the budget.
   */
  public LateInteractionQueryBuilder prune(int query, int document, int keep) {
    this.pruneQuery = query;
    this.pruneDocument = document;
    this.pruneKeep = keep;
    return this;
  }

  /**
   * Only documents matching {@code filter} (and any filter already set) can be hits: the filter
   * applies before the top k is chosen, not after. A null filter changes nothing.
   */
  @Override
  public LateInteractionQueryBuilder filter(QueryBuilder filter) {
    if (filter == null) {
      return this;
    }
    if (this.filter == null) {
      this.filter = filter;
    } else {
      this.filter = QueryBuilders.boolQuery().filter(this.filter).filter(filter);
    }
    return this;
  }

  /** The filter, null when there is none. */
  public QueryBuilder filterQuery() {
    return filter;
  }

  @Override
  public String getWriteableName() {
    return NAME;
  }

  @Override
  protected void doXContent(XContentBuilder builder, Params params) throws IOException {
    builder.startObject(NAME);
    builder.field(LateInteractionQueryParser.FIELD.getPreferredName(), field);
    if (queryVectors != null) {
      builder.startArray(LateInteractionQueryParser.QUERY_VECTORS.getPreferredName());
      for (float[] vector : queryVectors) {
        builder.value(vector);
      }
      builder.endArray();
    } else {
      builder.field(LateInteractionQueryParser.QUERY_TEXT.getPreferredName(), queryText);
      if (model != null) {
        builder.field(LateInteractionQueryParser.MODEL.getPreferredName(), model);
      }
    }
    builder.field(LateInteractionQueryParser.K.getPreferredName(), k);
    if (queryBudget != UNSET || documentBudget != UNSET) {
      builder.startObject(LateInteractionQueryParser.BUDGET.getPreferredName());
      if (queryBudget != UNSET) {
        builder.field(LateInteractionQueryParser.BUDGET_QUERY.getPreferredName(), queryBudget);
      }
      if (documentBudget != UNSET) {
        builder.field(
            LateInteractionQueryParser.BUDGET_DOCUMENT.getPreferredName(), documentBudget);
      }
      builder.endObject();
    }
    if (numCandidates != UNSET) {
      builder.field(LateInteractionQueryParser.NUM_CANDIDATES.getPreferredName(), numCandidates);
    }
    builder.field(LateInteractionQueryParser.PROBES.getPreferredName(), probes);
    builder.field(LateInteractionQueryParser.EXACT.getPreferredName(), exact);
    if (pruneKeep != UNSET) {
      builder.startObject(LateInteractionQueryParser.PRUNE.getPreferredName());
      builder.field(LateInteractionQueryParser.BUDGET_QUERY.getPreferredName(), pruneQuery);
      builder.field(LateInteractionQueryParser.BUDGET_DOCUMENT.getPreferredName(), pruneDocument);
      builder.field(LateInteractionQueryParser.PRUNE_KEEP.getPreferredName(), pruneKeep);
      builder.endObject();
    }
    if (filter != null) {
      builder.field(LateInteractionQueryParser.FILTER.getPreferredName(), filter);
    }
    printBoostAndQueryName(builder);
    builder.endObject();
  }

  @Override
  protected Query doToQuery(QueryShardContext context) throws IOException {
    if (queryVectors == null) {
      throw new IllegalStateException(
          "[" + NAME + "] [query_text] reached a shard unencoded: it is encoded on rewrite");
    }
    MappedFieldType type = ShardQueryChecks.fieldType(context, NAME, field);
    ShardQueryChecks.queryVectors(context, NAME, field, type, queryVectors);
    LateInteractionQuery.Builder query = luceneQuery(type.name());
    if (filter != null) {
      query.filter(filter.toQuery(context));
    }
    return query.build();
  }

  /**
   * Checks every option that does not depend on the field (k, budgets, candidates, probes, prune)
   * with the rules the shards apply, so that a bad request fails where it is parsed.
   *
   * @return this
   * @throws IllegalArgumentException naming the option and the numbers
   */
  LateInteractionQueryBuilder validate() {
    try {
      luceneQuery(field).build();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("[" + NAME + "] " + e.getMessage(), e);
    }
    return this;
  }

  /**
   * The Lucene query's options from this builder's, without the filter. Before {@code query_text}
   * is encoded, stand-in vectors (as many as the options ask for) let the options be checked.
   */
  LateInteractionQuery.Builder luceneQuery(String luceneField) {
    float[][] vectors = queryVectors;
    if (vectors == null) {
      int asked = Math.max(1, Math.max(queryBudget, Math.max(pruneQuery, probes)));
      if (asked > MetaEmbedSettings.LIMIT_MAX_QUERY_VECTORS) { // no query has that many vectors
        throw new IllegalArgumentException(
            "asks for "
                + asked
                + " query vectors (budget, prune or probes); no query may have more than "
                + MetaEmbedSettings.LIMIT_MAX_QUERY_VECTORS);
      }
      vectors = new float[asked][];
      Arrays.fill(vectors, new float[] {1f});
    }
    LateInteractionQuery.Builder query =
        LateInteractionQuery.builder(luceneField, vectors).k(k).probes(probes);
    if (queryBudget != UNSET || documentBudget != UNSET) {
      query.budget(
          queryBudget == UNSET ? vectors.length : queryBudget,
          documentBudget == UNSET ? Integer.MAX_VALUE : documentBudget);
    }
    if (numCandidates != UNSET) {
      query.candidates(numCandidates);
    }
    if (exact) {
      query.exact();
    }
    if (pruneKeep != UNSET) {
      query.prune(pruneQuery, pruneDocument, pruneKeep);
    }
    return query;
  }

  @Override
  protected QueryBuilder doRewrite(QueryRewriteContext context) throws IOException {
    if (queryVectors == null) {
      return encodeText(context);
    }
    if (filter == null) {
      return this;
    }
    QueryBuilder rewritten = filter.rewrite(context);
    if (rewritten instanceof MatchNoneQueryBuilder) {
      return rewritten; // nothing can match the filter
    }
    if (rewritten == filter) {
      return this;
    }
    LateInteractionQueryBuilder copy = copy();
    copy.filter = rewritten;
    return copy;
  }

  /**
   * {@code query_text}: the first rewrite asks this node's encoder ({@link EncodeQueryAction}) and
   * returns a builder waiting for the vectors; once they are there, the next rewrite returns the
   * query with vectors, checked again now that their number is known.
   */
  private QueryBuilder encodeText(QueryRewriteContext context) {
    if (encoded == null) {
      LateInteractionQueryBuilder waiting = copy(queryVectors);
      waiting.encoded = new SetOnce<>();
      SetOnce<float[][]> result = waiting.encoded;
      EncodeQueryAction.Request request = new EncodeQueryAction.Request(model, queryText);
      context.registerAsyncAction(
          (client, listener) ->
              client.execute(
                  EncodeQueryAction.INSTANCE,
                  request,
                  ActionListener.wrap(
                      response -> {
                        result.set(response.vectors());
                        listener.onResponse(null);
                      },
                      listener::onFailure)));
      return waiting;
    }
    float[][] vectors = encoded.get();
    if (vectors == null) {
      return this; // the encoding has not answered yet
    }
    LateInteractionQueryBuilder withVectors = copy(vectors);
    return withVectors.validate();
  }

  private LateInteractionQueryBuilder copy() {
    LateInteractionQueryBuilder copy = copy(queryVectors);
    copy.encoded = encoded;
    return copy;
  }

  /** This query with other vectors; with vectors, the text and model are dropped. */
  private LateInteractionQueryBuilder copy(float[][] vectors) {
    LateInteractionQueryBuilder copy =
        vectors != null
            ? new LateInteractionQueryBuilder(field, vectors)
            : new LateInteractionQueryBuilder(field, queryText);
    if (vectors == null) {
      copy.model = model;
    }
    copy.k = k;
    copy.queryBudget = queryBudget;
    copy.documentBudget = documentBudget;
    copy.numCandidates = numCandidates;
    copy.probes = probes;
    copy.exact = exact;
    copy.filter = filter;
    copy.pruneQuery = pruneQuery;
    copy.pruneDocument = pruneDocument;
    copy.pruneKeep = pruneKeep;
    copy.boost(boost);
    copy.queryName(queryName);
    return copy;
  }

  @Override
  protected boolean doEquals(LateInteractionQueryBuilder other) {
    return field.equals(other.field)
        && Arrays.deepEquals(queryVectors, other.queryVectors)
        && Objects.equals(queryText, other.queryText)
        && Objects.equals(model, other.model)
        && k == other.k
        && queryBudget == other.queryBudget
        && documentBudget == other.documentBudget
        && numCandidates == other.numCandidates
        && probes == other.probes
        && exact == other.exact
        && Objects.equals(filter, other.filter)
        && pruneQuery == other.pruneQuery
        && pruneDocument == other.pruneDocument
        && pruneKeep == other.pruneKeep;
  }

  @Override
  protected int doHashCode() {
    return Objects.hash(
        field,
        Arrays.deepHashCode(queryVectors),
        queryText,
        model,
        k,
        queryBudget,
        documentBudget,
        numCandidates,
        probes,
        exact,
        filter,
        pruneQuery,
        pruneDocument,
        pruneKeep);
  }
}
