package dev.metaembed.cli;

import dev.metaembed.lucene.codec.MetaEmbedFieldInfo;
import dev.metaembed.lucene.codec.MetaEmbedVectorValues;
import dev.metaembed.lucene.codec.MetaEmbedVectorsFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.lucene.codecs.hnsw.HnswGraphProvider;
import org.apache.lucene.index.CheckIndex;
import org.apache.lucene.index.CodecReader;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SegmentReader;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.store.Directory;
import org.apache.lucene.util.hnsw.HnswGraph;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "inspect",
    description =
        "Show an index: segments, fields, vectors per budget prefix, graph shape; per vector position,"
            + " whether the model collapsed; one document; CheckIndex.",
    footer = {
      "",
      "Examples:",
      "  metaembed inspect /tmp/manpages",
      "  metaembed inspect /tmp/manpages --vectors",
      "  metaembed inspect /tmp/manpages --vectors --pairs 10000 --seed 7",
      "  metaembed inspect /tmp/manpages --doc 1/ls",
      "  metaembed inspect /tmp/manpages --check",
      "",
      "--vectors prints, per vector position: documents with a vector there; the",
      "mean cosine between that position's vectors of random pairs of different",
      "documents (cross-doc); the mean cosine to the same document's vector 0; the",
      "norm of the mean unit vector (1 = the same direction everywhere). Cross-doc",
      "above 0.70 is flagged collapsed. A healthy model stays well below it at",
      "every position, and its later vectors are not copies of vector 0."
    })
final class InspectCommand implements Callable<Integer> {
  private static final int[] PREFIXES = {1, 2, 4, 8, 16, 32, 64};

  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Parameters(index = "0", paramLabel = "INDEX", description = "index folder")
  Path index;

  @Option(
      names = "--doc",
      description =
          "print this document's stored fields and, per vector, its norm, cosine to"
              + " vector 0 and cosine to the corpus mean direction of its position")
  String doc;

  @Option(
      names = "--vectors",
      description =
          "per vector position: how distinct the vectors are across documents"
              + " and from vector 0, collapsed positions flagged")
  boolean vectors;

  @Option(
      names = "--pairs",
      defaultValue = "2000",
      description =
          "with --vectors: random pairs of documents for the"
              + " cross-document cosine (default: ${DEFAULT-VALUE})")
  int pairs;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "with --vectors: seed for drawing the pairs (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--check", description = "run CheckIndex and report problems")
  boolean check;

  @Override
  public Integer call() throws IOException {
    if (pairs < 1) {
      throw new UserException("--pairs must be at least 1, got " + pairs);
    }
    PrintWriter out = spec.commandLine().getOut();
    try (Directory dir = IndexLayout.openExisting(index);
        DirectoryReader reader = IndexLayout.openReader(dir, index)) {
      if (doc != null) {
        InspectVectors.printDocument(out, reader, doc, index);
      } else if (check) {
        return check(out, dir);
      } else if (vectors) {
        InspectVectors.printPositions(out, reader, index, pairs, seed);
      } else {
        printOverview(out, reader);
      }
    }
    return 0;
  }

  private void printOverview(PrintWriter out, DirectoryReader reader) throws IOException {
    out.printf(
        Locale.ROOT,
        "index %s: %d documents (%d deleted), %d segments; commit data %s%n",
        index,
        reader.numDocs(),
        reader.numDeletedDocs(),
        reader.leaves().size(),
        reader.getIndexCommit().getUserData());
    out.printf(
        Locale.ROOT,
        "prefix store format %s; this build reads versions %d..%d and writes %d%n",
        MetaEmbedVectorsFormat.NAME,
        MetaEmbedVectorsFormat.VERSION_START,
        MetaEmbedVectorsFormat.VERSION_CURRENT,
        MetaEmbedVectorsFormat.VERSION_CURRENT);
    for (LeafReaderContext ctx : reader.leaves()) {
      LeafReader leaf = ctx.reader();
      String codec =
          leaf instanceof SegmentReader sr ? sr.getSegmentInfo().info.getCodec().getName() : "?";
      String name = leaf instanceof SegmentReader sr ? sr.getSegmentName() : "segment " + ctx.ord;
      out.printf(
          Locale.ROOT,
          "segment %s: %d docs (%d live), codec %s%n",
          name,
          leaf.maxDoc(),
          leaf.numDocs(),
          codec);
      for (FieldInfo field : leaf.getFieldInfos()) {
        printField(out, leaf, field);
      }
    }
  }

  private void printField(PrintWriter out, LeafReader leaf, FieldInfo field) throws IOException {
    MetaEmbedFieldInfo metaEmbed = MetaEmbedFieldInfo.of(field);
    if (metaEmbed == null) {
      out.printf(Locale.ROOT, "  field %-12s %s%n", field.name, describePlain(field));
      return;
    }
    MetaEmbedVectorValues values = MetaEmbedVectorValues.get(leaf, field.name);
    long docs = 0;
    long vectors = 0;
    for (int d = 0; values != null && d < leaf.maxDoc(); d++) {
      if (values.advanceExact(d)) {
        docs++;
        vectors += values.vectorCount();
      }
    }
    int bytesPerVector = metaEmbed.bytesPerVector();
    int version = MetaEmbedFieldInfo.formatVersion(leaf, field.name);
    out.printf(
        Locale.ROOT,
        "  field %-12s MetaEmbed: dimension %d, max vectors %d, storage %s, similarity %s, format version %s%n",
        field.name,
        metaEmbed.dimension(),
        metaEmbed.maxVectors(),
        metaEmbed.storage().attributeValue(),
        metaEmbed.similarity(),
        version < 0 ? "? (not read through MetaEmbedVectorsFormat)" : version);
    out.printf(
        Locale.ROOT,
        "    %d docs, %d vectors (%.1f per doc), %.1f KiB per doc on average%n",
        docs,
        vectors,
        vectors / (double) Math.max(docs, 1),
        vectors * (double) bytesPerVector / Math.max(docs, 1) / 1024);
    StringBuilder prefixes = new StringBuilder("    bytes read per document by budget prefix:");
    for (int r : PREFIXES) {
      if (r <= metaEmbed.maxVectors()) {
        prefixes.append(String.format(Locale.ROOT, "  r=%d: %d", r, r * bytesPerVector));
      }
    }
    out.println(prefixes);
    out.println("    graph over vector 0: " + graphShape(leaf, field.name));
  }

  private static String describePlain(FieldInfo field) {
    if (field.hasVectorValues()) {
      return "vectors: dimension " + field.getVectorDimension() + ", " + field.getVectorEncoding();
    }
    StringBuilder sb = new StringBuilder();
    sb.append(
        field.getIndexOptions() == org.apache.lucene.index.IndexOptions.NONE
            ? "stored"
            : "indexed " + field.getIndexOptions());
    if (field.getDocValuesType() != org.apache.lucene.index.DocValuesType.NONE) {
      sb.append(", doc values ").append(field.getDocValuesType());
    }
    if (field.name.equals(IndexLayout.LUCENE_VECTORS)) {
      sb.append(" (Lucene LateInteractionField)");
    }
    return sb.toString();
  }

  private static String graphShape(LeafReader leaf, String field) throws IOException {
    if (leaf instanceof CodecReader codecReader
        && codecReader.getVectorReader() instanceof HnswGraphProvider graphs) {
      HnswGraph graph = graphs.getGraph(field);
      if (graph == null || graph.size() == 0) {
        return "none (segment below the graph threshold: searched exhaustively)";
      }
      long edges = 0;
      for (int node = 0; node < graph.size(); node++) {
        graph.seek(0, node);
        while (graph.nextNeighbor() != DocIdSetIterator.NO_MORE_DOCS) {
          edges++;
        }
      }
      return String.format(
          Locale.ROOT,
          "%d nodes, %d levels, mean degree %.1f on level 0",
          graph.size(),
          graph.numLevels(),
          edges / (double) graph.size());
    }
    return "not available for this reader";
  }

  private int check(PrintWriter out, Directory dir) throws IOException {
    ByteArrayOutputStream details = new ByteArrayOutputStream();
    try (CheckIndex checker = new CheckIndex(dir)) {
      checker.setInfoStream(new PrintStream(details, true, StandardCharsets.UTF_8));
      CheckIndex.Status status = checker.checkIndex();
      if (status.clean) {
        out.printf(
            Locale.ROOT,
            "CheckIndex: clean (%d segments, %d documents)%n",
            status.numSegments,
            totalDocs(status));
        return 0;
      }
      out.println("CheckIndex found problems:");
      details
          .toString(StandardCharsets.UTF_8)
          .lines()
          .filter(l -> l.contains("FAILED") || l.contains("ERROR") || l.contains("WARNING"))
          .forEach(l -> out.println("  " + l.strip()));
      throw new UserException(
          "index "
              + index
              + " is damaged ("
              + status.numBadSegments
              + " bad segments); details above");
    } catch (org.apache.lucene.store.LockObtainFailedException e) {
      throw new UserException(
          "index " + index + " is being written by another process; stop it before --check");
    }
  }

  private static long totalDocs(CheckIndex.Status status) {
    return status.segmentInfos.stream().mapToLong(s -> s.maxDoc).sum();
  }
}
