package dev.metaembed.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.metaembed.encoder.MetaEmbedEncoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.util.VectorUtil;

/**
 * Would an exact "large budget for the price of a small one" pay? For each query: the candidates
 * a first stage would give (the exact top {@code candidates} by vector 0, as the graph returns
 * them), their exact (r_q, r_c) MaxSim, and an upper bound on it from a cheap first pass that
 * reads only the first {@code read} document vectors (scored against all r_q query vectors). The
 * exact scheme scores candidates at the full budget in order of bound and stops when the next
 * bound is below the k-th score so far, so it must fully score every candidate whose bound
 * reaches the final k-th score: that count, over the candidates, is what it costs.
 *
 * <p>Bounds on the unread vectors j in (read, r_c], for unit query vectors (DOT_PRODUCT; the
 * score's mapping (1 + dot) / 2 is linear, so sums of dots rank the same):
 *
 * <ul>
 *   <li>{@code none}: what the format stores today, nothing about them: q·d ≤ |q|·max|d| (1 for
 *       unit vectors); the ball bounds below take the smaller of theirs and this one.
 *   <li>{@code ball}: one stored centroid c and radius ρ = max |d_j − c| of the unread vectors:
 *       q·d_j = q·c + q·(d_j − c) ≤ q·c + |q|·ρ (Cauchy–Schwarz). One vector more per document.
 *   <li>{@code 4 balls}: the same for each of (read, 2·read], …, doubling up to r_c (4 balls for
 *       4 → 64): four vectors more.
 * </ul>
 *
 * Usage: {@code BoundStudy real CORPUS.jsonl QUERIES.jsonl IDS.txt [options]} (the default model)
 * or {@code BoundStudy synthetic DOCS [options]} (the e2e bench's corpus); options {@code
 * --candidates 200 --k 10 --read 4 --budget 16x64 --queries N}. Prints a markdown table.
 */
public final class BoundStudy {
  private BoundStudy() {}

  /** The per-query outcome of one bound: candidates whose bound reaches the k-th score. */
  private static final String[] BOUNDS = {"none", "ball", "4 balls"};

  public static void main(String[] args) throws IOException {
    Map<String, String> options = options(args);
    int candidates = Integer.parseInt(options.getOrDefault("candidates", "200"));
    int k = Integer.parseInt(options.getOrDefault("k", "10"));
    int read = Integer.parseInt(options.getOrDefault("read", "4"));
    String[] budget = options.getOrDefault("budget", "16x64").split("x");
    int rq = Integer.parseInt(budget[0]), rc = Integer.parseInt(budget[1]);
    int maxQueries = Integer.parseInt(options.getOrDefault("queries", "1000000"));
    List<float[][]> docs = new ArrayList<>();
    List<float[][]> queries = new ArrayList<>();
    if (args[0].equals("real")) {
      encodeReal(Path.of(args[1]), Path.of(args[2]), Path.of(args[3]), maxQueries, docs, queries);
    } else {
      ClusteredCorpus corpus =
          new ClusteredCorpus(
              20260101L, 128, Integer.parseInt(args[1]), 1000, 0.8f, 0.8f, 0.3f, 0.3f);
      for (int d = 0; d < corpus.docs; d++) {
        docs.add(corpus.doc(d, rc));
      }
      for (int q = 0; q < Math.min(maxQueries, 200); q++) {
        queries.add(corpus.query(q, rq));
      }
    }
    double[][] needed = new double[BOUNDS.length][queries.size()];
    double[] slack = new double[BOUNDS.length];
    double gapSum = 0;
    for (int q = 0; q < queries.size(); q++) {
      float[][] query = Arrays.copyOf(queries.get(q), rq);
      int[] top = topByFirstVector(query[0], docs, Math.min(candidates, docs.size()));
      double[] full = new double[top.length];
      double[][] bounds = new double[BOUNDS.length][top.length];
      for (int c = 0; c < top.length; c++) {
        float[][] doc = Arrays.copyOf(docs.get(top[c]), rc);
        full[c] = maxSim(query, doc, 0, rc);
        double[] b = bounds(query, doc, read);
        for (int i = 0; i < BOUNDS.length; i++) {
          bounds[i][c] = b[i];
          slack[i] += (b[i] - full[c]) / top.length / queries.size();
        }
      }
      double[] sorted = full.clone();
      Arrays.sort(sorted);
      double kth = sorted[sorted.length - Math.min(k, sorted.length)];
      if (sorted.length > k) {
        gapSum += (kth - sorted[sorted.length - k - 1]) / queries.size();
      }
      for (int i = 0; i < BOUNDS.length; i++) {
        int count = 0;
        for (double bound : bounds[i]) {
          count += bound >= kth - 1e-6 ? 1 : 0;
        }
        needed[i][q] = count / (double) top.length;
      }
    }
    print(args[0], docs.size(), queries.size(), candidates, k, read, rq, rc, needed, slack, gapSum);
  }

  /** Σ_i max_{from ≤ j < to} q_i·d_j. */
  private static double maxSim(float[][] query, float[][] doc, int from, int to) {
    double sum = 0;
    for (float[] q : query) {
      sum += maxDot(q, doc, from, to);
    }
    return sum;
  }

  private static float maxDot(float[] q, float[][] doc, int from, int to) {
    float best = Float.NEGATIVE_INFINITY;
    for (int j = from; j < to; j++) {
      best = Math.max(best, VectorUtil.dotProduct(q, doc[j]));
    }
    return best;
  }

  /** Upper bounds on the full MaxSim from the first {@code read} vectors plus each summary. */
  private static double[] bounds(float[][] query, float[][] doc, int read) {
    int rc = doc.length;
    int cut = Math.min(read, rc);
    List<int[]> chunks = new ArrayList<>();
    for (int from = cut; from < rc; from = Math.min(rc, from * 2)) {
      chunks.add(new int[] {from, Math.min(rc, from * 2)});
    }
    double[] out = new double[BOUNDS.length];
    for (float[] q : query) {
      float seen = maxDot(q, doc, 0, cut);
      float norm = (float) Math.sqrt(VectorUtil.dotProduct(q, q));
      float trivial = norm * maxNorm(doc, cut, rc); // Cauchy–Schwarz; every bound takes the smaller
      out[0] += cut == rc ? seen : Math.max(seen, trivial);
      out[1] +=
          cut == rc ? seen : Math.max(seen, Math.min(trivial, ballBound(q, norm, doc, cut, rc)));
      float chunked = seen;
      for (int[] chunk : chunks) {
        chunked = Math.max(chunked, Math.min(trivial, ballBound(q, norm, doc, chunk[0], chunk[1])));
      }
      out[2] += chunked;
    }
    return out;
  }

  private static float maxNorm(float[][] doc, int from, int to) {
    float max = 0;
    for (int j = from; j < to; j++) {
      max = Math.max(max, (float) Math.sqrt(VectorUtil.dotProduct(doc[j], doc[j])));
    }
    return max;
  }

  /** q·c + |q|·ρ for the ball around the vectors {@code from..to-1} (computed here, stored in a format). */
  private static float ballBound(float[] q, float norm, float[][] doc, int from, int to) {
    float[] centre = new float[q.length];
    for (int j = from; j < to; j++) {
      for (int d = 0; d < centre.length; d++) {
        centre[d] += doc[j][d] / (to - from);
      }
    }
    float radius = 0;
    for (int j = from; j < to; j++) {
      radius = Math.max(radius, (float) Math.sqrt(VectorUtil.squareDistance(doc[j], centre)));
    }
    return VectorUtil.dotProduct(q, centre) + norm * radius * 1.0001f;
  }

  private static int[] topByFirstVector(float[] q0, List<float[][]> docs, int n) {
    Integer[] order = new Integer[docs.size()];
    float[] score = new float[docs.size()];
    for (int d = 0; d < order.length; d++) {
      order[d] = d;
      score[d] = VectorUtil.dotProduct(q0, docs.get(d)[0]);
    }
    Arrays.sort(order, (a, b) -> Float.compare(score[b], score[a]));
    return Arrays.stream(order, 0, n).mapToInt(Integer::intValue).toArray();
  }

  private static void encodeReal(
      Path corpus,
      Path queryFile,
      Path idFile,
      int maxQueries,
      List<float[][]> docs,
      List<float[][]> queries)
      throws IOException {
    Set<String> ids = new HashSet<>(Files.readAllLines(idFile, StandardCharsets.UTF_8));
    try (MetaEmbedEncoder encoder = MetaEmbedEncoder.loadDefault()) {
      List<String> batch = new ArrayList<>();
      for (String line : Files.readAllLines(corpus, StandardCharsets.UTF_8)) {
        if (line.isBlank()) {
          continue;
        }
        JsonObject json = JsonParser.parseString(line).getAsJsonObject();
        String title = json.has("title") ? json.get("title").getAsString() : "";
        String text = json.get("text").getAsString();
        batch.add(title.isEmpty() ? text : title + ". " + text);
        if (batch.size() == 32) {
          docs.addAll(encoder.encodeDocuments(batch));
          batch.clear();
          System.err.printf(Locale.ROOT, "\rencoded %d documents", docs.size());
        }
      }
      docs.addAll(encoder.encodeDocuments(batch));
      System.err.println();
      for (String line : Files.readAllLines(queryFile, StandardCharsets.UTF_8)) {
        if (line.isBlank() || queries.size() >= maxQueries) {
          continue;
        }
        JsonObject json = JsonParser.parseString(line).getAsJsonObject();
        String id = json.has("_id") ? json.get("_id").getAsString() : json.get("id").getAsString();
        if (ids.contains(id.strip())) {
          queries.add(encoder.encodeQuery(json.get("text").getAsString()));
        }
      }
    }
  }

  private static void print(
      String data,
      int docs,
      int queries,
      int candidates,
      int k,
      int read,
      int rq,
      int rc,
      double[][] needed,
      double[] slack,
      double gap) {
    System.out.printf(
        Locale.ROOT,
        "%s: %d documents, %d queries, %d candidates by vector 0, k %d, "
            + "budget (%d,%d), first pass reads %d document vectors; mean gap between the k-th and next "
            + "full score %.4f%n%n",
        data,
        docs,
        queries,
        candidates,
        k,
        rq,
        rc,
        read,
        gap);
    System.out.println(
        "| bound | extra vectors stored per document | mean bound − full score | candidates to score in full: mean | p50 | p90 |");
    System.out.println("|---|---:|---:|---:|---:|---:|");
    int[] extra = {0, 1, (int) Math.ceil(Math.log((double) rc / read) / Math.log(2))};
    for (int i = 0; i < BOUNDS.length; i++) {
      double[] sorted = needed[i].clone();
      Arrays.sort(sorted);
      System.out.printf(
          Locale.ROOT,
          "| %s | %d | %.3f | %.1f%% | %.1f%% | %.1f%% |%n",
          BOUNDS[i],
          extra[i],
          slack[i],
          100 * Arrays.stream(sorted).average().orElse(0),
          100 * sorted[sorted.length / 2],
          100 * sorted[(int) (sorted.length * 0.9)]);
    }
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].startsWith("--")) {
        options.put(args[i].substring(2), args[++i]);
      }
    }
    return options;
  }
}
