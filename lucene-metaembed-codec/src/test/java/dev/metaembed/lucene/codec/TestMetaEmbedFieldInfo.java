package dev.metaembed.lucene.codec;

import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FilterLeafReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.tests.util.TestUtil;

/** The codec's reading API for field shapes and segment versions, and the one storage-name parser. */
public class TestMetaEmbedFieldInfo extends LuceneTestCase {

  public void testShapeAndVersionUnderBothCodecSetups() throws Exception {
    int dim = TestUtil.nextInt(random(), 1, 40);
    int maxVectors = TestUtil.nextInt(random(), 1, 64);
    VectorStorage storage = RandomPicks.storage(random());
    VectorSimilarityFunction similarity = RandomPicks.similarity(random());
    KnnVectorsFormat metaEmbed = new MetaEmbedVectorsFormat();
    Codec perField =
        new Lucene104Codec() {
          @Override
          public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
            return field.equals("page") ? metaEmbed : new Lucene99HnswVectorsFormat();
          }
        };
    for (Codec codec : new Codec[] {new MetaEmbedCodec(), perField}) {
      try (Directory dir = newDirectory();
          IndexWriter writer = new IndexWriter(dir, new IndexWriterConfig().setCodec(codec))) {
        Document doc = new Document();
        float[][] vectors = new float[TestUtil.nextInt(random(), 1, maxVectors)][];
        for (int v = 0; v < vectors.length; v++) {
          vectors[v] = RandomVectors.unit(random(), dim);
        }
        doc.add(
            new MetaEmbedField(
                "page",
                vectors,
                MetaEmbedField.createFieldType(dim, maxVectors, similarity, storage)));
        doc.add(new KnnFloatVectorField("plain", RandomVectors.unit(random(), 4)));
        doc.add(new StringField("id", "1", Field.Store.YES));
        writer.addDocument(doc);
        writer.commit();
        try (DirectoryReader reader = DirectoryReader.open(dir)) {
          LeafReader leaf = reader.leaves().get(0).reader();
          MetaEmbedFieldInfo page = MetaEmbedFieldInfo.of(leaf.getFieldInfos().fieldInfo("page"));
          assertEquals(
              codec.getName(),
              new MetaEmbedFieldInfo("page", dim, maxVectors, storage, similarity),
              page);
          assertEquals(storage.bytesPerVector(dim), page.bytesPerVector());
          assertNull(MetaEmbedFieldInfo.of(leaf.getFieldInfos().fieldInfo("plain")));
          assertNull(MetaEmbedFieldInfo.of(leaf.getFieldInfos().fieldInfo("id")));
          assertNull(MetaEmbedFieldInfo.of(null));
          assertFalse(MetaEmbedFieldInfo.isMetaEmbed(leaf.getFieldInfos().fieldInfo("plain")));
          assertEquals(
              MetaEmbedVectorsFormat.VERSION_CURRENT,
              MetaEmbedFieldInfo.formatVersion(leaf, "page"));
          assertEquals(
              MetaEmbedVectorsFormat.VERSION_CURRENT,
              MetaEmbedFieldInfo.formatVersion(
                  new FilterLeafReader(leaf) {
                    @Override
                    public CacheHelper getCoreCacheHelper() {
                      return null;
                    }

                    @Override
                    public CacheHelper getReaderCacheHelper() {
                      return null;
                    }
                  },
                  "page"));
          assertEquals(-1, MetaEmbedFieldInfo.formatVersion(leaf, "plain"));
          assertEquals(-1, MetaEmbedFieldInfo.formatVersion(leaf, "id"));
          assertEquals(-1, MetaEmbedFieldInfo.formatVersion(leaf, "missing"));
        }
      }
    }
  }

  public void testStorageNames() {
    for (VectorStorage storage : VectorStorage.values()) {
      assertSame(storage, VectorStorage.fromName(storage.attributeValue()));
      assertSame(storage, VectorStorage.fromName(" " + storage.name() + "\t"));
    }
    for (String bad : new String[] {"fp8", "", "int 8", "float"}) {
      IllegalArgumentException e =
          expectThrows(IllegalArgumentException.class, () -> VectorStorage.fromName(bad));
      assertTrue(
          e.getMessage(),
          e.getMessage()
              .contains("unknown storage \"" + bad + "\" (float32, bfloat16, int8 or bit)"));
    }
    expectThrows(IllegalArgumentException.class, () -> VectorStorage.fromName(null));
  }
}
