package dev.metaembed.opensearch;

import dev.metaembed.lucene.codec.MetaEmbedField;
import dev.metaembed.lucene.codec.MetaEmbedVectorsFormat;
import dev.metaembed.lucene.codec.VectorStorage;
import java.util.List;
import java.util.Map;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.FieldExistsQuery;
import org.apache.lucene.search.Query;
import org.opensearch.index.mapper.ArraySourceValueFetcher;
import org.opensearch.index.mapper.MappedFieldType;
import org.opensearch.index.mapper.TextSearchInfo;
import org.opensearch.index.mapper.ValueFetcher;
import org.opensearch.index.query.QueryShardContext;
import org.opensearch.index.query.QueryShardException;
import org.opensearch.search.lookup.SearchLookup;

/**
 * The search-side view of a {@code metaembed_vector} field: its shape, the Lucene field type its
 * documents are indexed with, and the vectors format the codec writes it with. It is searched
 * only through {@code late_interaction}; {@code exists} works, other queries are refused.
 */
public final class MetaEmbedVectorFieldType extends MappedFieldType {
  private final int dims;
  private final int maxVectors;
  private final VectorSimilarityFunction similarity;
  private final VectorStorage storage;
  private final FieldType luceneType;
  private final KnnVectorsFormat vectorsFormat;

  MetaEmbedVectorFieldType(
      String name,
      int dims,
      int maxVectors,
      VectorSimilarityFunction similarity,
      VectorStorage storage,
      int m,
      int efConstruction,
      Map<String, String> meta) {
    super(name, true, false, false, TextSearchInfo.NONE, meta);
    this.dims = dims;
    this.maxVectors = maxVectors;
    this.similarity = similarity;
    this.storage = storage;
    this.luceneType = MetaEmbedField.createFieldType(dims, maxVectors, similarity, storage);
    this.vectorsFormat = new MetaEmbedVectorsFormat(m, efConstruction);
  }

  /** Components per vector. */
  public int dims() {
    return dims;
  }

  /** Vectors per document at most. */
  public int maxVectors() {
    return maxVectors;
  }

  /** Similarity between a query vector and a document vector. */
  public VectorSimilarityFunction similarity() {
    return similarity;
  }

  /** Encoding of the stored vectors. */
  public VectorStorage storage() {
    return storage;
  }

  FieldType luceneType() {
    return luceneType;
  }

  KnnVectorsFormat vectorsFormat() {
    return vectorsFormat;
  }

  @Override
  public String typeName() {
    return MetaEmbedVectorFieldMapper.CONTENT_TYPE;
  }

  @Override
  public ValueFetcher valueFetcher(
      QueryShardContext context, SearchLookup searchLookup, String format) {
    if (format != null) {
      throw new IllegalArgumentException(
          "field [" + name() + "] of type [" + typeName() + "] doesn't support formats");
    }
    return new ArraySourceValueFetcher(name(), context) {
      @Override
      protected Object parseSourceValue(Object value) {
        return List.of(value); // the document's vectors, as one value
      }
    };
  }

  @Override
  public Query existsQuery(QueryShardContext context) {
    return new FieldExistsQuery(name());
  }

  @Override
  public Query termQuery(Object value, QueryShardContext context) {
    throw new QueryShardException(
        context,
        "field ["
            + name()
            + "] of type ["
            + typeName()
            + "] is searched with the [late_interaction] query, not with term queries");
  }
}
