package dev.metaembed.lucene.codec;

import java.io.IOException;
import org.apache.lucene.codecs.lucene90.IndexedDISI;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.store.DataOutput;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.util.LongValues;
import org.apache.lucene.util.packed.DirectMonotonicReader;

/**
 * Random access, by ord, to one field's vectors in {@code .mvd}. Reads only the vectors asked for:
 * the first {@code r} vectors of a document are one contiguous read. Not thread-safe: each reader
 * thread uses its own instance ({@link #copy()}).
 */
final class PrefixStore {
  final PrefixFieldEntry entry;
  private final IndexInput data;
  private final IndexInput vectors;
  private final LongValues starts;
  private final LongValues ordToDoc;
  private final FloatVectorValues firstVectors;
  private byte[] scratch; // encoded bytes of one document, for encodings that decode
  private float[] buffer; // decoded vectors of one document, for reads into float[][]

  /**
   * @param firstVectors the graph's copy of vector 0 by the same ords, exact as indexed; null when
   *     the store itself holds vector 0 exactly (FLOAT32)
   */
  PrefixStore(PrefixFieldEntry entry, IndexInput data, FloatVectorValues firstVectors)
      throws IOException {
    this.entry = entry;
    this.data = data;
    this.firstVectors = firstVectors;
    this.vectors = data.slice("metaembed-vectors", entry.vectorsOffset(), entry.vectorsLength());
    this.starts =
        DirectMonotonicReader.getInstance(
            entry.startsMeta(), data.randomAccessSlice(entry.startsOffset(), entry.startsLength()));
    this.ordToDoc = isSparse() ? entry.docs().getDirectMonotonicReader(data) : null;
  }

  PrefixStore copy() throws IOException {
    return new PrefixStore(entry, data, firstVectors == null ? null : firstVectors.copy());
  }

  /** Documents with the field. */
  int size() {
    return entry.docCount();
  }

  /** True when some, but not all, documents of the segment have the field. */
  boolean isSparse() {
    return entry.docs().isDense() == false && entry.docs().isEmpty() == false;
  }

  /** A fresh iterator over the documents with the field when sparse; {@link #index()} is the ord. */
  IndexedDISI sparseDocs() throws IOException {
    return entry.docs().getIndexedDISI(data);
  }

  int ordToDoc(int ord) {
    return ordToDoc == null ? ord : (int) ordToDoc.get(ord);
  }

  /**
   * Number of vectors stored for {@code ord}, 1..maxVectors. Checked, because the vector starts
   * live in {@code .mvd}, whose checksum only {@code checkIntegrity} verifies: a damaged start
   * must not become a negative count or a read outside the document's bytes. Every read of
   * {@code ord} asks for this count first.
   *
   * @throws CorruptIndexException when {@code ord} is out of range or the stored starts give it no
   *     vectors, too many, or vectors outside the field's
   */
  int vectorCount(int ord) throws IOException {
    if (ord < 0 || ord >= entry.docCount()) { // an ord from a damaged doc-id set
      throw new CorruptIndexException(
          "field \"" + entry.info().name + "\": ord " + ord + " of " + entry.docCount(), data);
    }
    long start = starts.get(ord);
    long end = starts.get(ord + 1);
    if (start < 0
        || end - start < 1
        || end - start > entry.shape().maxVectors()
        || end > entry.totalVectors()) {
      throw new CorruptIndexException(
          "field \""
              + entry.info().name
              + "\": document ord "
              + ord
              + " has vectors ["
              + start
              + ", "
              + end
              + ") of "
              + entry.totalVectors()
              + ", at most "
              + entry.shape().maxVectors()
              + " per document",
          data);
    }
    return (int) (end - start);
  }

  /** Reads the first {@code count} vectors of {@code ord}, decoded, one per array of {@code dest}. */
  void read(int ord, int count, float[][] dest) throws IOException {
    if (buffer == null) {
      buffer = new float[entry.shape().vectorComponents()];
    }
    read(ord, count, buffer);
    int dimension = entry.shape().dimension();
    for (int i = 0; i < count; i++) {
      System.arraycopy(buffer, i * dimension, dest[i], 0, dimension);
    }
  }

  /**
   * Reads the first {@code count} vectors of {@code ord} into {@code dest}, decoded and back to
   * back: one contiguous read of the encoded prefix, nothing else of the document. Vector 0 is
   * always exact: with a compact storage it comes from the graph's full-precision copy.
   */
  void read(int ord, int count, float[] dest) throws IOException {
    MetaEmbedFieldShape shape = entry.shape();
    if (scratch == null && shape.storage() != VectorStorage.FLOAT32) {
      scratch = new byte[Math.toIntExact(shape.bytesPerVector() * shape.maxVectors())];
    }
    int skipped = 0;
    if (firstVectors != null && count > 0) { // compact storage: vector 0 exact, from the graph
      float[] first = firstVectors.vectorValue(ord);
      System.arraycopy(first, 0, dest, 0, first.length);
      skipped = 1;
    }
    vectors.seek(start(ord) + skipped * shape.bytesPerVector());
    shape
        .storage()
        .readVectors(
            vectors,
            count - skipped,
            shape.dimension(),
            dest,
            skipped * shape.dimension(),
            scratch);
  }

  /** Copies the encoded vectors of {@code ord} to {@code out} unchanged; returns how many. */
  int copyEncoded(int ord, DataOutput out) throws IOException {
    int count = vectorCount(ord);
    vectors.seek(start(ord));
    out.copyBytes(vectors, count * entry.shape().bytesPerVector());
    return count;
  }

  /**
   * Asks the directory to load the first {@code count} vectors of {@code ord} in the background,
   * so a later {@link #read} does not wait for the page.
   */
  void prefetch(int ord, int count) throws IOException {
    vectors.prefetch(start(ord), count * entry.shape().bytesPerVector());
  }

  /** Where {@code ord}'s vectors start; valid once {@link #vectorCount} accepted {@code ord}. */
  private long start(int ord) {
    return starts.get(ord) * entry.shape().bytesPerVector();
  }
}
