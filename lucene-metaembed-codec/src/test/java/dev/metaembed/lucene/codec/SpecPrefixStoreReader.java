package dev.metaembed.lucene.codec;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.codecs.lucene90.IndexedDISI;
import org.apache.lucene.codecs.lucene95.OrdToDocDISIReaderConfiguration;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FilterLeafReader;
import org.apache.lucene.index.IndexFileNames;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.SegmentInfo;
import org.apache.lucene.index.SegmentReader;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.store.ChecksumIndexInput;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.util.packed.DirectMonotonicReader;

/**
 * Reads a segment's {@code .mvm}/{@code .mvd} files as {@link MetaEmbedVectorsFormat}'s Javadoc
 * specifies them, without the format's reader, and checks what CheckIndex cannot see: headers and
 * footers, that each entry agrees with its field's attributes, 64-byte-aligned vector regions of
 * exactly {@code totalVectors × bytesPerVector} bytes inside the file and disjoint from each other,
 * doc ids dense exactly when every document has the field, and vector starts that begin at 0, grow
 * by 1..maxVectors per document and end at {@code totalVectors}. Returns each document's encoded
 * vectors, so tests compare the stored bytes with {@link SpecEncoding}.
 */
final class SpecPrefixStoreReader {
  /** Similarity numbers as the Javadoc lists them. */
  private static final VectorSimilarityFunction[] SIMILARITIES = {
    VectorSimilarityFunction.EUCLIDEAN,
    VectorSimilarityFunction.DOT_PRODUCT,
    VectorSimilarityFunction.COSINE,
    VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT
  };

  private SpecPrefixStoreReader() {}

  /** One field of one segment: doc id → its stored vectors' bytes, in Matryoshka order. */
  record StoredField(FieldInfo info, VectorStorage storage, Map<Integer, byte[][]> vectors) {}

  /**
   * Every MetaEmbed field's stored vectors in the segment behind {@code leaf} (a segment reader,
   * possibly wrapped), by field name, read from every {@code .mvm}/{@code .mvd} pair of the
   * segment (one per MetaEmbed format instance under a per-field codec).
   */
  static Map<String, StoredField> read(LeafReader leaf) throws IOException {
    SegmentReader segment = (SegmentReader) FilterLeafReader.unwrap(leaf);
    SegmentInfo si = segment.getSegmentInfo().info;
    Map<String, StoredField> fields = new HashMap<>();
    Directory dir =
        si.getUseCompoundFile()
            ? si.getCodec().compoundFormat().getCompoundReader(si.dir, si)
            : si.dir;
    try {
      for (String file : dir.listAll()) {
        if (file.startsWith(si.name + ".") == false && file.startsWith(si.name + "_") == false) {
          continue;
        }
        if (IndexFileNames.getExtension(file).equals("mvm")) {
          readPair(dir, si, segment, file, fields);
        }
      }
    } finally {
      if (dir != si.dir) {
        dir.close();
      }
    }
    return fields;
  }

  private static void readPair(
      Directory dir,
      SegmentInfo si,
      SegmentReader segment,
      String metaFile,
      Map<String, StoredField> fields)
      throws IOException {
    String suffix = IndexFileNames.stripExtension(IndexFileNames.stripSegmentName(metaFile));
    suffix = suffix.startsWith("_") ? suffix.substring(1) : suffix;
    String dataFile = IndexFileNames.segmentFileName(si.name, suffix, "mvd");
    try (ChecksumIndexInput meta = dir.openChecksumInput(metaFile);
        IndexInput data = dir.openInput(dataFile, IOContext.READONCE)) {
      int version =
          CodecUtil.checkIndexHeader(meta, "MetaEmbedVectorsFormatMeta", 0, 1, si.getId(), suffix);
      assertEquals(
          version,
          CodecUtil.checkIndexHeader(data, "MetaEmbedVectorsFormatData", 0, 1, si.getId(), suffix));
      long dataStart = data.getFilePointer();
      long dataEnd = data.length() - CodecUtil.footerLength();
      List<long[]> regions = new ArrayList<>();
      for (int number = meta.readInt(); number != -1; number = meta.readInt()) {
        StoredField field = readField(meta, data, segment, number, dataStart, dataEnd, regions);
        assertEquals("field in two entries", null, fields.put(field.info().name, field));
      }
      CodecUtil.checkFooter(meta);
      CodecUtil.checksumEntireFile(data);
      regions.sort((a, b) -> Long.compare(a[0], b[0]));
      for (int i = 1; i < regions.size(); i++) {
        assertTrue("regions overlap in " + dataFile, regions.get(i - 1)[1] <= regions.get(i)[0]);
      }
    }
  }

  private static StoredField readField(
      IndexInput meta,
      IndexInput data,
      SegmentReader segment,
      int number,
      long dataStart,
      long dataEnd,
      List<long[]> regions)
      throws IOException {
    FieldInfo info = segment.getFieldInfos().fieldInfo(number);
    assertNotNull("field number " + number, info);
    String name = info.name;
    int storageCode = meta.readByte();
    VectorStorage storage = VectorStorage.values()[storageCode];
    assertEquals(name, storage.attributeValue(), info.getAttribute("metaembed.storage"));
    assertEquals(name, info.getVectorSimilarityFunction(), SIMILARITIES[meta.readInt()]);
    int dim = meta.readVInt();
    int maxVectors = meta.readVInt();
    assertEquals(name, Integer.toString(dim), info.getAttribute("metaembed.dimension"));
    assertEquals(name, Integer.toString(maxVectors), info.getAttribute("metaembed.max_vectors"));
    assertEquals(name, 64 * dim + maxVectors - 1, info.getVectorDimension());
    long vectorsOffset = meta.readVLong();
    long vectorsLength = meta.readVLong();
    int docCount = meta.readInt();
    long totalVectors = meta.readVLong();
    int maxDoc = segment.maxDoc();
    int bytesPerVector = SpecEncoding.bytesPerVector(storage, dim);
    assertEquals(name + ": vectors offset aligned", 0, vectorsOffset % 64);
    assertTrue(
        name + ": vectors inside the file",
        vectorsOffset >= dataStart && vectorsOffset + vectorsLength <= dataEnd);
    assertEquals(name + ": vector bytes", totalVectors * bytesPerVector, vectorsLength);
    assertTrue(name + ": docCount", docCount >= 0 && docCount <= maxDoc);
    regions.add(new long[] {vectorsOffset, vectorsOffset + vectorsLength});
    OrdToDocDISIReaderConfiguration docs =
        OrdToDocDISIReaderConfiguration.fromStoredMeta(meta, docCount);
    assertEquals(
        name + ": dense iff every document has the field", docCount == maxDoc, docs.isDense());
    assertEquals(name + ": empty iff no document has the field", docCount == 0, docs.isEmpty());
    long startsOffset = meta.readLong();
    int blockShift = meta.readVInt();
    DirectMonotonicReader.Meta startsMeta =
        DirectMonotonicReader.loadMeta(meta, docCount + 1L, blockShift);
    long startsLength = meta.readLong();
    assertTrue(
        name + ": starts inside the file",
        startsOffset >= vectorsOffset + vectorsLength && startsOffset + startsLength <= dataEnd);
    regions.add(new long[] {startsOffset, startsOffset + startsLength});
    DirectMonotonicReader starts =
        DirectMonotonicReader.getInstance(
            startsMeta, data.randomAccessSlice(startsOffset, startsLength));
    int[] ordToDoc = ordToDoc(docs, data, docCount, maxDoc);
    Map<Integer, byte[][]> vectors = new HashMap<>();
    assertEquals(name + ": first start", 0, starts.get(0));
    IndexInput slice = data.slice("vectors", vectorsOffset, vectorsLength);
    for (int ord = 0; ord < docCount; ord++) {
      long count = starts.get(ord + 1) - starts.get(ord);
      assertTrue(
          name + ": ord " + ord + " has " + count + " vectors", count >= 1 && count <= maxVectors);
      slice.seek(starts.get(ord) * bytesPerVector);
      byte[][] doc = new byte[(int) count][bytesPerVector];
      for (byte[] vector : doc) {
        slice.readBytes(vector, 0, bytesPerVector);
      }
      vectors.put(ordToDoc[ord], doc);
    }
    assertEquals(name + ": last start", totalVectors, starts.get(docCount));
    return new StoredField(info, storage, vectors);
  }

  private static int[] ordToDoc(
      OrdToDocDISIReaderConfiguration docs, IndexInput data, int docCount, int maxDoc)
      throws IOException {
    int[] ordToDoc = new int[docCount];
    if (docs.isDense()) {
      for (int ord = 0; ord < docCount; ord++) {
        ordToDoc[ord] = ord;
      }
    } else if (docs.isEmpty() == false) {
      IndexedDISI disi = docs.getIndexedDISI(data);
      var direct = docs.getDirectMonotonicReader(data);
      int ord = 0;
      for (int doc = disi.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = disi.nextDoc()) {
        assertTrue(doc < maxDoc);
        assertEquals(ord, disi.index());
        assertEquals("ord-to-doc map", doc, direct.get(ord));
        ordToDoc[ord++] = doc;
      }
      assertEquals("documents in the doc-id set", docCount, ord);
    }
    return ordToDoc;
  }
}
