package dev.metaembed.tests;

import dev.metaembed.lucene.codec.MetaEmbedCodec;
import dev.metaembed.lucene.codec.MetaEmbedField;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * The corpus of the format resources large enough for an HNSW graph ({@code format/v0-graph} and
 * {@code format/v1-graph}, read by {@link TestFormatStability}): {@value #DOCS} documents of
 * MetaEmbed fields with {@value #DIM} components and 1..{@value #MAX_VECTORS} vectors, every
 * vector a pure function of {@link #SEED}, written in three segments (documents 0..699, 700..1399
 * and 1400..1499), then the {@link #deleted} documents deleted. A field is missing from 2 % of
 * the documents ({@link #hasField}).
 *
 * <p>Lucene 10.5's {@code Lucene99HnswVectorsWriter} builds no graph for a segment of n vectors
 * unless {@code n > (int) (100 · ln n)} ({@code HNSW_GRAPH_THRESHOLD} 100), that is n ≥ 648; so
 * the first two segments (686 documents with the field each) have a graph and the third (98) has
 * none, and a reader sees both kinds.
 *
 * <p><b>This class must compile against the codec of every format version</b>: it uses only
 * {@code MetaEmbedCodec()}, {@code MetaEmbedField(String, float[][], FieldType)} and (in {@link
 * #main}) {@code MetaEmbedField.createFieldType(int, int, VectorSimilarityFunction)}, which exist
 * unchanged since version 0, and nothing else of this source set. {@link #main} writes the version
 * 0 resource from a checkout of the version 0 code (see {@link TestFormatStability}); the test
 * regenerates the same documents from this class to compare with what it reads. Never change what
 * it generates: the checked-in indexes would no longer match.
 */
public final class GraphCorpus {
  static final long SEED = 0x4D45477261706830L; // "MEGraph0"
  static final int DIM = 16;
  static final int MAX_VECTORS = 4;
  static final int DOCS = 1500;

  /** Exclusive ends of the three segments, in document order. */
  static final int[] SEGMENT_ENDS = {700, 1400, 1500};

  /** Field names of the version 0 resource: one field, FLOAT32 (the only storage then). */
  static final String[] V0_FIELDS = {"page"};

  /** Similarities of {@link #V0_FIELDS}. */
  static final VectorSimilarityFunction[] V0_SIMILARITIES = {VectorSimilarityFunction.DOT_PRODUCT};

  private GraphCorpus() {}

  static boolean deleted(int i) {
    return i % 67 == 11; // 23 documents: 11, 10 and 2 per segment
  }

  /** Whether document {@code i} has field number {@code f}: all but 2 % of the documents. */
  static boolean hasField(int i, int f) {
    return (i + f) % 50 != 7;
  }

  /**
   * Vectors of document {@code i} per field (null: the document lacks the field), from the seed;
   * under DOT_PRODUCT every vector has unit length.
   */
  static float[][][][] corpus(VectorSimilarityFunction[] similarities) {
    Random random = new Random(SEED);
    float[][][][] docs = new float[DOCS][similarities.length][][];
    for (int i = 0; i < DOCS; i++) {
      for (int f = 0; f < similarities.length; f++) {
        if (hasField(i, f)) {
          docs[i][f] = randomVectors(random, similarities[f]);
        }
      }
    }
    return docs;
  }

  /** 1..MAX_VECTORS vectors of DIM components; the same float operations in every version. */
  static float[][] randomVectors(Random random, VectorSimilarityFunction similarity) {
    float[][] vectors = new float[1 + random.nextInt(MAX_VECTORS)][DIM];
    for (float[] vector : vectors) {
      double norm = 0;
      for (int c = 0; c < DIM; c++) {
        vector[c] = random.nextFloat() * 2 - 1;
        norm += vector[c] * vector[c];
      }
      if (norm == 0) {
        vector[0] = 1f;
        norm = 1;
      }
      if (similarity == VectorSimilarityFunction.DOT_PRODUCT) {
        for (int c = 0; c < DIM; c++) {
          vector[c] /= (float) Math.sqrt(norm);
        }
      }
    }
    return vectors;
  }

  /**
   * Writes the corpus with {@link MetaEmbedCodec}: field {@code f} named {@code names[f]} with
   * type {@code types[f]} (whose similarity must be {@code similarities[f]}), no compound files,
   * one segment per {@link #SEGMENT_ENDS} range, then the deletes in a last commit.
   */
  static void write(
      Directory dir, String[] names, FieldType[] types, VectorSimilarityFunction[] similarities)
      throws IOException {
    float[][][][] docs = corpus(similarities);
    IndexWriterConfig iwc =
        new IndexWriterConfig()
            .setCodec(new MetaEmbedCodec())
            .setUseCompoundFile(false)
            .setMergePolicy(NoMergePolicy.INSTANCE)
            .setMaxBufferedDocs(IndexWriterConfig.DISABLE_AUTO_FLUSH)
            .setRAMBufferSizeMB(256);
    try (IndexWriter writer = new IndexWriter(dir, iwc)) {
      int segment = 0;
      for (int i = 0; i < DOCS; i++) {
        Document doc = new Document();
        doc.add(new StringField("id", Integer.toString(i), Field.Store.YES));
        for (int f = 0; f < names.length; f++) {
          if (docs[i][f] != null) {
            doc.add(new MetaEmbedField(names[f], docs[i][f], types[f]));
          }
        }
        writer.addDocument(doc);
        if (i + 1 == SEGMENT_ENDS[segment]) {
          writer.commit();
          segment++;
        }
      }
      for (int i = 0; i < DOCS; i++) {
        if (deleted(i)) {
          writer.deleteDocuments(new Term("id", Integer.toString(i)));
        }
      }
      writer.commit();
    }
  }

  /** Zips the files of the index in {@code dir} (sorted by name, without {@code write.lock}). */
  static void zip(Path dir, Path zip) throws IOException {
    List<Path> files;
    try (var list = Files.list(dir)) {
      files =
          list.filter(p -> p.getFileName().toString().equals("write.lock") == false)
              .sorted()
              .toList();
    }
    Path parent = zip.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
      for (Path file : files) {
        out.putNextEntry(new ZipEntry(file.getFileName().toString()));
        Files.copy(file, out);
        out.closeEntry();
      }
    }
  }

  /**
   * Writes the version 0 resource: {@code GraphCorpus <zip> <work directory>} writes the index
   * (fields {@link #V0_FIELDS}, FLOAT32) into the new or empty work directory and zips it.
   */
  public static void main(String[] args) throws IOException {
    Path zip = Paths.get(args[0]);
    Path work = Files.createDirectories(Paths.get(args[1]));
    FieldType[] types = new FieldType[V0_FIELDS.length];
    for (int f = 0; f < types.length; f++) {
      types[f] = MetaEmbedField.createFieldType(DIM, MAX_VECTORS, V0_SIMILARITIES[f]);
    }
    try (Directory dir = FSDirectory.open(work)) {
      write(dir, V0_FIELDS, types, V0_SIMILARITIES);
    }
    zip(work, zip);
    System.out.println(
        "GraphCorpus: " + DOCS + " documents, " + Files.size(zip) + " bytes: " + zip);
  }
}
