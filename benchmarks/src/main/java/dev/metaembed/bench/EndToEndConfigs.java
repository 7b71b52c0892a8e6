package dev.metaembed.bench;

import static dev.metaembed.bench.EndToEndIndexer.KNN_FIELD;
import static dev.metaembed.bench.EndToEndIndexer.LI_FIELD;
import static dev.metaembed.bench.EndToEndIndexer.ME_FIELD;

import dev.metaembed.bench.EndToEndOptions.Budget;
import dev.metaembed.lucene.codec.VectorStorage;
import dev.metaembed.lucene.search.LateInteractionQuery;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.RescoreTopNQuery;

/**
 * The query configurations of a run, in the order they are warmed up and timed: plain KNN on the
 * Lucene index first (unless skipped); then per budget the exact brute force on --truth, float32 by default (which
 * fills that budget's ground truth), our LateInteractionQuery per storage, and Lucene's
 * RescoreTopN.
 */
final class EndToEndConfigs {
  /** Warm-up queries at most for an exact configuration (brute force over all documents is slow). */
  static final int EXACT_WARMUP_MAX = 5;

  /** Builds the query of one configuration from a query's vectors. */
  interface QueryFactory {
    Query create(float[][] q);
  }

  /**
   * One configuration. {@code truth}: null when no recall is computed; otherwise one array of doc
   * ids per timed query, shared by all configurations of a budget and filled (while still holding
   * nulls) by the exact configuration, which runs first.
   */
  record Config(
      IndexSearcher searcher,
      String index,
      String storage,
      String budget,
      String method,
      int warmup,
      int[][] truth,
      QueryFactory factory) {}

  /** Method name of the brute-force configurations; the --truth storage's defines the ground truth. */
  static final String EXACT = "exact brute force";

  /** Method name prefix of the graph-search-only configuration on our --truth index. */
  static final String FIRST_STAGE = "graph search only, k=";

  private EndToEndConfigs() {}

  /**
   * Lists the configurations over already opened readers: {@code ours} per storage (must hold
   * the --truth storage) and {@code lucene} (null when skipped). Each reader gets its own
   * single-threaded IndexSearcher per configuration, except that exact runs share one on --truth.
   */
  static List<Config> create(
      EndToEndOptions o, Map<VectorStorage, DirectoryReader> ours, DirectoryReader lucene) {
    List<Config> configs = new ArrayList<>();
    if (lucene != null) {
      configs.add(
          new Config(
              new IndexSearcher(lucene),
              EndToEndResults.LUCENE,
              "float32",
              "-",
              "KnnFloatVectorQuery k=" + o.knnK,
              o.warmup,
              null,
              q -> new KnnFloatVectorQuery(KNN_FIELD, q[0], o.knnK)));
    }
    configs.add(
        new Config(
            new IndexSearcher(ours.get(o.truth)),
            EndToEndResults.METAEMBED,
            o.truth.attributeValue(),
            "-",
            FIRST_STAGE + o.candidates,
            o.warmup,
            null,
            q -> new EndToEndFirstStageQuery(ME_FIELD, q[0], o.candidates)));
    IndexSearcher exactSearcher = new IndexSearcher(ours.get(o.truth));
    for (Budget b : o.budgets) {
      int[][] truth = new int[o.queries][];
      QueryFactory exact =
          q ->
              LateInteractionQuery.builder(ME_FIELD, q)
                  .k(o.k)
                  .budget(b.rq(), b.rc())
                  .exact()
                  .build();
      configs.add(
          new Config(
              exactSearcher,
              EndToEndResults.METAEMBED,
              o.truth.attributeValue(),
              b.label(),
              EXACT,
              Math.min(o.warmup, EXACT_WARMUP_MAX),
              truth,
              exact));
      for (var e : ours.entrySet()) { // quantization alone: exact MaxSim on decoded vectors
        if (e.getKey() != o.truth) {
          configs.add(
              new Config(
                  new IndexSearcher(e.getValue()),
                  EndToEndResults.METAEMBED,
                  e.getKey().attributeValue(),
                  b.label(),
                  EXACT,
                  Math.min(o.warmup, EXACT_WARMUP_MAX),
                  truth,
                  exact));
        }
      }
      for (var e : ours.entrySet()) {
        configs.add(
            new Config(
                new IndexSearcher(e.getValue()),
                EndToEndResults.METAEMBED,
                e.getKey().attributeValue(),
                b.label(),
                "LateInteractionQuery",
                o.warmup,
                truth,
                q ->
                    LateInteractionQuery.builder(ME_FIELD, q)
                        .k(o.k)
                        .budget(b.rq(), b.rc())
                        .candidates(o.candidates)
                        .build()));
        if (o.prune != null && o.prune.appliesTo(b)) {
          Budget p = o.prune.budget();
          configs.add(
              new Config(
                  new IndexSearcher(e.getValue()),
                  EndToEndResults.METAEMBED,
                  e.getKey().attributeValue(),
                  b.label(),
                  "LateInteractionQuery " + o.prune.label(),
                  o.warmup,
                  truth,
                  q ->
                      LateInteractionQuery.builder(ME_FIELD, q)
                          .k(o.k)
                          .budget(b.rq(), b.rc())
                          .candidates(o.candidates)
                          .prune(p.rq(), p.rc(), o.prune.keep())
                          .build()));
        }
      }
      if (lucene != null) {
        configs.add(
            new Config(
                new IndexSearcher(lucene),
                EndToEndResults.LUCENE,
                "float32",
                b.label(),
                "RescoreTopN(Knn " + o.candidates + ") all doc vectors",
                o.warmup,
                truth,
                q ->
                    RescoreTopNQuery.createLateInteractionQuery(
                        new KnnFloatVectorQuery(KNN_FIELD, q[0], o.candidates),
                        o.candidates,
                        LI_FIELD,
                        Arrays.copyOf(q, b.rq()),
                        VectorSimilarityFunction.DOT_PRODUCT)));
      }
    }
    return configs;
  }
}
