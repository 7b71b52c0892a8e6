package dev.metaembed.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaembed.lucene.codec.MetaEmbedCodec;
import dev.metaembed.lucene.codec.MetaEmbedField;
import dev.metaembed.lucene.codec.MetaEmbedVectorValues;
import dev.metaembed.lucene.codec.MetaEmbedVectorsFormat;
import dev.metaembed.lucene.codec.backward.UnversionedMetaEmbedCodec;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.CheckIndex;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.SegmentReader;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The codec and its format load by SPI name from another module, as Lucene loads them: the
 * current codec under its versioned name, the pre-versioning name read-only.
 */
class CodecSpiTest {
  @TempDir Path indexPath;

  @Test
  void codecAndFormatResolveByName() {
    assertInstanceOf(MetaEmbedCodec.class, Codec.forName("MetaEmbed104"));
    assertEquals("MetaEmbed104", MetaEmbedCodec.NAME);
    assertInstanceOf(UnversionedMetaEmbedCodec.class, Codec.forName("MetaEmbed"));
    assertInstanceOf(
        MetaEmbedVectorsFormat.class, KnnVectorsFormat.forName("MetaEmbedVectorsFormat"));
    assertTrue(Codec.availableCodecs().containsAll(java.util.Set.of("MetaEmbed104", "MetaEmbed")));
  }

  @Test
  void theUnversionedCodecOnlyReads() throws IOException {
    var type = MetaEmbedField.createFieldType(3, 4, VectorSimilarityFunction.DOT_PRODUCT);
    try (Directory dir = FSDirectory.open(indexPath);
        IndexWriter writer =
            new IndexWriter(dir, new IndexWriterConfig().setCodec(Codec.forName("MetaEmbed")))) {
      Document doc = new Document();
      doc.add(new MetaEmbedField("page", new float[][] {{1, 0, 0}}, type));
      var e =
          assertThrows(
              UnsupportedOperationException.class,
              () -> {
                writer.addDocument(doc);
                writer.commit();
              });
      assertTrue(
          e.getMessage().contains("write with MetaEmbedCodec (MetaEmbed104)"), e.getMessage());
    }
  }

  @Test
  void indexWrittenByNameReadsBackOnAFreshReader() throws IOException {
    float[][] vectors = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    var type = MetaEmbedField.createFieldType(3, 16, VectorSimilarityFunction.DOT_PRODUCT);
    try (Directory dir = FSDirectory.open(indexPath)) {
      try (IndexWriter writer =
          new IndexWriter(dir, new IndexWriterConfig().setCodec(Codec.forName("MetaEmbed104")))) {
        Document doc = new Document();
        doc.add(new MetaEmbedField("page", vectors, type));
        writer.addDocument(doc);
      }
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        LeafReader leaf = reader.leaves().get(0).reader();
        assertEquals(
            "MetaEmbed104", ((SegmentReader) leaf).getSegmentInfo().info.getCodec().getName());
        MetaEmbedVectorValues values = MetaEmbedVectorValues.get(leaf, "page");
        assertTrue(values.advanceExact(0));
        assertEquals(3, values.vectorCount());
        assertEquals(3, values.dimension());
        assertEquals(16, values.maxVectors());
        assertArrayEquals(vectors[0], values.vectors(1)[0]);
        assertArrayEquals(vectors[2], values.vectors(3)[2]);
        assertFalse(values.advanceExact(1));
      }
      try (CheckIndex checker = new CheckIndex(dir)) {
        assertTrue(checker.checkIndex().clean);
      }
    }
  }
}
