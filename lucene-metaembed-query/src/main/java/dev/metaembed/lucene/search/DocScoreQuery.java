package dev.metaembed.lucene.search;

import java.io.IOException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.ScorerSupplier;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.Weight;

/**
 * The fixed result a {@link LateInteractionQuery} rewrites into: its top documents and their
 * scores, for one reader. Lucene's own equivalent is package-private.
 *
 * <p>When the search that produced it was cut short by the searcher's timeout, the query is
 * marked partial: it then offers a (possibly empty) scorer for every segment, so that Lucene's
 * time-limited scoring sees the expired timeout and reports {@code IndexSearcher#timedOut()}.
 */
final class DocScoreQuery extends Query {
  /** Explains one matching document's score. */
  interface Explainer {
    Explanation explain(LeafReaderContext context, int doc, float score) throws IOException;
  }

  private final int[] docs;
  private final float[] scores;
  private final int[] segmentStarts;
  private final float maxScore;
  private final Object contextIdentity;
  private final boolean partial;
  private final Explainer explainer;
  private final String description;

  private DocScoreQuery(
      int[] docs,
      float[] scores,
      int[] segmentStarts,
      Object contextIdentity,
      boolean partial,
      Explainer explainer,
      String description) {
    this.docs = docs;
    this.scores = scores;
    this.segmentStarts = segmentStarts;
    float max = 0f;
    for (float score : scores) {
      max = Math.max(max, score);
    }
    this.maxScore = max;
    this.contextIdentity = contextIdentity;
    this.partial = partial;
    this.explainer = explainer;
    this.description = description;
  }

  /** The query matching exactly {@code topK}'s documents (global doc ids) with their scores. */
  static DocScoreQuery of(
      IndexReader reader, TopDocs topK, boolean partial, Explainer explainer, String description) {
    ScoreDoc[] hits = topK.scoreDocs.clone();
    Arrays.sort(hits, Comparator.comparingInt(hit -> hit.doc));
    int[] docs = new int[hits.length];
    float[] scores = new float[hits.length];
    for (int i = 0; i < hits.length; i++) {
      docs[i] = hits[i].doc;
      scores[i] = hits[i].score;
    }
    return new DocScoreQuery(
        docs,
        scores,
        segmentStarts(reader.leaves(), docs),
        reader.getContext().id(),
        partial,
        explainer,
        description);
  }

  private static int[] segmentStarts(List<LeafReaderContext> leaves, int[] docs) {
    int[] starts = new int[leaves.size() + 1];
    starts[leaves.size()] = docs.length;
    for (int i = 1; i < leaves.size(); i++) {
      int found = Arrays.binarySearch(docs, leaves.get(i).docBase);
      starts[i] = found >= 0 ? found : -1 - found;
    }
    return starts;
  }

  @Override
  public Weight createWeight(IndexSearcher searcher, ScoreMode scoreMode, float boost) {
    if (searcher.getIndexReader().getContext().id() != contextIdentity) {
      throw new IllegalStateException(
          "this query was rewritten for another reader; rewrite it with this searcher");
    }
    return new Weight(this) {
      @Override
      public Explanation explain(LeafReaderContext context, int doc) throws IOException {
        int found = Arrays.binarySearch(docs, context.docBase + doc);
        if (found < 0) {
          return Explanation.noMatch("not in the top " + docs.length + " of " + description);
        }
        Explanation raw = explainer.explain(context, doc, scores[found]);
        return boost == 1f
            ? raw
            : Explanation.match(
                scores[found] * boost, "product of:", raw, Explanation.match(boost, "boost"));
      }

      @Override
      public int count(LeafReaderContext context) {
        return partial ? -1 : segmentStarts[context.ord + 1] - segmentStarts[context.ord];
      }

      @Override
      public ScorerSupplier scorerSupplier(LeafReaderContext context) {
        int lower = segmentStarts[context.ord];
        int upper = segmentStarts[context.ord + 1];
        if (lower == upper && partial == false) {
          return null;
        }
        return new DefaultScorerSupplier(new SegmentScorer(context.docBase, lower, upper, boost));
      }

      @Override
      public boolean isCacheable(LeafReaderContext context) {
        return partial == false;
      }
    };
  }

  /** Iterates one segment's slice of {@code docs}. */
  private final class SegmentScorer extends Scorer {
    private final int docBase;
    private final int lower;
    private final int upper;
    private final float boost;
    private int index = -1;

    SegmentScorer(int docBase, int lower, int upper, float boost) {
      this.docBase = docBase;
      this.lower = lower;
      this.upper = upper;
      this.boost = boost;
    }

    @Override
    public int docID() {
      if (index < 0) {
        return -1;
      }
      return index >= upper ? DocIdSetIterator.NO_MORE_DOCS : docs[index] - docBase;
    }

    @Override
    public DocIdSetIterator iterator() {
      return new DocIdSetIterator() {
        @Override
        public int docID() {
          return SegmentScorer.this.docID();
        }

        @Override
        public int nextDoc() {
          index = index < 0 ? lower : index + 1;
          return docID();
        }

        @Override
        public int advance(int target) throws IOException {
          return slowAdvance(target);
        }

        @Override
        public long cost() {
          return upper - lower;
        }
      };
    }

    @Override
    public float score() {
      return scores[index] * boost;
    }

    @Override
    public float getMaxScore(int upTo) {
      return maxScore * boost;
    }
  }

  @Override
  public String toString(String field) {
    return "DocScoreQuery("
        + docs.length
        + " docs of "
        + description
        + (partial ? ", partial)" : ")");
  }

  @Override
  public void visit(QueryVisitor visitor) {
    visitor.visitLeaf(this);
  }

  @Override
  public boolean equals(Object other) {
    return sameClassAs(other)
        && contextIdentity == ((DocScoreQuery) other).contextIdentity
        && partial == ((DocScoreQuery) other).partial
        && Arrays.equals(docs, ((DocScoreQuery) other).docs)
        && Arrays.equals(scores, ((DocScoreQuery) other).scores);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        classHash(), contextIdentity, partial, Arrays.hashCode(docs), Arrays.hashCode(scores));
  }
}
