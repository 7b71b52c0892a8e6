package dev.metaembed.bench;

import dev.metaembed.lucene.codec.VectorStorage;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.lucene.util.IOUtils;

/**
 * End-to-end benchmark: indexes synthetic clustered coarse-to-fine MetaEmbed data once per prefix
 * store encoding (MetaEmbedCodec) and once as Lucene's own baseline (KnnFloatVectorField over vector
 * 0 + LateInteractionField, default codec), then measures single-threaded query latency (and, with
 * {@code --threads}, concurrent throughput) and recall@k of budgeted late interaction against exact
 * brute-force MaxSim on the float32 index.
 *
 * <p>Usage: {@code EndToEndBench [--docs N] [--queries N] ... [--json file]}; {@code --help} lists
 * the options ({@link EndToEndOptions}). Progress goes to stderr, the Markdown report to stdout.
 * Timings are reported, never asserted. See benchmarks/E2E.md.
 */
public final class EndToEndBench {
  private EndToEndBench() {}

  public static void main(String[] args) throws Exception {
    PrintStream log = System.err;
    EndToEndOptions options = EndToEndOptions.parse(args, log);
    if (options == null) {
      return; // --help
    }
    ClusteredCorpus corpus = options.corpus();
    Map<String, String> machine = EndToEndMachine.describe();
    log.println(
        "EndToEndBench seed="
            + corpus.seed
            + " docs="
            + options.docs
            + " dim="
            + options.dim
            + " vectors="
            + options.vectors
            + " queries="
            + options.queries
            + " storages="
            + options.storages);
    machine.forEach((key, v) -> log.println("  " + key + ": " + v));

    EndToEndResults results = measure(options, corpus, log);
    Map<String, String> targets = EndToEndTargets.compute(options, results);
    System.out.print(EndToEndReport.markdown(options, corpus, machine, results, targets));
    if (!options.json.isEmpty()) {
      Files.writeString(
          Path.of(options.json),
          EndToEndJson.json(options, machine, results, targets),
          StandardCharsets.UTF_8);
      log.println("wrote " + options.json);
    }
  }

  /**
   * Builds every index under {@code --dir} (or a temporary directory, deleted afterwards even on
   * failure) and times the queries against them.
   */
  private static EndToEndResults measure(
      EndToEndOptions options, ClusteredCorpus corpus, PrintStream log) throws Exception {
    boolean temp = options.dir.isEmpty();
    Path root = temp ? Files.createTempDirectory("metaembed-e2e") : Path.of(options.dir);
    Files.createDirectories(root);
    log.println("working directory " + root + (temp ? " (temporary, deleted at the end)" : ""));
    EndToEndResults results = new EndToEndResults();
    try {
      EndToEndIndexer indexer = new EndToEndIndexer(options, corpus, log);
      indexer.warmUp();
      Map<VectorStorage, Path> ours = new LinkedHashMap<>();
      for (VectorStorage storage : options.storages) {
        Path path = root.resolve("metaembed-" + storage.attributeValue());
        results.indexing.add(indexer.indexOurs(path, storage));
        ours.put(storage, path);
      }
      Path lucenePath = null;
      if (!options.skipLucene) {
        lucenePath = root.resolve("lucene-baseline");
        results.indexing.add(indexer.indexLucene(lucenePath));
      }
      results.queries.addAll(new EndToEndQueries(options, corpus, log).run(ours, lucenePath));
    } finally {
      if (temp) {
        IOUtils.rm(root);
      }
    }
    return results;
  }
}
