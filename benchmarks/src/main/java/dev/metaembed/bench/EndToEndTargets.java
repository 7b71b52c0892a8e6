package dev.metaembed.bench;

import static dev.metaembed.bench.EndToEndResults.LUCENE;
import static dev.metaembed.bench.EndToEndResults.METAEMBED;

import dev.metaembed.bench.EndToEndResults.IndexStats;
import dev.metaembed.bench.EndToEndResults.QueryStats;
import dev.metaembed.lucene.codec.VectorStorage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The "Targets" of a run: the ratios and recalls the project tracks, as label → formatted value.
 * A row is left out when a configuration it needs was not run (another budget list, {@code
 * --skip-lucene}). The labels are also the keys of the JSON report's {@code targets} object.
 */
final class EndToEndTargets {
  private static final String LATE_INTERACTION = "LateInteractionQuery";

  private EndToEndTargets() {}

  static Map<String, String> compute(EndToEndOptions options, EndToEndResults results) {
    Map<String, String> t = new LinkedHashMap<>();
    latency(t, options, results);
    indexing(t, results);
    long f32mvd = results.float32Mvd();
    for (IndexStats s : results.indexing) {
      if (s.index().equals(METAEMBED) && f32mvd > 0) {
        t.put(".mvd bytes " + s.storage() + " / float32", ratio(s.mvdBytes(), f32mvd));
      }
    }
    for (String budget : List.of("16x64", "2x4")) {
      recall(t, options, results, budget);
    }
    return t;
  }

  private static void latency(
      Map<String, String> t, EndToEndOptions options, EndToEndResults results) {
    QueryStats f32Full = results.find(METAEMBED, "float32", "16x64", LATE_INTERACTION);
    QueryStats f32One = results.find(METAEMBED, "float32", "1x1", LATE_INTERACTION);
    QueryStats knn = results.firstQuery(s -> s.method().startsWith("KnnFloatVectorQuery"));
    if (f32Full != null && f32One != null) {
      t.put("float32 latency(16x64) / latency(1x1), p50", ratio(f32Full.p50Ms(), f32One.p50Ms()));
      t.put(
          "float32 latency(16x64) / latency(1x1), mean", ratio(f32Full.meanMs(), f32One.meanMs()));
    }
    if (f32One != null && knn != null) {
      String vsKnn = "float32 latency(1x1) / plain KNN k=" + options.knnK + " (Lucene index), ";
      t.put(vsKnn + "p50", ratio(f32One.p50Ms(), knn.p50Ms()));
      t.put(vsKnn + "mean", ratio(f32One.meanMs(), knn.meanMs()));
    }
    QueryStats graph = results.firstQuery(s -> s.method().startsWith(EndToEndConfigs.FIRST_STAGE));
    if (f32One != null && graph != null) {
      String vsGraph = "float32 latency(1x1) / its own graph search alone (same graph), ";
      t.put(vsGraph + "p50", ratio(f32One.p50Ms(), graph.p50Ms()));
      t.put(vsGraph + "mean", ratio(f32One.meanMs(), graph.meanMs()));
    }
  }

  /**
   * Indexing speed of our float32 index over Lucene's. Including forceMerge compares the time to
   * the same final single-segment index, the fair comparison; excluding it favours whichever side
   * flushed more, smaller segments (their merging is deferred to forceMerge), hence the segment
   * counts next to it.
   */
  private static void indexing(Map<String, String> t, EndToEndResults results) {
    IndexStats ours = results.ours("float32");
    IndexStats lucene = results.lucene();
    if (ours == null || lucene == null) {
      return;
    }
    t.put(
        "indexing docs/s: metaembed float32 / Lucene, excl. forceMerge"
            + " (favours the side that flushed more small segments)",
        ratio(lucene.indexNanos(), ours.indexNanos()));
    t.put(
        "indexing docs/s: metaembed float32 / Lucene, incl. forceMerge"
            + " (same final 1-segment index: the fair comparison)",
        ratio(lucene.indexNanos() + lucene.mergeNanos(), ours.indexNanos() + ours.mergeNanos()));
    t.put(
        "segments before forceMerge: metaembed float32",
        Integer.toString(ours.segmentsBeforeMerge()));
    t.put("segments before forceMerge: Lucene", Integer.toString(lucene.segmentsBeforeMerge()));
    t.put("index size: metaembed float32 / Lucene", ratio(ours.sizeBytes(), lucene.sizeBytes()));
  }

  private static void recall(
      Map<String, String> t, EndToEndOptions options, EndToEndResults results, String budget) {
    for (VectorStorage storage : options.storages) {
      QueryStats s = results.find(METAEMBED, storage.attributeValue(), budget, LATE_INTERACTION);
      if (s != null) {
        t.put(
            "recall@" + options.k + " " + storage.attributeValue() + " at " + budget,
            EndToEndResults.formatRecall(s.recall()));
      }
      QueryStats exact =
          results.find(METAEMBED, storage.attributeValue(), budget, EndToEndConfigs.EXACT);
      if (exact != null && storage != options.truth) {
        t.put(
            "recall@"
                + options.k
                + " "
                + storage.attributeValue()
                + " exact at "
                + budget
                + " (quantization alone, vs "
                + options.truth.attributeValue()
                + " exact)",
            EndToEndResults.formatRecall(exact.recall()));
      }
    }
    QueryStats l = results.firstQuery(s -> s.index().equals(LUCENE) && s.budget().equals(budget));
    if (l != null) {
      t.put(
          "recall@" + options.k + " Lucene RescoreTopN at " + budget + " (all doc vectors)",
          EndToEndResults.formatRecall(l.recall()));
    }
  }

  private static String ratio(double a, double b) {
    return b == 0 ? "n/a" : String.format(Locale.ROOT, "%.3f", a / b);
  }
}
