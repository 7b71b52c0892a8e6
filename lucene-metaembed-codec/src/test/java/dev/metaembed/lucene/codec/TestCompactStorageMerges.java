package dev.metaembed.lucene.codec;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.index.CodecReader;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FilterLeafReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LogDocMergePolicy;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.SlowCodecReaderWrapper;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.tests.util.TestUtil;

/**
 * Merges never re-quantize a compact prefix store, and the graph keeps vector 0 exactly as indexed,
 * both for plain merges and for sources wrapped the way {@code addIndexes} of filtered readers sees
 * them.
 */
public class TestCompactStorageMerges extends LuceneTestCase {
  private static final String FIELD = "page";

  public void testMergesKeepEncodedBytesAndExactVectorZero() throws IOException {
    for (VectorStorage storage : VectorStorage.values()) {
      int dim = 4 + random().nextInt(40);
      VectorSimilarityFunction similarity = VectorSimilarityFunction.EUCLIDEAN;
      FieldType type = MetaEmbedField.createFieldType(dim, 8, similarity, storage);
      List<float[][]> docs = new ArrayList<>();
      try (Directory source = newDirectory();
          Directory target = newDirectory()) {
        IndexWriterConfig iwc = new IndexWriterConfig().setCodec(new MetaEmbedCodec());
        iwc.setMergePolicy(NoMergePolicy.INSTANCE);
        try (IndexWriter writer = new IndexWriter(source, iwc)) {
          for (int i = 0; i < 30; i++) {
            float[][] vectors = RandomMetaEmbedDocs.randomDocument(random(), dim, 8, similarity);
            docs.add(vectors);
            Document doc = new Document();
            doc.add(new MetaEmbedField(FIELD, vectors, type));
            writer.addDocument(doc);
            if (i % 10 == 9) {
              writer.commit(); // three segments
            }
          }
        }
        try (DirectoryReader reader = DirectoryReader.open(source);
            IndexWriter writer =
                new IndexWriter(target, new IndexWriterConfig().setCodec(new MetaEmbedCodec()))) {
          List<CodecReader> wrapped = new ArrayList<>();
          for (var leaf : reader.leaves()) {
            wrapped.add(
                SlowCodecReaderWrapper.wrap(
                    new FilterLeafReader(leaf.reader()) {
                      @Override
                      public CacheHelper getCoreCacheHelper() {
                        return null;
                      }

                      @Override
                      public CacheHelper getReaderCacheHelper() {
                        return null;
                      }
                    }));
          }
          writer.addIndexes(wrapped.toArray(CodecReader[]::new));
          writer.forceMerge(1);
        }
        TestUtil.checkIndex(target);
        try (DirectoryReader merged = DirectoryReader.open(target)) {
          assertEquals(1, merged.leaves().size());
          check(storage, merged.leaves().get(0).reader(), docs, similarity);
        }
      }
    }
  }

  /**
   * Segments whose documents used different storages for one field merge into the merged field's
   * storage: no failed merge, every document kept, the result consistent.
   */
  public void testSegmentsWithDifferentStoragesMerge() throws IOException {
    int dim = 8;
    VectorSimilarityFunction similarity = VectorSimilarityFunction.DOT_PRODUCT;
    List<float[][]> docs = new ArrayList<>();
    VectorStorage[] storages = VectorStorage.values();
    try (Directory dir = newDirectory()) {
      IndexWriterConfig iwc = new IndexWriterConfig().setCodec(new MetaEmbedCodec());
      iwc.setMergePolicy(NoMergePolicy.INSTANCE);
      try (IndexWriter writer = new IndexWriter(dir, iwc)) {
        for (VectorStorage storage : storages) { // one segment per storage
          FieldType type = MetaEmbedField.createFieldType(dim, 4, similarity, storage);
          for (int i = 0; i < 5; i++) {
            float[][] vectors = RandomMetaEmbedDocs.randomDocument(random(), dim, 4, similarity);
            docs.add(vectors);
            Document doc = new Document();
            doc.add(new MetaEmbedField(FIELD, vectors, type));
            writer.addDocument(doc);
          }
          writer.commit();
        }
      }
      // LogDocMergePolicy merges adjacent segments: doc ids keep the order they were added in
      try (IndexWriter writer =
          new IndexWriter(
              dir,
              new IndexWriterConfig()
                  .setCodec(new MetaEmbedCodec())
                  .setMergePolicy(new LogDocMergePolicy()))) {
        writer.forceMerge(1);
      }
      TestUtil.checkIndex(dir);
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        assertEquals(1, reader.leaves().size());
        LeafReader leaf = reader.leaves().get(0).reader();
        String merged = leaf.getFieldInfos().fieldInfo(FIELD).getAttribute("metaembed.storage");
        VectorStorage target = VectorStorage.valueOf(merged.toUpperCase(java.util.Locale.ROOT));
        MetaEmbedVectorValues values = MetaEmbedVectorValues.get(leaf, FIELD);
        assertEquals(target, values.storage());
        for (int doc = 0; doc < docs.size(); doc++) {
          assertTrue(values.advanceExact(doc));
          float[][] got = values.vectors(Integer.MAX_VALUE);
          assertEquals("doc " + doc, docs.get(doc).length, got.length);
          // vector 0 is read exact from the graph, whatever the storages involved
          assertArrayEquals("doc " + doc, RandomMetaEmbedDocs.stored(docs.get(doc))[0], got[0], 0f);
        }
      }
    }
  }

  private void check(
      VectorStorage storage,
      LeafReader leaf,
      List<float[][]> docs,
      VectorSimilarityFunction similarity)
      throws IOException {
    MetaEmbedVectorValues values = MetaEmbedVectorValues.get(leaf, FIELD);
    for (int doc = 0; doc < docs.size(); doc++) {
      assertTrue(values.advanceExact(doc));
      float[][] want = RandomMetaEmbedDocs.stored(docs.get(doc), storage); // encoded once
      float[][] got = values.vectors(Integer.MAX_VALUE);
      assertEquals(want.length, got.length);
      for (int i = 0; i < want.length; i++) {
        assertArrayEquals(storage + " doc " + doc + " vector " + i, want[i], got[i], 0f);
      }
    }
    int probe = random().nextInt(docs.size());
    float[] target = docs.get(probe)[0];
    TopDocs hits =
        leaf.searchNearestVectors(
            FIELD, target, 1, AcceptDocs.fromLiveDocs(null, leaf.maxDoc()), Integer.MAX_VALUE);
    // the graph scores the exact vector 0: the document itself matches perfectly
    assertEquals(storage + " probe " + probe, 1f, hits.scoreDocs[0].score, 0f);
  }
}
