package dev.metaembed.cli;

import dev.metaembed.encoder.MetaEmbedEncoder;
import dev.metaembed.lucene.codec.MetaEmbedCodec;
import dev.metaembed.lucene.codec.MetaEmbedField;
import dev.metaembed.lucene.codec.MetaEmbedFieldInfo;
import dev.metaembed.lucene.codec.VectorStorage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.MultiTerms;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Encodes a BEIR corpus and writes a MetaEmbed index. Reads the whole corpus file first, so a
 * malformed line fails before anything of the file is indexed. Commits every few hundred documents
 * and skips documents already in the index, so a run interrupted midway (Ctrl-C, a failure) leaves
 * its last commit readable and a rerun continues where it stopped.
 */
@Command(
    name = "index",
    description =
        "Encode a BEIR corpus (JSON lines: _id or id, title, text) into a MetaEmbed index.",
    footer = {
      "",
      "Examples:",
      "  metaembed index --corpus samples/manpages/corpus.jsonl --index /tmp/manpages",
      "  metaembed index --corpus corpus.jsonl --index idx --model my-metaembed-export --max-vectors 32",
      "  metaembed index --corpus corpus.jsonl --index idx-pooled --model builtin:pooled-minilm",
      "",
      "The corpus is read through first: a malformed line (named with its line number) stops the",
      "run before anything of the file is indexed. An interrupted run (Ctrl-C, a failure) leaves",
      "the last commit readable; run the same command again to continue: documents already indexed",
      "are skipped."
    })
final class IndexCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Option(names = "--corpus", required = true, description = "corpus.jsonl to index")
  Path corpus;

  @Option(names = "--index", required = true, description = "index folder (created if missing)")
  Path index;

  @Option(names = "--model", description = IndexLayout.MODEL_HELP)
  String model;

  @Option(
      names = "--max-vectors",
      description = "keep the first N document vectors (default: all the model makes)")
  Integer maxVectors;

  /**
   * The storage of a new index when {@code --storage} is not given: the smallest encoding that
   * loses at most 0.002 nDCG@10 at every budget on the man pages held-out split with the default
   * model (docs/RESULTS.md, "Storage per real data"; 24.5 KiB per document instead of float32's 96).
   */
  static final VectorStorage DEFAULT_STORAGE = VectorStorage.INT8;

  @Option(
      names = "--storage",
      converter = StorageConverter.class,
      description =
          "how the prefix store encodes vectors: float32, bfloat16, int8 or bit (default: int8 for a new index, the index's own when adding to one)")
  VectorStorage storage;

  @Option(names = "--threads", description = "encoder threads (default: available processors)")
  Integer threads;

  @Option(
      names = "--lucene-baseline",
      description = "also store Lucene's LateInteractionField, for eval --baseline lucene")
  boolean luceneBaseline;

  @Option(names = "--commit-every", hidden = true, defaultValue = "500")
  int commitEvery;

  /** For tests: fails after this many new documents were added, as a crash midway would. */
  @Option(names = "--fail-after", hidden = true, defaultValue = "-1")
  int failAfter;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    int encoderThreads = threads == null ? IndexLayout.defaultThreads() : threads;
    if (encoderThreads < 1) {
      throw new UserException("--threads must be at least 1, got " + encoderThreads);
    }
    // the whole file is read first: a malformed line fails before the index is touched
    long total = BeirFiles.checkCorpus(corpus);
    Files.createDirectories(index);
    try (Directory dir = FSDirectory.open(index)) {
      String modelName = checkModel(dir);
      storage = storageFor(dir);
      try (MetaEmbedEncoder encoder = IndexLayout.load(modelName, encoderThreads)) {
        int keep = maxVectors == null ? encoder.documentVectors() : maxVectors;
        if (keep < 1 || keep > encoder.documentVectors()) {
          throw new UserException(
              "--max-vectors must be in 1.."
                  + encoder.documentVectors()
                  + " for this model, got "
                  + keep);
        }
        FieldType type =
            MetaEmbedField.createFieldType(
                encoder.dimension(), keep, VectorSimilarityFunction.DOT_PRODUCT, storage);
        Set<String> done = indexedIds(dir);
        IndexWriterConfig config =
            new IndexWriterConfig()
                .setCodec(new MetaEmbedCodec())
                .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND);
        long start = System.nanoTime();
        int[] added = {0};
        try (IndexWriter writer = new IndexWriter(dir, config);
            ProgressBar bar = Progress.start("index", total, "docs", common.quiet);
            IndexBatch batch =
                new IndexBatch(
                    writer,
                    encoder,
                    type,
                    keep,
                    luceneBaseline,
                    Map.of(IndexLayout.MODEL_KEY, modelName),
                    commitEvery,
                    failAfter)) {
          bar.stepTo(done.size());
          BeirFiles.readCorpus(
              corpus,
              doc -> {
                if (done.contains(doc.id()) == false && done.add(doc.id())) {
                  batch.add(doc);
                  added[0]++;
                }
                bar.stepTo(done.size());
              });
          batch.finish();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf(
            Locale.ROOT,
            "indexed %d new documents (%d skipped, already in the index) into %s in %.1f s (%.1f docs/s)%n",
            added[0],
            done.size() - added[0],
            index,
            seconds,
            added[0] / Math.max(seconds, 1e-9));
      }
    }
    return 0;
  }

  /**
   * The storage to write: an existing index keeps its own (appending with another one is refused);
   * a new index takes {@code --storage}, or {@link #DEFAULT_STORAGE}.
   */
  private VectorStorage storageFor(Directory dir) throws IOException {
    String recorded = null;
    if (DirectoryReader.indexExists(dir)) {
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        MetaEmbedFieldInfo page =
            MetaEmbedFieldInfo.of(
                FieldInfos.getMergedFieldInfos(reader).fieldInfo(IndexLayout.VECTORS));
        recorded = page == null ? null : page.storage().attributeValue();
      }
    }
    if (recorded == null) {
      return storage == null ? DEFAULT_STORAGE : storage;
    }
    if (storage != null && recorded.equals(storage.attributeValue()) == false) {
      throw new UserException(
          index
              + " stores its vectors as "
              + recorded
              + ", not "
              + storage.attributeValue()
              + ": pass --storage "
              + recorded
              + " or use a new index");
    }
    return VectorStorage.fromName(recorded);
  }

  /** Accepts storage names as written in field attributes ("int8"), in any case. */
  static final class StorageConverter implements CommandLine.ITypeConverter<VectorStorage> {
    @Override
    public VectorStorage convert(String value) {
      try {
        return VectorStorage.fromName(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /** The model recorded in an existing index must be the one asked for. */
  private String checkModel(Directory dir) throws IOException {
    String asked = IndexLayout.modelName(model);
    if (DirectoryReader.indexExists(dir)) {
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        Map<String, String> userData = reader.getIndexCommit().getUserData();
        String recorded = IndexLayout.recordedModel(userData);
        if (userData.containsKey(IndexLayout.MODEL_KEY) && recorded.equals(asked) == false) {
          throw new UserException(index + " was indexed with model " + recorded + ", not " + asked);
        }
      }
    }
    return asked;
  }

  private static Set<String> indexedIds(Directory dir) throws IOException {
    Set<String> ids = new HashSet<>();
    if (DirectoryReader.indexExists(dir) == false) {
      return ids;
    }
    try (DirectoryReader reader = DirectoryReader.open(dir)) {
      Terms terms = MultiTerms.getTerms(reader, IndexLayout.ID);
      if (terms != null) {
        TermsEnum it = terms.iterator();
        for (BytesRef term = it.next(); term != null; term = it.next()) {
          ids.add(term.utf8ToString());
        }
      }
    }
    return ids;
  }
}
