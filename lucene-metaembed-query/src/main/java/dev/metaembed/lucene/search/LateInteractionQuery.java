package dev.metaembed.lucene.search;

import dev.metaembed.lucene.codec.MetaEmbedVectorValues;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.QueryTimeout;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.FieldExistsQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TotalHits;
import org.apache.lucene.search.Weight;

/**
 * MetaEmbed late-interaction search with a per-query budget (r_q, r_c).
 *
 * <pre class="prettyprint">
 * Query q = LateInteractionQuery.builder("page", queryVectors) // float[][], Matryoshka order
 *     .k(10)
 *     .budget(4, 8)      // first 4 query vectors against the first 8 document vectors
 *     .candidates(200)   // first-stage graph candidates per segment
 *     .filter(termQuery) // optional
 *     .build();
 * TopDocs hits = searcher.search(q, 10);
 * </pre>
 *
 * <p>The score of a document is Lucene's late-interaction {@code SUM_MAX_SIM} over the budget's
 * prefixes: {@code Σ_{i<r_q} max_{j<r_c} similarity.compare(q_i, d_j)}, with the field's
 * similarity function (a document with fewer than r_c vectors uses all it has), so scores compare
 * one to one with {@code LateInteractionFloatValuesSource}.
 *
 * <p>Per segment, query vector 0 searches the HNSW graph over document vector 0 for {@code
 * candidates} documents (the union over the first {@code probes} query vectors), honouring the
 * filter and deletions; budgeted MaxSim then scores those candidates, reading only their first
 * r_c vectors. A filter accepting fewer documents than the graph would visit is scored exactly;
 * {@link Builder#exact()} scores every matching document. Segments run on the searcher's
 * executor and the global top k is merged. Like {@code KnnFloatVectorQuery}, the query rewrites
 * into a fixed doc/score query, so it composes with {@code BooleanQuery}, counting, explain and
 * the searcher's timeout (a search cut short is reported by {@code IndexSearcher#timedOut()}).
 */
public final class LateInteractionQuery extends Query {
  private final String field;
  private final float[][] queryVectors;
  private final int k;
  private final int queryBudget;
  private final int documentBudget;
  private final int candidates;
  private final int probes;
  private final boolean exact;
  private final Query filter;
  private final Prune prune;

  /**
   * The cascade of {@link Builder#prune}: candidates ranked at budget ({@code queryBudget}, {@code
   * documentBudget}), the best {@code keep} rescored at the query's budget.
   */
  record Prune(int queryBudget, int documentBudget, int keep) {
    @Override
    public String toString() {
      return "prune=(" + queryBudget + "," + documentBudget + ")->" + keep;
    }
  }

  private LateInteractionQuery(Builder b) {
    this.field = b.field;
    this.queryVectors = b.queryVectors;
    this.k = b.k;
    this.queryBudget = b.queryBudget;
    this.documentBudget = b.documentBudget;
    this.candidates = b.candidates;
    this.probes = b.probes;
    this.exact = b.exact;
    this.filter = b.filter;
    this.prune = b.prune;
  }

  /**
   * Starts a query on {@code field} with the query's meta vectors in Matryoshka order.
   *
   * @throws IllegalArgumentException when there are no vectors, their lengths differ, or a
   *     component is not finite
   * @throws NullPointerException when {@code field} is null
   */
  public static Builder builder(String field, float[][] queryVectors) {
    return new Builder(field, queryVectors);
  }

  /** Options of a {@link LateInteractionQuery}; checked by {@link #build()}. */
  public static final class Builder {
    private final String field;
    private final float[][] queryVectors;
    private int k = 10;
    private int queryBudget;
    private int documentBudget = Integer.MAX_VALUE;
    private int candidates;
    private boolean candidatesSet;
    private int probes = 1;
    private boolean exact;
    private Query filter;
    private Prune prune;

    private Builder(String field, float[][] queryVectors) {
      this.field = Objects.requireNonNull(field, "field must not be null");
      this.queryVectors = QueryVectors.copyOf(field, queryVectors);
      this.queryBudget = this.queryVectors.length;
    }

    /** Number of hits, at least 1; default 10. */
    public Builder k(int k) {
      this.k = k;
      return this;
    }

    /**
     * Scores with the first {@code queryVectors} query vectors against the first {@code
     * documentVectors} vectors of each document. Default: every query vector against every stored
     * vector. A document budget above what a segment stores uses what is stored.
     */
    public Builder budget(int queryVectors, int documentVectors) {
      this.queryBudget = queryVectors;
      this.documentBudget = documentVectors;
      return this;
    }

    /**
     * Graph candidates per segment and probe, at least 1; default max(100, 10 × k). A segment
     * contributes at most this many hits, so with fewer than k the query may return fewer than k.
     */
    public Builder candidates(int candidates) {
      this.candidates = candidates;
      this.candidatesSet = true;
      return this;
    }

    /** Only documents matching {@code filter} can be hits. */
    public Builder filter(Query filter) {
      this.filter = filter;
      return this;
    }

    /** Scores every matching document instead of graph candidates: exact, slower. */
    public Builder exact() {
      this.exact = true;
      return this;
    }

    /**
     * Searches the graph with each of the first {@code probes} query vectors and scores the union
     * of their candidates; default 1 (query vector 0 only).
     */
    public Builder probes(int probes) {
      this.probes = probes;
      return this;
    }

    /**
     * A cascade, approximate: each segment ranks its graph candidates at the smaller budget
     * ({@code queryVectors}, {@code documentVectors}), reading only those prefixes, and rescores
     * only the best {@code keep} of them at the query's budget. Hits keep their exact scores at the
     * query's budget; a document the small budget ranks below {@code keep} is lost, so measure its
     * recall against the full budget (docs/QUERY.md) before choosing {@code keep}. With {@code keep}
     * at least the candidates, results equal the query without it. Not with {@link #exact()}; a
     * filter that leaves so few documents that all are scored skips the cascade.
     *
     * @param queryVectors 1..the query budget
     * @param documentVectors 1..the document budget
     * @param keep candidates rescored at the full budget, at least k
     */
    public Builder prune(int queryVectors, int documentVectors, int keep) {
      this.prune = new Prune(queryVectors, documentVectors, keep);
      return this;
    }

    /**
     * The query. Searching it throws an {@link IllegalArgumentException} naming the field when the
     * field is not a MetaEmbed field or its vectors have another dimension than the query's.
     *
     * @throws IllegalArgumentException naming the field and the numbers: a budget out of range, k
     *     or candidates below 1, probes outside 1..query vectors
     */
    public LateInteractionQuery build() {
      QueryVectors.checkBudget(field, queryBudget, documentBudget, queryVectors.length);
      if (k < 1) {
        throw new IllegalArgumentException(
            "field \"" + field + "\": k must be at least 1, got " + k);
      }
      if (candidatesSet == false) { // max(100, 10 × k), at most Integer.MAX_VALUE
        candidates = (int) Math.min(Integer.MAX_VALUE, Math.max(100L, 10L * k));
      }
      if (candidates < 1) {
        throw new IllegalArgumentException(
            "field \"" + field + "\": candidates must be at least 1, got " + candidates);
      }
      if (probes < 1 || probes > queryVectors.length) {
        throw new IllegalArgumentException(
            "field \""
                + field
                + "\": probes must be in 1.."
                + queryVectors.length
                + ", got "
                + probes);
      }
      checkPrune();
      return new LateInteractionQuery(this);
    }

    private void checkPrune() {
      if (prune == null) {
        return;
      }
      String problem = null;
      if (exact) {
        problem = "prune is approximate and exact() scores every document at the budget: use one";
      } else if (prune.queryBudget() < 1 || prune.queryBudget() > queryBudget) {
        problem =
            "prune query vectors must be in 1.." + queryBudget + ", got " + prune.queryBudget();
      } else if (prune.documentBudget() < 1 || prune.documentBudget() > documentBudget) {
        problem =
            "prune document vectors must be in 1.."
                + (documentBudget == Integer.MAX_VALUE ? "the document budget" : documentBudget)
                + ", got "
                + prune.documentBudget();
      } else if (prune.keep() < k) {
        problem = "prune keep must be at least k (" + k + "), got " + prune.keep();
      }
      if (problem != null) {
        throw new IllegalArgumentException("field \"" + field + "\": " + problem);
      }
    }
  }

  @Override
  public Query rewrite(IndexSearcher searcher) throws IOException {
    Weight filterWeight = null;
    if (filter != null) {
      Query rewrittenFilter = searcher.rewrite(filter);
      if (rewrittenFilter instanceof MatchNoDocsQuery) {
        return rewrittenFilter;
      }
      if (rewrittenFilter instanceof MatchAllDocsQuery == false) {
        Query accepted =
            new BooleanQuery.Builder()
                .add(rewrittenFilter, BooleanClause.Occur.FILTER)
                .add(new FieldExistsQuery(field), BooleanClause.Occur.FILTER)
                .build();
        filterWeight =
            searcher.createWeight(searcher.rewrite(accepted), ScoreMode.COMPLETE_NO_SCORES, 1f);
      }
    }
    IndexReader reader = searcher.getIndexReader();
    QueryTimeout timeout = searcher.getTimeout();
    List<Callable<TopDocs>> tasks = new ArrayList<>();
    for (LeafReaderContext context : reader.leaves()) {
      Weight segmentFilter = filterWeight;
      tasks.add(() -> SegmentSearch.run(this, context, segmentFilter, timeout));
    }
    List<TopDocs> perSegment = searcher.getTaskExecutor().invokeAll(tasks);
    TopDocs top = TopDocs.merge(k, perSegment.toArray(TopDocs[]::new));
    boolean partial =
        perSegment.stream()
            .anyMatch(
                hits -> hits.totalHits.relation() == TotalHits.Relation.GREATER_THAN_OR_EQUAL_TO);
    if (top.scoreDocs.length == 0 && partial == false) {
      return new MatchNoDocsQuery("no document has vectors in field \"" + field + "\"");
    }
    return DocScoreQuery.of(reader, top, partial, this::explain, toString());
  }

  /** Explains a hit: its MaxSim recomputed, with the best document vector per query vector. */
  private Explanation explain(LeafReaderContext context, int doc, float score) throws IOException {
    MetaEmbedVectorValues values = QueryVectors.open(context.reader(), field, dimension());
    if (values == null || values.advanceExact(doc) == false) {
      return Explanation.noMatch("document has no vectors in field \"" + field + "\"");
    }
    int budget = Math.min(documentBudget, values.maxVectors());
    float[] docVectors = new float[budget * values.dimension()];
    int count = values.readVectors(budget, docVectors);
    Explanation maxSim =
        new MaxSimScorer(queryVectors, queryBudget, values.similarityFunction())
            .explain(docVectors, count, budget);
    // the value is the score the hit got; the detail recomputes it (equal up to rounding)
    return Explanation.match(score, "late interaction on field \"" + field + "\":", maxSim);
  }

  String getField() {
    return field;
  }

  int getK() {
    return k;
  }

  float[][] queryVectors() {
    return queryVectors;
  }

  int dimension() {
    return queryVectors[0].length;
  }

  int queryBudget() {
    return queryBudget;
  }

  int documentBudget() {
    return documentBudget;
  }

  int candidates() {
    return candidates;
  }

  int probes() {
    return probes;
  }

  boolean isExact() {
    return exact;
  }

  /** The cascade, or null. */
  Prune prune() {
    return prune;
  }

  @Override
  public void visit(QueryVisitor visitor) {
    if (visitor.acceptField(field)) {
      visitor.visitLeaf(this);
    }
  }

  @Override
  public String toString(String defaultField) {
    return "LateInteractionQuery(field="
        + field
        + ", vectors="
        + queryVectors.length
        + "x"
        + dimension()
        + ", k="
        + k
        + ", budget=("
        + queryBudget
        + ","
        + (documentBudget == Integer.MAX_VALUE ? "all" : documentBudget)
        + "), "
        + (exact ? "exact" : "candidates=" + candidates + ", probes=" + probes)
        + (prune == null ? "" : ", " + prune)
        + (filter == null ? "" : ", filter=" + filter.toString(defaultField))
        + ")";
  }

  @Override
  public boolean equals(Object other) {
    if (sameClassAs(other) == false) {
      return false;
    }
    LateInteractionQuery that = (LateInteractionQuery) other;
    return field.equals(that.field)
        && k == that.k
        && queryBudget == that.queryBudget
        && documentBudget == that.documentBudget
        && candidates == that.candidates
        && probes == that.probes
        && exact == that.exact
        && Objects.equals(filter, that.filter)
        && Objects.equals(prune, that.prune)
        && Arrays.deepEquals(queryVectors, that.queryVectors);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        classHash(),
        field,
        k,
        queryBudget,
        documentBudget,
        candidates,
        probes,
        exact,
        filter,
        prune,
        Arrays.deepHashCode(queryVectors));
  }
}
