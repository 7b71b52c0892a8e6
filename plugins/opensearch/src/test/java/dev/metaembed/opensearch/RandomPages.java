package dev.metaembed.opensearch;

import dev.metaembed.lucene.codec.VectorStorage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.opensearch.common.xcontent.XContentFactory;
import org.opensearch.core.xcontent.XContentBuilder;

/**
 * Random multi-vector documents for the cluster tests, as JSON and as the test's reference: a
 * random topic as vector 0 and finer vectors around it, so that graph candidates on vector 0 find
 * the best documents at every budget, as they do for real MetaEmbed vectors.
 */
final class RandomPages {
  static final String INDEX = "pages";
  static final String FIELD = "page";
  static final int DIMS = 16;
  static final int MAX_VECTORS = 8;
  private static final String[] WORDS = {
    "grep", "sed", "awk", "tar", "ssh", "curl", "find", "sort"
  };

  /** One document: its id, vectors (Matryoshka order), language and title. */
  record Page(String id, float[][] vectors, String lang, String title) {}

  private RandomPages() {}

  static List<Page> generate(Random random, int count) {
    List<Page> pages = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      float[][] vectors = new float[1 + random.nextInt(MAX_VECTORS)][];
      float[] topic = unitVector(random);
      vectors[0] = topic;
      for (int v = 1; v < vectors.length; v++) {
        vectors[v] = near(topic, random); // coarse to fine, as MetaEmbed vectors are
      }
      String lang = random.nextInt(3) == 0 ? "de" : "en";
      String title =
          WORDS[random.nextInt(WORDS.length)] + " " + WORDS[random.nextInt(WORDS.length)];
      pages.add(new Page(Integer.toString(i), vectors, lang, title));
    }
    return pages;
  }

  static float[] unitVector(Random random) {
    float[] vector = new float[DIMS];
    double norm = 0;
    for (int i = 0; i < DIMS; i++) {
      vector[i] = (float) random.nextGaussian();
      norm += vector[i] * vector[i];
    }
    for (int i = 0; i < DIMS; i++) {
      vector[i] /= (float) Math.sqrt(norm);
    }
    return vector;
  }

  /** A unit vector around {@code topic}. */
  private static float[] near(float[] topic, Random random) {
    float[] detail = unitVector(random);
    float[] vector = new float[DIMS];
    double norm = 0;
    for (int i = 0; i < DIMS; i++) {
      vector[i] = topic[i] + 0.5f * detail[i];
      norm += vector[i] * vector[i];
    }
    for (int i = 0; i < DIMS; i++) {
      vector[i] /= (float) Math.sqrt(norm);
    }
    return vector;
  }

  /** A query's vectors: a random topic first, finer ones around it. */
  static float[][] queryVectors(Random random, int count) {
    float[][] vectors = new float[count][];
    vectors[0] = unitVector(random);
    for (int i = 1; i < count; i++) {
      vectors[i] = near(vectors[0], random);
    }
    return vectors;
  }

  static XContentBuilder source(Page page) throws IOException {
    XContentBuilder json = XContentFactory.jsonBuilder().startObject().startArray(FIELD);
    for (float[] vector : page.vectors()) {
      json.value(vector);
    }
    return json.endArray().field("lang", page.lang()).field("title", page.title()).endObject();
  }

  /** The mapping of the test index: the field with {@code storage}, a keyword and a text field. */
  static Map<String, Object> mapping(VectorStorage storage) {
    Map<String, Object> page = new LinkedHashMap<>();
    page.put("type", MetaEmbedVectorFieldMapper.CONTENT_TYPE);
    page.put("dims", DIMS);
    page.put("max_vectors", MAX_VECTORS);
    page.put("similarity", "dot_product");
    page.put("storage", storage.attributeValue());
    page.put("m", 8);
    page.put("ef_construction", 50);
    return Map.of(
        "properties",
        Map.of(FIELD, page, "lang", Map.of("type", "keyword"), "title", Map.of("type", "text")));
  }
}
