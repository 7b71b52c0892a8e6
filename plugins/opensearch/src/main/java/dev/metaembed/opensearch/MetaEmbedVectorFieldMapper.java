package dev.metaembed.opensearch;

import dev.metaembed.lucene.codec.MetaEmbedField;
import dev.metaembed.lucene.codec.VectorStorage;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.opensearch.index.mapper.FieldMapper;
import org.opensearch.index.mapper.MapperParsingException;
import org.opensearch.index.mapper.ParametrizedFieldMapper;
import org.opensearch.index.mapper.ParseContext;

/**
 * The {@code metaembed_vector} field: each document holds 1..{@code max_vectors} vectors of
 * {@code dims} components in Matryoshka order, indexed as a {@link MetaEmbedField}.
 *
 * <pre>
 * "page": {"type": "metaembed_vector", "dims": 128, "max_vectors": 64,
 *          "similarity": "dot_product", "storage": "float32", "m": 16, "ef_construction": 100}
 * </pre>
 *
 * {@code dims} is required; the others default as shown ({@code similarity} defaults to {@code
 * cosine}). None can be changed once the field exists. The index must be created with {@code
 * index.metaembed: true}; any {@code index.codec} whose vectors format is per field (every codec
 * OpenSearch ships) carries the field ({@link MetaEmbedCodecService}).
 */
public final class MetaEmbedVectorFieldMapper extends ParametrizedFieldMapper {
  /** The mapping type name. */
  public static final String CONTENT_TYPE = "metaembed_vector";

  static final TypeParser PARSER =
      new TypeParser(
          (name, context) -> {
            if (MetaEmbedSettings.INDEX_METAEMBED.get(context.getSettings()) == false) {
              throw new MapperParsingException(
                  "field ["
                      + name
                      + "] of type ["
                      + CONTENT_TYPE
                      + "] needs an index created with ["
                      + MetaEmbedSettings.INDEX_METAEMBED.getKey()
                      + ": true]");
            }
            return new Builder(name);
          });

  private final String similarity;
  private final String storage;
  private final int m;
  private final int efConstruction;

  private MetaEmbedVectorFieldMapper(
      String simpleName, MetaEmbedVectorFieldType type, Builder builder) {
    super(simpleName, type, MultiFields.empty(), CopyTo.empty());
    this.similarity = builder.similarity.get();
    this.storage = builder.storage.get();
    this.m = builder.m.get();
    this.efConstruction = builder.efConstruction.get();
  }

  @Override
  public MetaEmbedVectorFieldType fieldType() {
    return (MetaEmbedVectorFieldType) super.fieldType();
  }

  @Override
  public boolean parsesArrayValue() {
    return true;
  }

  @Override
  protected void parseCreateField(ParseContext context) throws IOException {
    MetaEmbedVectorFieldType type = fieldType();
    float[][] vectors =
        VectorArrays.parse(context.parser(), "field [" + type.name() + "]", type.maxVectors());
    if (vectors != null) {
      context.doc().add(new MetaEmbedField(type.name(), vectors, type.luceneType()));
    }
  }

  @Override
  public ParametrizedFieldMapper.Builder getMergeBuilder() {
    return new Builder(simpleName()).init(this);
  }

  @Override
  protected String contentType() {
    return CONTENT_TYPE;
  }

  private static MetaEmbedVectorFieldMapper toType(FieldMapper mapper) {
    return (MetaEmbedVectorFieldMapper) mapper;
  }

  /** The mapping parameters; every one is fixed once the field exists. */
  static final class Builder extends ParametrizedFieldMapper.Builder {
    private final Parameter<Integer> dims =
        Parameter.intParam("dims", false, mapper -> toType(mapper).fieldType().dims(), -1)
            .setValidator(v -> checkRange("dims", v, MetaEmbedField.MAX_DIMENSION))
            .alwaysSerialize();
    private final Parameter<Integer> maxVectors =
        Parameter.intParam(
                "max_vectors", false, mapper -> toType(mapper).fieldType().maxVectors(), 64)
            .setValidator(v -> checkRange("max_vectors", v, MetaEmbedField.MAX_VECTORS))
            .alwaysSerialize();
    private final Parameter<String> similarity =
        Parameter.restrictedStringParam(
                "similarity",
                false,
                mapper -> toType(mapper).similarity,
                Similarity.names().toArray(new String[0]))
            .alwaysSerialize();
    private final Parameter<String> storage =
        Parameter.restrictedStringParam(
                "storage",
                false,
                mapper -> toType(mapper).storage,
                Arrays.stream(VectorStorage.values())
                    .map(VectorStorage::attributeValue)
                    .toArray(String[]::new))
            .alwaysSerialize();
    private final Parameter<Integer> m =
        Parameter.intParam("m", false, mapper -> toType(mapper).m, 16)
            .setValidator(v -> checkRange("m", v, 512));
    private final Parameter<Integer> efConstruction =
        Parameter.intParam("ef_construction", false, mapper -> toType(mapper).efConstruction, 100)
            .setValidator(v -> checkRange("ef_construction", v, 3200));
    private final Parameter<Map<String, String>> meta = Parameter.metaParam();

    Builder(String name) {
      super(name);
    }

    @Override
    protected List<Parameter<?>> getParameters() {
      return List.of(dims, maxVectors, similarity, storage, m, efConstruction, meta);
    }

    @Override
    public MetaEmbedVectorFieldMapper build(BuilderContext context) {
      if (copyTo.build().copyToFields().isEmpty() == false
          || multiFieldsBuilder.build(this, context).iterator().hasNext()) {
        throw new MapperParsingException(
            "field ["
                + name
                + "] of type ["
                + CONTENT_TYPE
                + "] supports neither [copy_to] nor [fields]");
      }
      MetaEmbedVectorFieldType type =
          new MetaEmbedVectorFieldType(
              buildFullName(context),
              dims.get(),
              maxVectors.get(),
              Similarity.of(similarity.get()),
              VectorStorage.fromName(storage.get()),
              m.get(),
              efConstruction.get(),
              meta.get());
      return new MetaEmbedVectorFieldMapper(name, type, this);
    }

    private static void checkRange(String parameter, int value, int max) {
      if (value == -1 && parameter.equals("dims")) {
        throw new MapperParsingException("[dims] is required for type [" + CONTENT_TYPE + "]");
      }
      if (value < 1 || value > max) {
        throw new MapperParsingException(
            "[" + parameter + "] must be in 1.." + max + ", got " + value);
      }
    }
  }

  /** Similarity names of the mapping, as Elasticsearch's dense_vector spells them. */
  enum Similarity {
    COSINE(VectorSimilarityFunction.COSINE),
    DOT_PRODUCT(VectorSimilarityFunction.DOT_PRODUCT),
    L2_NORM(VectorSimilarityFunction.EUCLIDEAN),
    MAX_INNER_PRODUCT(VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT);

    private final VectorSimilarityFunction function;

    Similarity(VectorSimilarityFunction function) {
      this.function = function;
    }

    static List<String> names() {
      return Arrays.stream(values()).map(s -> s.name().toLowerCase(Locale.ROOT)).toList();
    }

    static VectorSimilarityFunction of(String name) {
      return valueOf(name.toUpperCase(Locale.ROOT)).function;
    }
  }
}
