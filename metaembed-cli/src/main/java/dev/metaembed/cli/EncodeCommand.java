package dev.metaembed.cli;

import com.google.gson.Gson;
import dev.metaembed.encoder.MetaEmbedEncoder;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Encodes text with a MetaEmbed model and writes the vectors as JSON lines, so that other
 * pipelines (an OpenSearch {@code _bulk} load, another engine) can use the model. The input is read
 * through first, so a malformed line fails before anything is written; the output file appears
 * only when every input was encoded.
 */
@Command(
    name = "encode",
    description = "Encode documents or queries into MetaEmbed vectors, written as JSON lines.",
    footer = {
      "",
      "Input: BEIR corpus lines ({\"_id\" or \"id\", \"title\", \"text\"}), BEIR query lines with",
      "--queries, or plain text lines with --text (ids are line numbers).",
      "Output, one line per input: {\"id\": ..., \"vectors\": [[...], ...]}; with --bulk INDEX,",
      "OpenSearch _bulk bodies (an index action, then {FIELD: vectors, \"title\", \"text\"}).",
      "",
      "Examples:",
      "  metaembed encode --input samples/manpages/corpus.jsonl --output pages.jsonl",
      "  metaembed encode --input samples/manpages/queries.jsonl --queries --output queries.jsonl",
      "  metaembed encode --input samples/manpages/corpus.jsonl --bulk pages --field page --output bulk.ndjson"
    })
final class EncodeCommand implements Callable<Integer> {
  private static final Gson GSON = new Gson();
  private static final int BATCH = 32;

  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Option(names = "--input", required = true, description = "the file to encode")
  Path input;

  @Option(names = "--output", description = "where to write (default: standard output)")
  Path output;

  @Option(names = "--queries", description = "encode as queries (query vectors), not documents")
  boolean queries;

  @Option(names = "--text", description = "the input is plain text, one input per line")
  boolean text;

  @Option(names = "--model", description = IndexLayout.MODEL_HELP)
  String model;

  @Option(
      names = "--max-vectors",
      description = "keep the first N vectors of each input (default: all the model makes)")
  Integer maxVectors;

  @Option(
      names = "--bulk",
      paramLabel = "INDEX",
      description = "write OpenSearch _bulk bodies for this index instead of vector lines")
  String bulkIndex;

  @Option(
      names = "--field",
      defaultValue = "page",
      description = "the metaembed_vector field of --bulk bodies (default: ${DEFAULT-VALUE})")
  String field;

  @Option(names = "--threads", description = "encoder threads (default: available processors)")
  Integer threads;

  /** One input: its id and the text the model reads, with the corpus fields kept for --bulk. */
  private record Input(String id, String encoderText, String title, String text) {}

  @Override
  public Integer call() throws IOException {
    int encoderThreads = threads == null ? IndexLayout.defaultThreads() : threads;
    if (encoderThreads < 1) {
      throw new UserException("--threads must be at least 1, got " + encoderThreads);
    }
    long total = checkInput(); // the whole file first: a bad line fails before any output
    try (MetaEmbedEncoder encoder =
        IndexLayout.load(IndexLayout.modelName(model), encoderThreads)) {
      int available = queries ? encoder.queryVectors() : encoder.documentVectors();
      int keep = maxVectors == null ? available : maxVectors;
      if (keep < 1 || keep > available) {
        throw new UserException(
            "--max-vectors must be in 1.." + available + " for this model, got " + keep);
      }
      if (output == null) {
        Writer out = spec.commandLine().getOut();
        write(encoder, total, keep, out);
        out.flush();
      } else {
        writeFile(encoder, total, keep);
      }
    }
    return 0;
  }

  /** Writes to a temporary file next to {@code --output}, moved into place once complete. */
  private void writeFile(MetaEmbedEncoder encoder, long total, int keep) throws IOException {
    Path parent = output.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path temp = Files.createTempFile(parent, output.getFileName().toString(), ".part");
    try {
      try (BufferedWriter out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
        write(encoder, total, keep, out);
      }
      Files.move(temp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** Streams the input again, encoding and writing {@value #BATCH} inputs at a time. */
  private void write(MetaEmbedEncoder encoder, long total, int keep, Writer out)
      throws IOException {
    String unit = queries ? "queries" : "docs";
    try (ProgressBar bar = Progress.start("encode", total, unit, common.quiet)) {
      List<Input> batch = new ArrayList<>();
      IOConsumer flush =
          () -> {
            List<float[][]> vectors = encode(encoder, batch);
            for (int i = 0; i < batch.size(); i++) {
              out.write(line(batch.get(i), vectors.get(i), keep));
            }
            bar.stepBy(batch.size());
            batch.clear();
          };
      try {
        forEachInput(
            in -> {
              batch.add(in);
              if (batch.size() == BATCH) {
                flush.run();
              }
            });
        if (batch.isEmpty() == false) {
          flush.run();
        }
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
    }
  }

  private interface IOConsumer {
    void run() throws IOException;
  }

  private interface InputSink {
    void accept(Input input) throws IOException;
  }

  private List<float[][]> encode(MetaEmbedEncoder encoder, List<Input> batch) throws IOException {
    if (queries == false) {
      return encoder.encodeDocuments(batch.stream().map(Input::encoderText).toList());
    }
    List<float[][]> vectors = new ArrayList<>();
    for (Input query : batch) {
      vectors.add(encoder.encodeQuery(query.encoderText()));
    }
    return vectors;
  }

  /** One output line (two for --bulk), each ending in a newline. */
  private String line(Input input, float[][] vectors, int keep) {
    StringBuilder json = new StringBuilder();
    if (bulkIndex == null) {
      json.append("{\"id\":").append(GSON.toJson(input.id())).append(",\"vectors\":");
      appendVectors(json, vectors, keep);
      return json.append("}\n").toString();
    }
    json.append("{\"index\":{\"_index\":").append(GSON.toJson(bulkIndex));
    json.append(",\"_id\":").append(GSON.toJson(input.id())).append("}}\n");
    json.append('{').append(GSON.toJson(field)).append(':');
    appendVectors(json, vectors, keep);
    if (input.title() != null && input.title().isEmpty() == false) {
      json.append(",\"title\":").append(GSON.toJson(input.title()));
    }
    json.append(",\"text\":").append(GSON.toJson(input.text()));
    return json.append("}\n").toString();
  }

  /** The first {@code keep} vectors; each float as Java prints it, which reads back exactly. */
  private static void appendVectors(StringBuilder json, float[][] vectors, int keep) {
    json.append('[');
    for (int v = 0; v < Math.min(keep, vectors.length); v++) {
      json.append(v == 0 ? "[" : ",[");
      for (int c = 0; c < vectors[v].length; c++) {
        if (c > 0) {
          json.append(',');
        }
        json.append(vectors[v][c]);
      }
      json.append(']');
    }
    json.append(']');
  }

  /** Reads the whole input once, checking every line; returns how many inputs it holds. */
  private long checkInput() throws IOException {
    long[] count = {0};
    forEachInput(in -> count[0]++);
    if (count[0] == 0) {
      throw new UserException(input + " holds nothing to encode");
    }
    return count[0];
  }

  /** Each input in file order; corpus files are streamed, query and text files read whole. */
  private void forEachInput(InputSink sink) throws IOException {
    if (text || queries) {
      Map<String, String> lines =
          text ? BeirFiles.readTextLines(input) : BeirFiles.readQueries(input);
      for (Map.Entry<String, String> line : lines.entrySet()) {
        sink.accept(new Input(line.getKey(), line.getValue(), null, line.getValue()));
      }
      return;
    }
    BeirFiles.readCorpus(
        input,
        doc -> {
          try {
            sink.accept(new Input(doc.id(), doc.encoderText(), doc.title(), doc.text()));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }
}
