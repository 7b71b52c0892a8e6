package dev.metaembed.opensearch;

import org.opensearch.index.mapper.MappedFieldType;
import org.opensearch.index.query.QueryShardContext;
import org.opensearch.index.query.QueryShardException;

/** What a shard checks of a query against its mapping and index settings: 400s that say why. */
final class ShardQueryChecks {
  private ShardQueryChecks() {}

  /**
   * The field's type, a {@code metaembed_vector}.
   *
   * @throws QueryShardException when the field is not mapped or of another type
   */
  static MappedFieldType fieldType(QueryShardContext context, String query, String field) {
    MappedFieldType type = context.fieldMapper(field);
    if (type == null) {
      throw new QueryShardException(context, "[" + query + "] field [" + field + "] is not mapped");
    }
    if (type.unwrap() instanceof MetaEmbedVectorFieldType == false) {
      throw new QueryShardException(
          context,
          "["
              + query
              + "] field ["
              + field
              + "] is of type ["
              + type.typeName()
              + "], not ["
              + MetaEmbedVectorFieldMapper.CONTENT_TYPE
              + "]");
    }
    return type;
  }

  /**
   * At most {@code index.metaembed.max_query_vectors} vectors, each of the field's dims.
   *
   * @throws IllegalArgumentException naming the setting and index, or the vector and dims
   */
  static void queryVectors(
      QueryShardContext context,
      String query,
      String field,
      MappedFieldType type,
      float[][] vectors) {
    int maxQueryVectors =
        MetaEmbedSettings.MAX_QUERY_VECTORS.get(context.getIndexSettings().getSettings());
    if (vectors.length > maxQueryVectors) {
      throw new IllegalArgumentException(
          "["
              + query
              + "] has "
              + vectors.length
              + " query vectors, more than the "
              + maxQueryVectors
              + " that ["
              + MetaEmbedSettings.MAX_QUERY_VECTORS.getKey()
              + "] allows for index ["
              + context.index().getName()
              + "]");
    }
    int dims = ((MetaEmbedVectorFieldType) type.unwrap()).dims();
    for (int i = 0; i < vectors.length; i++) {
      if (vectors[i].length != dims) {
        throw new IllegalArgumentException(
            "["
                + query
                + "] query vector "
                + i
                + " has "
                + vectors[i].length
                + " components, field ["
                + field
                + "] has dims "
                + dims);
      }
    }
  }
}
