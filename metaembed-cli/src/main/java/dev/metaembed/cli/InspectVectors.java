package dev.metaembed.cli;

import dev.metaembed.lucene.codec.MetaEmbedVectorValues;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.util.VectorUtil;

/** What {@code inspect --doc} and {@code inspect --vectors} print: vectors, not index structure. */
final class InspectVectors {
  private InspectVectors() {}

  /** {@code inspect --doc}: one document's stored fields and, per vector, norm and cosines. */
  static void printDocument(PrintWriter out, DirectoryReader reader, String doc, Path index)
      throws IOException {
    IndexSearcher searcher = new IndexSearcher(reader);
    TopDocs hits = searcher.search(new TermQuery(new Term(IndexLayout.ID, doc)), 1);
    if (hits.scoreDocs.length == 0) {
      throw new UserException("no document with id \"" + doc + "\" in " + index);
    }
    int docId = hits.scoreDocs[0].doc;
    for (IndexableField field : searcher.storedFields().document(docId)) {
      out.printf(Locale.ROOT, "%s: %s%n", field.name(), field.stringValue());
    }
    LeafReaderContext ctx = reader.leaves().get(ReaderUtil.subIndex(docId, reader.leaves()));
    for (String field : VectorPositionStats.metaEmbedFields(reader)) {
      MetaEmbedVectorValues values = MetaEmbedVectorValues.get(ctx.reader(), field);
      if (values != null && values.advanceExact(docId - ctx.docBase)) {
        printDocumentVectors(
            out,
            field,
            values.vectors(values.maxVectors()),
            VectorPositionStats.scan(reader, field));
      }
    }
  }

  private static void printDocumentVectors(
      PrintWriter out, String field, float[][] vectors, VectorPositionStats corpus) {
    StringBuilder norms =
        new StringBuilder(
            "field "
                + field
                + ": "
                + vectors.length
                + " vectors of "
                + corpus.dimension()
                + ", norms:");
    for (float[] v : vectors) {
      norms.append(String.format(Locale.ROOT, " %.3f", Math.sqrt(VectorUtil.dotProduct(v, v))));
    }
    out.println(norms);
    out.printf(
        Locale.ROOT,
        "  vector  cos to vector 0  cos to corpus mean of its position (%d documents)%n",
        corpus.documents());
    for (int j = 0; j < vectors.length; j++) {
      float[] mean = corpus.meanDirection(j);
      out.printf(
          Locale.ROOT,
          "  %6d  %15.3f  %s%n",
          j,
          VectorPositionStats.cosine(vectors[j], vectors[0]),
          mean == null
              ? "-"
              : String.format(Locale.ROOT, "%.3f", VectorPositionStats.cosine(vectors[j], mean)));
    }
  }

  /** {@code inspect --vectors}: per vector position, how distinct it is across documents. */
  static void printPositions(
      PrintWriter out, DirectoryReader reader, Path index, int pairs, long seed)
      throws IOException {
    List<String> fields = VectorPositionStats.metaEmbedFields(reader);
    if (fields.isEmpty()) {
      throw new UserException(index + " has no MetaEmbed field: nothing for --vectors to show");
    }
    for (String field : fields) {
      VectorPositionStats stats = VectorPositionStats.scan(reader, field);
      out.printf(
          Locale.ROOT,
          "field %s: %d documents, %d positions of %d components; cosines of decoded vectors,"
              + " cross-document over %d random pairs of different documents (seed %d)%n",
          field,
          stats.documents(),
          stats.maxVectors(),
          stats.dimension(),
          pairs,
          seed);
      out.println("  position   docs  cross-doc cos   pairs  cos to vector 0  mean norm");
      int collapsed = 0;
      for (VectorPositionStats.Position p : stats.positions(pairs, seed)) {
        collapsed += p.collapsed() ? 1 : 0;
        out.printf(
            Locale.ROOT,
            "  %8d %6d %14s %7d %16s %10s%s%n",
            p.position(),
            p.docs(),
            fixed(p.crossDocumentCosine()),
            p.pairs(),
            fixed(p.cosineToFirst()),
            fixed(p.meanNorm()),
            p.collapsed() ? "  collapsed" : "");
      }
      out.printf(
          Locale.ROOT,
          "field %s: %d of %d positions collapsed (cross-document cosine > %.2f)%n",
          field,
          collapsed,
          stats.maxVectors(),
          VectorPositionStats.COLLAPSED_ABOVE);
    }
  }

  private static String fixed(double value) {
    return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.3f", value);
  }
}
