package dev.metaembed.lucene.search;

import dev.metaembed.lucene.codec.MetaEmbedVectorValues;
import java.io.IOException;
import java.util.Arrays;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.QueryTimeout;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.HitQueue;
import org.apache.lucene.search.KnnCollector;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.search.TotalHits;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.ArrayUtil;

/**
 * One segment's part of a {@link LateInteractionQuery}: candidates from the graph over vector 0
 * (or every accepted document), then budgeted MaxSim over them, keeping the segment's top k.
 * Follows {@code KnnFloatVectorQuery}: approximate search with the filter and deletions as accept
 * docs, exact scoring when the filter leaves fewer documents than the graph would visit.
 */
final class SegmentSearch {
  private static final TopDocs NO_HITS =
      new TopDocs(new TotalHits(0, TotalHits.Relation.EQUAL_TO), new ScoreDoc[0]);

  /** Documents scored between two looks at the timeout. */
  private static final int TIMEOUT_CHECK_INTERVAL = 256;

  private final LateInteractionQuery query;
  private final LeafReaderContext context;
  private final QueryTimeout timeout;

  /** Candidates whose prefixes are prefetched ahead of the one being scored. */
  private static final int PREFETCH_WINDOW = 32;

  private MetaEmbedVectorValues values; // reopened after a prune pass: doc ids only go forward
  private final MaxSimScorer scorer;
  private final int documentBudget;

  /** k and candidates, at most the segment's documents (the collectors allocate that many). */
  private final int k;

  private final int candidates;
  private final float[] docVectors;
  private boolean timedOut;

  private SegmentSearch(
      LateInteractionQuery query,
      LeafReaderContext context,
      QueryTimeout timeout,
      MetaEmbedVectorValues values) {
    this.query = query;
    this.context = context;
    this.timeout = timeout;
    this.values = values;
    this.documentBudget = Math.min(query.documentBudget(), values.maxVectors());
    this.k = Math.min(query.getK(), context.reader().maxDoc());
    this.candidates = Math.min(query.candidates(), context.reader().maxDoc());
    this.docVectors = new float[documentBudget * values.dimension()];
    this.scorer =
        new MaxSimScorer(query.queryVectors(), query.queryBudget(), values.similarityFunction());
  }

  /**
   * The segment's top k, with global doc ids. Total hits count the documents scored; the relation
   * is {@code GREATER_THAN_OR_EQUAL_TO} when the timeout cut the search short.
   */
  static TopDocs run(
      LateInteractionQuery query, LeafReaderContext context, Weight filter, QueryTimeout timeout)
      throws IOException {
    MetaEmbedVectorValues values =
        QueryVectors.open(context.reader(), query.getField(), query.dimension());
    if (values == null) {
      return NO_HITS;
    }
    TopDocs hits = new SegmentSearch(query, context, timeout, values).search(filter);
    for (ScoreDoc hit : hits.scoreDocs) {
      hit.doc += context.docBase;
    }
    return hits;
  }

  private TopDocs search(Weight filter) throws IOException {
    AcceptDocs accept = acceptDocs(filter);
    if (query.isExact() || (filter != null && accept.cost() <= candidates)) {
      return scoreAll(accept.iterator());
    }
    int visitedLimit = filter == null ? Integer.MAX_VALUE : accept.cost() + 1;
    if (graphScoresAreFinal()) {
      TopDocs found = graphSearch(0, accept, visitedLimit);
      return found == null ? scoreAll(accept.iterator()) : firstK(found);
    }
    int[] candidates = graphCandidates(accept, visitedLimit);
    // the graph visited more nodes than the filter accepts: scoring those is cheaper
    return candidates == null ? scoreAll(accept.iterator()) : score(candidates);
  }

  private AcceptDocs acceptDocs(Weight filter) {
    LeafReader reader = context.reader();
    if (filter == null) {
      return AcceptDocs.fromLiveDocs(reader.getLiveDocs(), reader.maxDoc());
    }
    return AcceptDocs.fromIteratorSupplier(
        () -> {
          Scorer scorer = filter.scorer(context);
          return scorer == null ? DocIdSetIterator.empty() : scorer.iterator();
        },
        reader.getLiveDocs(),
        reader.maxDoc());
  }

  /**
   * At budget (1,1) with one probe, MaxSim is the similarity of query vector 0 and document vector
   * 0, which is the graph's own score (vector 0 is the graph's exact copy whatever the storage), so
   * the graph's scores are final and no prefix needs to be read.
   */
  private boolean graphScoresAreFinal() {
    return query.queryBudget() == 1 && documentBudget == 1 && query.probes() == 1;
  }

  /** The graph's nearest documents to query vector {@code probe}; null at {@code visitedLimit}. */
  private TopDocs graphSearch(int probe, AcceptDocs accept, int visitedLimit) throws IOException {
    KnnCollector collector =
        new TimeoutAwareCollector(new TopKnnCollector(candidates, visitedLimit));
    context
        .reader()
        .searchNearestVectors(query.getField(), query.queryVectors()[probe], collector, accept);
    TopDocs found = collector.topDocs();
    boolean limited = found.totalHits.relation() == TotalHits.Relation.GREATER_THAN_OR_EQUAL_TO;
    return limited && timedOut == false ? null : found;
  }

  /** The best k of the graph's hits, whose scores are final (see {@link #graphScoresAreFinal}). */
  private TopDocs firstK(TopDocs found) {
    TopHits top = new TopHits(k);
    for (ScoreDoc hit : found.scoreDocs) {
      top.offer(hit.doc, hit.score);
    }
    return top.topDocs(timedOut);
  }

  /**
   * The union of the graph's nearest documents to each probed query vector, sorted; null when a
   * graph search stopped at {@code visitedLimit}.
   */
  private int[] graphCandidates(AcceptDocs accept, int visitedLimit) throws IOException {
    int[] docs = new int[0];
    int size = 0;
    for (int probe = 0; probe < query.probes(); probe++) {
      TopDocs found = graphSearch(probe, accept, visitedLimit);
      if (found == null) {
        return null;
      }
      docs = ArrayUtil.grow(docs, size + found.scoreDocs.length);
      for (ScoreDoc hit : found.scoreDocs) {
        docs[size++] = hit.doc;
      }
      if (timedOut) {
        break;
      }
    }
    Arrays.sort(docs, 0, size);
    int unique = 0;
    for (int i = 0; i < size; i++) {
      if (unique == 0 || docs[unique - 1] != docs[i]) {
        docs[unique++] = docs[i];
      }
    }
    return Arrays.copyOf(docs, unique);
  }

  private TopDocs score(int[] candidates) throws IOException {
    LateInteractionQuery.Prune prune = query.prune();
    if (prune != null && candidates.length > prune.keep()) {
      candidates = prune(candidates, prune);
    }
    TopHits top = new TopHits(k);
    for (int i = 0; i < candidates.length && checkTimeout(i) == false; i++) {
      if (i % PREFETCH_WINDOW == 0) {
        int to = Math.min(i + PREFETCH_WINDOW, candidates.length);
        values.prefetch(candidates, i, to, documentBudget);
      }
      scoreInto(top, candidates[i]);
    }
    return top.topDocs(timedOut);
  }

  /** The best {@code prune.keep()} candidates at the pruning budget, sorted by doc id. */
  private int[] prune(int[] candidates, LateInteractionQuery.Prune prune) throws IOException {
    int budget = Math.min(prune.documentBudget(), documentBudget);
    MaxSimScorer small =
        new MaxSimScorer(query.queryVectors(), prune.queryBudget(), values.similarityFunction());
    TopHits best = new TopHits(prune.keep());
    for (int i = 0; i < candidates.length && checkTimeout(i) == false; i++) {
      if (i % PREFETCH_WINDOW == 0) {
        values.prefetch(candidates, i, Math.min(i + PREFETCH_WINDOW, candidates.length), budget);
      }
      if (values.advanceExact(candidates[i])) {
        best.offer(candidates[i], small.score(docVectors, values.readVectors(budget, docVectors)));
      }
    }
    ScoreDoc[] kept = best.topDocs(timedOut).scoreDocs;
    int[] docs = new int[kept.length];
    for (int i = 0; i < kept.length; i++) {
      docs[i] = kept[i].doc;
    }
    Arrays.sort(docs);
    values =
        QueryVectors.open(
            context.reader(), query.getField(), query.dimension()); // from the start again
    return docs;
  }

  private TopDocs scoreAll(DocIdSetIterator accepted) throws IOException {
    TopHits top = new TopHits(k);
    int i = 0;
    for (int doc = accepted.nextDoc();
        doc != DocIdSetIterator.NO_MORE_DOCS && checkTimeout(i++) == false;
        doc = accepted.nextDoc()) {
      scoreInto(top, doc);
    }
    return top.topDocs(timedOut);
  }

  private void scoreInto(TopHits top, int doc) throws IOException {
    if (values.advanceExact(doc)) {
      int count = values.readVectors(documentBudget, docVectors);
      top.offer(doc, scorer.score(docVectors, count));
    }
  }

  private boolean checkTimeout(int scored) {
    if (timeout != null && scored % TIMEOUT_CHECK_INTERVAL == 0 && timeout.shouldExit()) {
      timedOut = true;
    }
    return timedOut;
  }

  /** Stops the graph search when the searcher's timeout expires, and remembers that it did. */
  private final class TimeoutAwareCollector extends KnnCollector.Decorator {
    TimeoutAwareCollector(KnnCollector collector) {
      super(collector);
    }

    @Override
    public boolean earlyTerminated() {
      if (timeout != null && timeout.shouldExit()) {
        timedOut = true;
      }
      return timedOut || super.earlyTerminated();
    }
  }

  /** The k best (doc, score) pairs seen, without allocating per document. */
  private static final class TopHits {
    private final HitQueue queue;
    private ScoreDoc weakest;
    private int offered;

    TopHits(int k) {
      queue = new HitQueue(k, true); // pre-filled with -∞ sentinels
      weakest = queue.top();
    }

    void offer(int doc, float score) {
      offered++;
      if (score > weakest.score) {
        weakest.doc = doc;
        weakest.score = score;
        weakest = queue.updateTop();
      }
    }

    TopDocs topDocs(boolean partial) {
      while (queue.size() > 0 && queue.top().score == Float.NEGATIVE_INFINITY) {
        queue.pop();
      }
      ScoreDoc[] hits = new ScoreDoc[queue.size()];
      for (int i = hits.length - 1; i >= 0; i--) {
        hits[i] = queue.pop();
      }
      var relation =
          partial ? TotalHits.Relation.GREATER_THAN_OR_EQUAL_TO : TotalHits.Relation.EQUAL_TO;
      return new TopDocs(new TotalHits(offered, relation), hits);
    }
  }
}
