package dev.metaembed.bench;

import java.io.IOException;
import java.util.Arrays;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;

/**
 * Only the first stage of a {@code LateInteractionQuery}: the HNSW search of query vector 0 over
 * document vector 0 for {@code k} nearest documents per segment, on the MetaEmbed field's own graph
 * (the same graph search the late-interaction query runs), without reading any prefix. For timing
 * only: it matches nothing.
 */
final class EndToEndFirstStageQuery extends Query {
  private final String field;
  private final float[] target;
  private final int k;

  /** Nearest documents found by the last rewrite, so the search cannot be optimized away. */
  static volatile long found;

  EndToEndFirstStageQuery(String field, float[] target, int k) {
    this.field = field;
    this.target = target;
    this.k = k;
  }

  @Override
  public Query rewrite(IndexSearcher searcher) throws IOException {
    long hits = 0;
    for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
      var reader = leaf.reader();
      hits +=
          reader.searchNearestVectors(
                  field,
                  target,
                  k,
                  AcceptDocs.fromLiveDocs(reader.getLiveDocs(), reader.maxDoc()),
                  Integer.MAX_VALUE)
              .scoreDocs
              .length;
    }
    found = hits;
    return new MatchNoDocsQuery("first stage only");
  }

  @Override
  public void visit(QueryVisitor visitor) {
    visitor.visitLeaf(this);
  }

  @Override
  public String toString(String f) {
    return "FirstStage(" + field + ", k=" + k + ")";
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof EndToEndFirstStageQuery that
        && field.equals(that.field)
        && k == that.k
        && Arrays.equals(target, that.target);
  }

  @Override
  public int hashCode() {
    return 31 * field.hashCode() + Arrays.hashCode(target) + k;
  }
}
