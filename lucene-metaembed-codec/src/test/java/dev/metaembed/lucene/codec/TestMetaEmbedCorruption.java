package dev.metaembed.lucene.codec;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexFormatTooNewException;
import org.apache.lucene.index.IndexFormatTooOldException;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.tests.store.BaseDirectoryWrapper;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * Flipping one byte of, or truncating, any file the format writes is detected: opening the index
 * or {@code checkIntegrity} fails with {@link CorruptIndexException}, never a wrong answer or an
 * unrelated exception. (Lucene reports a damaged version number in a header as {@link
 * IndexFormatTooOldException} or {@link IndexFormatTooNewException}; both are accepted only when
 * the damaged byte lies in the file's header.)
 */
public class TestMetaEmbedCorruption extends LuceneTestCase {
  private static final List<String> OWN_EXTENSIONS =
      List.of(MetaEmbedVectorsFormat.META_EXTENSION, MetaEmbedVectorsFormat.DATA_EXTENSION);
  private static final List<String> GRAPH_EXTENSIONS = List.of("vec", "vemf", "vex", "vem");

  public void testEveryByteFlipIsDetected() throws IOException {
    try (Directory source = newIndex()) {
      for (String file : vectorFiles(source)) {
        int flips = atLeast(3);
        for (int i = 0; i < flips; i++) {
          long length = source.fileLength(file);
          long position = random().nextLong(length);
          try (BaseDirectoryWrapper copy = copyWithChange(source, file, position, false)) {
            assertDetected(copy, file + " byte " + position + " of " + length, position, file);
          }
        }
      }
    }
  }

  public void testTruncationIsDetected() throws IOException {
    try (Directory source = newIndex()) {
      for (String file : vectorFiles(source)) {
        long length = source.fileLength(file);
        long newLength = random().nextLong(length);
        try (BaseDirectoryWrapper copy = copyWithChange(source, file, newLength, true)) {
          assertDetected(copy, file + " truncated to " + newLength, Long.MAX_VALUE, file);
        }
      }
    }
  }

  private Directory newIndex() throws IOException {
    Directory dir = newDirectory();
    IndexWriterConfig iwc = newIndexWriterConfig().setCodec(new MetaEmbedCodec());
    iwc.setUseCompoundFile(false);
    iwc.setMergePolicy(newLogMergePolicy(false)); // no compound files: corrupt our own files
    var type = MetaEmbedField.createFieldType(8, 4, VectorSimilarityFunction.EUCLIDEAN);
    try (IndexWriter writer = new IndexWriter(dir, iwc)) {
      int docs = atLeast(30);
      for (int i = 0; i < docs; i++) {
        Document doc = new Document();
        if (i % 7 != 3) { // sparse: exercise the doc-id set too
          doc.add(
              new MetaEmbedField(
                  "page",
                  RandomMetaEmbedDocs.randomDocument(
                      random(), 8, 4, VectorSimilarityFunction.EUCLIDEAN),
                  type));
        }
        writer.addDocument(doc);
      }
      writer.forceMerge(1);
    }
    return dir;
  }

  private static List<String> vectorFiles(Directory dir) throws IOException {
    List<String> files = new ArrayList<>();
    for (String file : dir.listAll()) {
      String extension = file.substring(file.lastIndexOf('.') + 1);
      if (OWN_EXTENSIONS.contains(extension) || GRAPH_EXTENSIONS.contains(extension)) {
        files.add(file);
      }
    }
    assertTrue("own files written: " + files, files.stream().anyMatch(f -> f.endsWith(".mvm")));
    assertTrue("own files written: " + files, files.stream().anyMatch(f -> f.endsWith(".mvd")));
    return files;
  }

  /** A copy of {@code source} whose {@code victim} has byte {@code at} flipped or is cut there. */
  private BaseDirectoryWrapper copyWithChange(
      Directory source, String victim, long at, boolean truncate) throws IOException {
    BaseDirectoryWrapper copy = newDirectory();
    copy.setCheckIndexOnClose(false);
    for (String file : source.listAll()) {
      try (IndexInput in = source.openInput(file, IOContext.READONCE);
          IndexOutput out = copy.createOutput(file, IOContext.DEFAULT)) {
        if (file.equals(victim) == false) {
          out.copyBytes(in, in.length());
        } else if (truncate) {
          out.copyBytes(in, at);
        } else {
          out.copyBytes(in, at);
          out.writeByte((byte) (in.readByte() ^ (1 + random().nextInt(255))));
          out.copyBytes(in, in.length() - at - 1);
        }
      }
    }
    return copy;
  }

  private static void assertDetected(Directory dir, String what, long position, String file) {
    Exception e =
        expectThrows(
            Exception.class,
            () -> {
              try (DirectoryReader reader = DirectoryReader.open(dir)) {
                for (LeafReaderContext ctx : reader.leaves()) {
                  ctx.reader().checkIntegrity();
                }
              }
            });
    boolean inHeader =
        position
            < CodecUtil.indexHeaderLength("MetaEmbedVectorsFormatData", "")
                + 64; // generous: the longest codec name in these files is under 64 bytes
    boolean versionError =
        e instanceof IndexFormatTooOldException || e instanceof IndexFormatTooNewException;
    if ((e instanceof CorruptIndexException || (versionError && inHeader)) == false) {
      throw new AssertionError(what + ": undetected or wrong exception in " + file, e);
    }
  }
}
