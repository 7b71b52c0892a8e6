package dev.metaembed.cli;

import dev.metaembed.lucene.codec.MetaEmbedFieldInfo;
import dev.metaembed.lucene.codec.MetaEmbedVectorValues;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.util.ArrayUtil;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.VectorUtil;

/**
 * How distinct the vectors at each position of a MetaEmbed field are, over the live documents of
 * every segment: the way to see that a model collapsed. A collapsed position j holds nearly the
 * same vector for every document (its cross-document cosine is near 1) or a near copy of each
 * document's own vector 0 (its cosine to vector 0 is near 1); either way it adds nothing that
 * vector 0 does not already say.
 *
 * <p>All figures are cosines of the decoded float vectors, whatever the field's similarity and
 * storage encoding. A zero vector has cosine 0 with everything and adds nothing to a mean.
 *
 * <p>{@link #scan} reads the field once, streaming, and keeps per position only the sum of the
 * unit-normalized vectors (maxVectors × dimension doubles) and the live documents' ids (an int
 * each); {@link #positions} then reads the two documents of each sampled pair. Heap does not grow
 * with the vectors in the index.
 */
final class VectorPositionStats {
  /** A position whose mean cosine between different documents exceeds this counts as collapsed. */
  static final double COLLAPSED_ABOVE = 0.70;

  /**
   * The figures of one vector position.
   *
   * @param position the vector's index in Matryoshka order, 0 = coarsest
   * @param docs live documents that have a vector at this position
   * @param pairs sampled pairs of different documents that both have one (0: fewer than two such documents)
   * @param crossDocumentCosine mean cosine between this position's vectors of the sampled pairs (NaN without pairs)
   * @param cosineToFirst mean cosine between a document's vector here and its own vector 0, over all {@code docs}
   * @param meanNorm norm of the mean of the unit-normalized vectors at this position: 0 for
   *     vectors spread evenly, 1 when every document has the same direction
   */
  record Position(
      int position,
      long docs,
      long pairs,
      double crossDocumentCosine,
      double cosineToFirst,
      double meanNorm) {
    /** Whether the cross-document cosine exceeds {@link #COLLAPSED_ABOVE}. */
    boolean collapsed() {
      return pairs > 0 && crossDocumentCosine > COLLAPSED_ABOVE;
    }
  }

  private final IndexReader reader;
  private final String field;
  private final int dimension;
  private final int maxVectors;
  private final double[][] unitSums;
  private final long[] docsAt;
  private final double[] cosineToFirstSums;
  private int[] docs = new int[16];
  private int docCount;

  private VectorPositionStats(IndexReader reader, String field, int dimension, int maxVectors) {
    this.reader = reader;
    this.field = field;
    this.dimension = dimension;
    this.maxVectors = maxVectors;
    this.unitSums = new double[maxVectors][dimension];
    this.docsAt = new long[maxVectors];
    this.cosineToFirstSums = new double[maxVectors];
  }

  /** The names of the index's MetaEmbed fields, in field-number order. */
  static List<String> metaEmbedFields(IndexReader reader) {
    List<String> names = new ArrayList<>();
    for (FieldInfo info : FieldInfos.getMergedFieldInfos(reader)) {
      if (MetaEmbedFieldInfo.isMetaEmbed(info)) {
        names.add(info.name);
      }
    }
    return names;
  }

  /** Reads every live document's vectors of {@code field} (a MetaEmbed field) once. */
  static VectorPositionStats scan(IndexReader reader, String field) throws IOException {
    MetaEmbedFieldInfo info =
        MetaEmbedFieldInfo.of(FieldInfos.getMergedFieldInfos(reader).fieldInfo(field));
    VectorPositionStats stats =
        new VectorPositionStats(reader, field, info.dimension(), info.maxVectors());
    float[][] vectors = new float[stats.maxVectors][stats.dimension];
    for (LeafReaderContext ctx : reader.leaves()) {
      MetaEmbedVectorValues values = MetaEmbedVectorValues.get(ctx.reader(), field);
      Bits live = ctx.reader().getLiveDocs();
      for (int doc = 0; values != null && doc < ctx.reader().maxDoc(); doc++) {
        if ((live == null || live.get(doc)) && values.advanceExact(doc)) {
          stats.add(ctx.docBase + doc, vectors, values.readVectors(stats.maxVectors, vectors));
        }
      }
    }
    return stats;
  }

  private void add(int globalDoc, float[][] vectors, int count) {
    docs = ArrayUtil.grow(docs, docCount + 1);
    docs[docCount++] = globalDoc;
    for (int j = 0; j < count; j++) {
      docsAt[j]++;
      cosineToFirstSums[j] += cosine(vectors[j], vectors[0]);
      double norm = Math.sqrt(VectorUtil.dotProduct(vectors[j], vectors[j]));
      for (int c = 0; norm > 0 && c < dimension; c++) {
        unitSums[j][c] += vectors[j][c] / norm;
      }
    }
  }

  /** Live documents with vectors in the field. */
  int documents() {
    return docCount;
  }

  /** Components per vector. */
  int dimension() {
    return dimension;
  }

  /** Positions of the field: its largest number of vectors per document. */
  int maxVectors() {
    return maxVectors;
  }

  /**
   * The figures of every position, with the cross-document cosine averaged over {@code pairs}
   * pairs of different documents drawn uniformly (with replacement) by {@code new Random(seed)}.
   */
  List<Position> positions(int pairs, long seed) throws IOException {
    double[] pairSums = new double[maxVectors];
    long[] pairCounts = new long[maxVectors];
    if (docCount >= 2) {
      Random random = new Random(seed);
      DocumentVectors a = new DocumentVectors();
      DocumentVectors b = new DocumentVectors();
      for (int p = 0; p < pairs; p++) {
        int first = random.nextInt(docCount);
        int second = random.nextInt(docCount - 1);
        int shared =
            Math.min(a.read(docs[first]), b.read(docs[second < first ? second : second + 1]));
        for (int j = 0; j < shared; j++) {
          pairSums[j] += cosine(a.vectors[j], b.vectors[j]);
          pairCounts[j]++;
        }
      }
    }
    List<Position> positions = new ArrayList<>(maxVectors);
    for (int j = 0; j < maxVectors; j++) {
      positions.add(
          new Position(
              j,
              docsAt[j],
              pairCounts[j],
              pairSums[j] / pairCounts[j],
              cosineToFirstSums[j] / docsAt[j],
              docsAt[j] == 0 ? Double.NaN : norm(unitSums[j]) / docsAt[j]));
    }
    return positions;
  }

  /** The direction of the mean of position {@code j}'s unit vectors, as a unit vector; null when the mean is zero. */
  float[] meanDirection(int j) {
    double norm = norm(unitSums[j]);
    if (norm == 0) {
      return null;
    }
    float[] direction = new float[dimension];
    for (int c = 0; c < dimension; c++) {
      direction[c] = (float) (unitSums[j][c] / norm);
    }
    return direction;
  }

  /** Cosine of the angle between {@code a} and {@code b}; 0 when either is zero. */
  static double cosine(float[] a, float[] b) {
    double norms = Math.sqrt((double) VectorUtil.dotProduct(a, a) * VectorUtil.dotProduct(b, b));
    return norms == 0 ? 0 : VectorUtil.dotProduct(a, b) / norms;
  }

  private static double norm(double[] v) {
    double sum = 0;
    for (double x : v) {
      sum += x * x;
    }
    return Math.sqrt(sum);
  }

  /**
   * Reads any document's vectors by its index-wide id into one reused buffer. Doc values only go
   * forwards, so a segment's values are fetched again when a document comes before the last one read.
   */
  private final class DocumentVectors {
    final float[][] vectors = new float[maxVectors][dimension];
    private final MetaEmbedVectorValues[] perLeaf =
        new MetaEmbedVectorValues[reader.leaves().size()];
    private final int[] lastDoc = new int[perLeaf.length];

    /** Reads {@code globalDoc}'s vectors and returns how many it has. */
    int read(int globalDoc) throws IOException {
      int leaf = ReaderUtil.subIndex(globalDoc, reader.leaves());
      LeafReaderContext ctx = reader.leaves().get(leaf);
      int doc = globalDoc - ctx.docBase;
      if (perLeaf[leaf] == null || doc < lastDoc[leaf]) {
        perLeaf[leaf] = MetaEmbedVectorValues.get(ctx.reader(), field);
      }
      lastDoc[leaf] = doc;
      if (perLeaf[leaf].advanceExact(doc) == false) {
        throw new IllegalStateException(
            "document " + globalDoc + " had vectors in " + field + " when scanned");
      }
      return perLeaf[leaf].readVectors(maxVectors, vectors);
    }
  }
}
