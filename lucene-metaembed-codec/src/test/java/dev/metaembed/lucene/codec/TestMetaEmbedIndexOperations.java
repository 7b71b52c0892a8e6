package dev.metaembed.lucene.codec;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.index.CodecReader;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FilterLeafReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.SlowCodecReaderWrapper;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.tests.util.TestUtil;

/** addIndexes from MetaEmbed and foreign-format indexes, off-heap size reporting, CheckIndex. */
public class TestMetaEmbedIndexOperations extends LuceneTestCase {
  private static final int DIM = 6;
  private static final VectorSimilarityFunction SIM = VectorSimilarityFunction.DOT_PRODUCT;
  private static final FieldType TYPE = MetaEmbedField.createFieldType(DIM, 4, SIM);

  private final Map<Integer, float[][]> expected = new HashMap<>();

  public void testAddIndexesFromDirectoriesAndReadersOfAnyFormat() throws IOException {
    try (Directory ours = newDirectory();
        Directory foreign = newDirectory();
        Directory target = newDirectory()) {
      fill(ours, new MetaEmbedCodec(), 0);
      // a MetaEmbed field written by Lucene's default codec: merged in through its flat vectors
      fill(foreign, new Lucene104Codec(), 1000);
      try (DirectoryReader foreignReader = DirectoryReader.open(foreign)) {
        for (var ctx : foreignReader.leaves()) { // read through the flat vectors of another format
          assertSameVectors(ctx.reader());
        }
      }
      try (IndexWriter writer =
          new IndexWriter(target, newIndexWriterConfig().setCodec(new MetaEmbedCodec()))) {
        writer.addIndexes(ours);
        try (DirectoryReader foreignReader = DirectoryReader.open(foreign)) {
          writer.addIndexes(
              foreignReader.leaves().stream()
                  .map(ctx -> (CodecReader) ctx.reader())
                  .toArray(CodecReader[]::new));
        }
        writer.forceMerge(1);
      }
      try (DirectoryReader reader = DirectoryReader.open(target)) {
        assertEquals(expected.size(), reader.numDocs());
        LeafReader leaf = getOnlyLeafReader(reader);
        assertSameVectors(leaf);
        LeafReader wrapped = new WrappedLeafReader(leaf);
        assertSameVectors(wrapped);
        assertTrue( // a FilterLeafReader keeps doc IDs: read through to the format's own reader
            MetaEmbedVectorValues.get(wrapped, "page") instanceof OffHeapMetaEmbedVectorValues);
        LeafReader slow = SlowCodecReaderWrapper.wrap(wrapped); // hides the codec's reader
        assertSameVectors(slow);
        assertTrue(MetaEmbedVectorValues.get(slow, "page") instanceof FlatAsMetaEmbedValues);
        assertOffHeapSizes(leaf);
      }
      TestUtil.checkIndex(target);
    }
  }

  private void fill(Directory dir, Codec codec, int firstId) throws IOException {
    int docs = atLeast(20);
    try (IndexWriter writer = new IndexWriter(dir, newIndexWriterConfig().setCodec(codec))) {
      for (int i = 0; i < docs; i++) {
        float[][] vectors = RandomMetaEmbedDocs.randomDocument(random(), DIM, 4, SIM);
        Document doc = new Document();
        doc.add(new StoredField("id", firstId + i));
        doc.add(new MetaEmbedField("page", vectors, TYPE));
        writer.addDocument(doc);
        expected.put(firstId + i, RandomMetaEmbedDocs.stored(vectors));
      }
    }
  }

  private void assertSameVectors(LeafReader leaf) throws IOException {
    MetaEmbedVectorValues values = MetaEmbedVectorValues.get(leaf, "page");
    for (int doc = 0; doc < leaf.maxDoc(); doc++) {
      int id = leaf.storedFields().document(doc).getField("id").numericValue().intValue();
      float[][] want = expected.get(id);
      assertTrue(values.advanceExact(doc));
      float[][] got = values.vectors(values.maxVectors());
      assertEquals(want.length, got.length);
      for (int i = 0; i < want.length; i++) {
        assertArrayEquals("id " + id + " vector " + i, want[i], got[i], 0f);
      }
      float[][] scratch = new float[values.maxVectors()][DIM];
      assertEquals(want.length, values.readVectors(Integer.MAX_VALUE, scratch));
      assertArrayEquals(want[want.length - 1], scratch[want.length - 1], 0f);
    }
  }

  private static final class WrappedLeafReader extends FilterLeafReader {
    WrappedLeafReader(LeafReader in) {
      super(in);
    }

    @Override
    public CacheHelper getCoreCacheHelper() {
      return in.getCoreCacheHelper();
    }

    @Override
    public CacheHelper getReaderCacheHelper() {
      return in.getReaderCacheHelper();
    }
  }

  /** The prefix store and the graph both report; the graph's flat file holds vector 0 only. */
  private void assertOffHeapSizes(LeafReader leaf) {
    var info = leaf.getFieldInfos().fieldInfo("page");
    Map<String, Long> sizes = ((CodecReader) leaf).getVectorReader().getOffHeapByteSize(info);
    long totalVectors = expected.values().stream().mapToLong(v -> v.length).sum();
    assertEquals(sizes.toString(), totalVectors * DIM * Float.BYTES, (long) sizes.get("mvd"));
    assertEquals(
        sizes.toString(), (long) leaf.maxDoc() * DIM * Float.BYTES, (long) sizes.get("vec"));
  }
}
