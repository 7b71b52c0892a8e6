package dev.metaembed.cli;

import dev.metaembed.encoder.MetaEmbedEncoder;
import dev.metaembed.lucene.codec.MetaEmbedVectorValues;
import dev.metaembed.lucene.search.LateInteractionQuery;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;

/** An opened index with the encoder it was built with: what search, eval and demo share. */
final class Searcher implements Closeable {
  final Directory directory;
  final DirectoryReader reader;
  final IndexSearcher searcher;
  final MetaEmbedEncoder encoder;
  final int storedVectors;
  final int dimension;

  /** Bytes one stored vector takes in the prefix store (the index's storage encoding). */
  final int bytesPerVector;

  Searcher(Path index, String model, int threads) throws IOException {
    directory = IndexLayout.openExisting(index);
    try {
      reader = IndexLayout.openReader(directory, index);
      searcher = new IndexSearcher(reader);
      encoder = IndexLayout.encoder(reader, model, threads);
      int max = 0;
      int dim = encoder.dimension();
      int bytes = dim * Float.BYTES;
      for (LeafReaderContext ctx : reader.leaves()) {
        MetaEmbedVectorValues values = MetaEmbedVectorValues.get(ctx.reader(), IndexLayout.VECTORS);
        if (values != null) {
          max = Math.max(max, values.maxVectors());
          dim = values.dimension();
          bytes = values.storage().bytesPerVector(dim);
        }
      }
      storedVectors = max;
      dimension = dim;
      bytesPerVector = bytes;
      if (dim != encoder.dimension()) {
        throw new UserException(
            "the index holds "
                + dim
                + "-dimensional vectors but the model makes "
                + encoder.dimension());
      }
    } catch (IOException | RuntimeException e) {
      directory.close();
      throw e;
    }
  }

  /** Checks a budget against the model's query vectors and the index's stored vectors. */
  void checkBudget(Budget budget) {
    if (budget.query() > encoder.queryVectors()) {
      throw new UserException(
          "budget "
              + budget
              + " uses "
              + budget.query()
              + " query vectors; the model makes at most "
              + encoder.queryVectors());
    }
    if (budget.document() > storedVectors) {
      throw new UserException(
          "budget "
              + budget
              + " uses "
              + budget.document()
              + " document vectors; the index stores at most "
              + storedVectors);
    }
  }

  /** The full budget: every query vector the model makes, every stored vector. */
  Budget fullBudget() {
    return new Budget(encoder.queryVectors(), storedVectors);
  }

  TopDocs search(float[][] queryVectors, Budget budget, int k, Integer candidates, boolean exact)
      throws IOException {
    return search(queryVectors, budget, k, candidates, exact, null);
  }

  /** As {@link #search(float[][], Budget, int, Integer, boolean)}, with a cascade (null: none). */
  TopDocs search(
      float[][] queryVectors, Budget budget, int k, Integer candidates, boolean exact, Prune prune)
      throws IOException {
    int queryBudget = Math.min(budget.query(), queryVectors.length);
    LateInteractionQuery.Builder builder =
        LateInteractionQuery.builder(IndexLayout.VECTORS, queryVectors)
            .k(k)
            .budget(queryBudget, budget.document());
    if (candidates != null) {
      builder.candidates(candidates);
    }
    if (exact) {
      builder.exact();
    }
    if (prune != null && prune.appliesTo(budget)) {
      builder.prune(
          Math.min(prune.budget().query(), queryBudget), prune.budget().document(), prune.keep());
    }
    return searcher.search(builder.build(), k);
  }

  String storedField(int doc, String field) throws IOException {
    String value = searcher.storedFields().document(doc).get(field);
    return value == null ? "" : value;
  }

  @Override
  public void close() throws IOException {
    try {
      encoder.close();
      reader.close();
    } finally {
      directory.close();
    }
  }
}
