package dev.metaembed.encoder;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.IntStream;
import org.apache.lucene.util.VectorUtil;

/**
 * Measures retrieval quality per budget of each {@link PooledVectors.Scheme} with exact MaxSim:
 * nDCG@10 on a BEIR set (the man pages set for docs/ENCODER.md). Not a test; run with the test
 * classpath: {@code PoolingSchemeStudy DATA_DIR [QUERIES] [MODEL_DIR] [SCHEME,...]}.
 */
public final class PoolingSchemeStudy {
  private static final int[][] BUDGETS = {{1, 1}, {2, 4}, {4, 8}, {8, 16}, {16, 64}};

  public static void main(String[] args) throws Exception {
    BeirData data = BeirData.read(Path.of(args[0]));
    int sample = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    Path modelDir =
        args.length > 2 && args[2].equals("default") == false
            ? Path.of(args[2])
            : BuiltinModel.POOLED_MINILM.directory();
    List<String> shuffled = new ArrayList<>(data.queries().keySet());
    Collections.shuffle(shuffled, new Random(42));
    List<String> queryIds = shuffled.subList(0, Math.min(sample, shuffled.size()));
    List<String> docIds = data.docIds();
    System.out.printf(Locale.ROOT, "%d documents, %d queries%n", docIds.size(), queryIds.size());
    List<PooledVectors.Scheme> schemes =
        args.length > 3
            ? java.util.Arrays.stream(args[3].split(","))
                .map(PooledVectors.Scheme::valueOf)
                .toList()
            : List.of(PooledVectors.Scheme.values());
    for (PooledVectors.Scheme scheme : schemes) {
      try (MetaEmbedEncoder encoder =
          MetaEmbedEncoder.load(modelDir, EncoderOptions.defaults(), scheme)) {
        long t0 = System.nanoTime();
        List<float[][]> docs =
            encoder.encodeDocuments(docIds.stream().map(data.corpus()::get).toList());
        double seconds = (System.nanoTime() - t0) / 1e9;
        List<float[][]> queries = new ArrayList<>();
        for (String id : queryIds) {
          queries.add(encoder.encodeQuery(data.queries().get(id)));
        }
        StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-20s", scheme));
        for (int[] budget : BUDGETS) {
          double ndcg =
              IntStream.range(0, queryIds.size())
                  .parallel()
                  .mapToDouble(
                      q ->
                          data.ndcgAt10(
                              queryIds.get(q), rank(queries.get(q), docs, docIds, budget)))
                  .average()
                  .orElse(0);
          row.append(String.format(Locale.ROOT, "  (%d,%d) %.3f", budget[0], budget[1], ndcg));
        }
        System.out.println(
            row + String.format(Locale.ROOT, "   [%.1f docs/s encoding]", docIds.size() / seconds));
      }
    }
  }

  private static List<String> rank(
      float[][] query, List<float[][]> docs, List<String> ids, int[] budget) {
    double[] scores = new double[docs.size()];
    for (int d = 0; d < docs.size(); d++) {
      float[][] doc = docs.get(d);
      double sum = 0;
      for (int i = 0; i < Math.min(budget[0], query.length); i++) {
        float best = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < Math.min(budget[1], doc.length); j++) {
          best = Math.max(best, VectorUtil.dotProduct(query[i], doc[j]));
        }
        sum += best;
      }
      scores[d] = sum;
    }
    return IntStream.range(0, docs.size())
        .boxed()
        .sorted(Comparator.comparingDouble((Integer d) -> -scores[d]))
        .limit(10)
        .map(ids::get)
        .toList();
  }
}
