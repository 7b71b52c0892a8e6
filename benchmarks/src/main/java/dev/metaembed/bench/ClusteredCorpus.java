package dev.metaembed.bench;

import java.util.SplittableRandom;

/**
 * Deterministic synthetic MetaEmbed-like data, coarse to fine, generated on the fly: nothing but the
 * cluster centres is held in memory; a document (or query) is regenerated from its own seed.
 *
 * <p>Document {@code id}: a cluster c (uniform), a topic t = normalize(centre_c + N(0, topicNoise²/dim)),
 * and a per-document detail direction D ~ N(0, 1/dim). Vector 0 is t; vector i &gt; 0 is
 * normalize(t + w_i·detailNoise·D + N(0, jitter²/dim)) with w_i = i/(n−1) growing along the
 * Matryoshka order, so later vectors carry more document-specific detail.
 *
 * <p>Query {@code q}: picks a random source document, takes its cluster, topic and detail, perturbs
 * them (topic by queryNoise, detail by queryNoise) and builds its vectors the same way, so the
 * source document and its cluster neighbours are relevant. All vectors are unit length (for
 * DOT_PRODUCT).
 */
final class ClusteredCorpus {
  private static final long QUERY_SALT = 0x5DEECE66DL * 31 + 17;

  final long seed;
  final int dim;
  final int docs;
  final int clusters;
  final float topicNoise;
  final float detailNoise;
  final float jitter;
  final float queryNoise;
  private final float[][] centres;

  ClusteredCorpus(
      long seed,
      int dim,
      int docs,
      int clusters,
      float topicNoise,
      float detailNoise,
      float jitter,
      float queryNoise) {
    this.seed = seed;
    this.dim = dim;
    this.docs = docs;
    this.clusters = clusters;
    this.topicNoise = topicNoise;
    this.detailNoise = detailNoise;
    this.jitter = jitter;
    this.queryNoise = queryNoise;
    SplittableRandom random = new SplittableRandom(seed);
    centres = new float[clusters][];
    for (int c = 0; c < clusters; c++) {
      centres[c] = gaussian(random, 1f);
      normalize(centres[c]);
    }
  }

  /** The cluster, topic and detail of a document: the part a query derived from it shares. */
  private record Item(int cluster, float[] topic, float[] detail) {}

  private Item item(int id) {
    SplittableRandom random = docRandom(id);
    int cluster = random.nextInt(clusters);
    float[] topic = add(centres[cluster], gaussian(random, topicNoise / (float) Math.sqrt(dim)));
    normalize(topic);
    float[] detail = gaussian(random, 1f / (float) Math.sqrt(dim));
    return new Item(cluster, topic, detail);
  }

  private SplittableRandom docRandom(int id) {
    return new SplittableRandom(mix(seed + id));
  }

  /** Document {@code id}'s {@code count} vectors. */
  float[][] doc(int id, int count) {
    SplittableRandom random = docRandom(id);
    Item item = item(id);
    // advance past the item draws with a distinct stream for the per-vector jitter
    SplittableRandom vectorRandom =
        new SplittableRandom(mix(random.nextLong() ^ 0x9E3779B97F4A7C15L));
    return vectors(item.topic, item.detail, count, vectorRandom);
  }

  /** The cluster of document {@code id}. */
  int cluster(int id) {
    return item(id).cluster;
  }

  /** Query {@code q}'s {@code count} vectors, derived from a random document. */
  float[][] query(int q, int count) {
    SplittableRandom random = new SplittableRandom(mix(seed ^ QUERY_SALT) + q);
    random = new SplittableRandom(mix(random.nextLong()));
    int source = random.nextInt(docs);
    Item item = item(source);
    float[] topic = add(item.topic, gaussian(random, queryNoise / (float) Math.sqrt(dim)));
    normalize(topic);
    float[] detail = add(item.detail, gaussian(random, queryNoise / (float) Math.sqrt(dim)));
    return vectors(topic, detail, count, random);
  }

  private float[][] vectors(float[] topic, float[] detail, int count, SplittableRandom random) {
    float[][] vectors = new float[count][];
    float sigma = jitter / (float) Math.sqrt(dim);
    for (int i = 0; i < count; i++) {
      if (i == 0) {
        vectors[i] = topic.clone();
      } else {
        float w = detailNoise * i / (float) Math.max(1, count - 1);
        float[] v = new float[dim];
        for (int k = 0; k < dim; k++) {
          v[k] = topic[k] + w * detail[k] + (float) random.nextGaussian() * sigma;
        }
        vectors[i] = v;
      }
      normalize(vectors[i]);
    }
    return vectors;
  }

  private float[] gaussian(SplittableRandom random, float sigma) {
    float[] v = new float[dim];
    for (int k = 0; k < dim; k++) {
      v[k] = (float) random.nextGaussian() * sigma;
    }
    return v;
  }

  private static float[] add(float[] a, float[] b) {
    float[] sum = new float[a.length];
    for (int k = 0; k < a.length; k++) {
      sum[k] = a[k] + b[k];
    }
    return sum;
  }

  private static void normalize(float[] v) {
    double norm = 0;
    for (float x : v) {
      norm += (double) x * x;
    }
    float inv = (float) (1 / Math.sqrt(norm));
    for (int k = 0; k < v.length; k++) {
      v[k] *= inv;
    }
  }

  /** SplitMix64 finalizer: decorrelates nearby seeds. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
