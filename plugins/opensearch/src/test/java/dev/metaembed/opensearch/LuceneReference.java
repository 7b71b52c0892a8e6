package dev.metaembed.opensearch;

import dev.metaembed.lucene.codec.MetaEmbedCodec;
import dev.metaembed.lucene.codec.MetaEmbedField;
import dev.metaembed.lucene.codec.VectorStorage;
import dev.metaembed.lucene.search.LateInteractionQuery;
import java.io.Closeable;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;

/**
 * The same documents in a plain Lucene index with the MetaEmbed codec: what {@link
 * LateInteractionQuery} in exact mode returns is what the cluster must return.
 */
final class LuceneReference implements Closeable {
  private final Directory directory = new ByteBuffersDirectory();
  private final DirectoryReader reader;
  private final IndexSearcher searcher;

  LuceneReference(List<RandomPages.Page> pages, VectorStorage storage) throws IOException {
    FieldType type =
        MetaEmbedField.createFieldType(
            RandomPages.DIMS,
            RandomPages.MAX_VECTORS,
            VectorSimilarityFunction.DOT_PRODUCT,
            storage);
    try (IndexWriter writer =
        new IndexWriter(directory, new IndexWriterConfig().setCodec(new MetaEmbedCodec()))) {
      for (RandomPages.Page page : pages) {
        Document doc = new Document();
        doc.add(new StoredField("id", page.id()));
        doc.add(new StringField("lang", page.lang(), Field.Store.NO));
        doc.add(new MetaEmbedField(RandomPages.FIELD, page.vectors(), type));
        writer.addDocument(doc);
      }
    }
    reader = DirectoryReader.open(directory);
    searcher = new IndexSearcher(reader);
  }

  /** Exact top k (id → score), best first; only documents of {@code lang} when it is not null. */
  Map<String, Float> exactTopK(
      float[][] query, int queryBudget, int documentBudget, int k, String lang) throws IOException {
    LateInteractionQuery.Builder builder =
        LateInteractionQuery.builder(RandomPages.FIELD, query)
            .k(k)
            .budget(queryBudget, documentBudget)
            .exact();
    if (lang != null) {
      builder.filter(new TermQuery(new Term("lang", lang)));
    }
    TopDocs hits = searcher.search(builder.build(), k);
    Map<String, Float> top = new LinkedHashMap<>();
    for (ScoreDoc hit : hits.scoreDocs) {
      top.put(searcher.storedFields().document(hit.doc).get("id"), hit.score);
    }
    return top;
  }

  @Override
  public void close() throws IOException {
    reader.close();
    directory.close();
  }
}
