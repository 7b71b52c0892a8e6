package dev.metaembed.lucene.codec;

import dev.metaembed.lucene.codec.MetaEmbedCorpus.FieldSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.index.CodecReader;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.KnnVectorValues.DocIndexIterator;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LogDocMergePolicy;
import org.apache.lucene.index.SortingCodecReader;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.index.BaseIndexFileFormatTestCase;
import org.apache.lucene.tests.util.TestUtil;
import org.apache.lucene.util.FixedBitSet;

/**
 * The conformance suite for {@link MetaEmbedVectorsFormat}, in the manner of Lucene's {@code
 * BaseKnnVectorsFormatTestCase} but on MetaEmbed fields: every test indexes {@link MetaEmbedField}s
 * of random shapes (dimension, maxVectors, vector counts 1..maxVectors, all four storages and
 * similarities, fields missing from random documents) under {@link #getCodec()}, and checks the
 * index against a {@link MetaEmbedCorpus} reference through every read path, byte for byte against
 * the independent {@link SpecEncoding} and {@link SpecPrefixStoreReader} (which also checks the
 * prefix store's invariants CheckIndex cannot see), plus CheckIndex. The generic tests inherited
 * from {@link BaseIndexFileFormatTestCase} (checkIntegrity reads every byte of every file, merge
 * stability, random exceptions, multiple close) run on documents from {@link #addRandomFields}:
 * MetaEmbed fields too. Subclasses choose the codec.
 */
public abstract class BaseMetaEmbedFormatTestCase extends BaseIndexFileFormatTestCase {
  private MetaEmbedCorpus corpus;

  /** Names of the MetaEmbed fields a test instance indexes, 1..3 of them with random shapes. */
  protected String[] fieldNames() {
    return new String[] {"page", "title", "body"};
  }

  @Override
  public void setUp() throws Exception {
    super.setUp();
    String[] names = fieldNames();
    List<FieldSpec> fields = new ArrayList<>();
    for (int i = 0, n = 1 + random().nextInt(names.length); i < n; i++) {
      fields.add(FieldSpec.random(random(), names[i]));
    }
    corpus = new MetaEmbedCorpus(fields, random());
    if (VERBOSE) {
      System.out.println("fields: " + fields);
    }
  }

  @Override
  protected void addRandomFields(Document doc) {
    for (FieldSpec field : corpus.fields) {
      if (random().nextInt(4) != 0) {
        doc.add(new MetaEmbedField(field.name(), field.randomVectors(random()), field.type()));
      }
    }
  }

  /** Segments stay as flushed until {@code forceMerge}. */
  private IndexWriterConfig configWithoutNaturalMerges() {
    LogDocMergePolicy mergePolicy = new LogDocMergePolicy();
    mergePolicy.setMergeFactor(1000);
    return config().setMergePolicy(mergePolicy);
  }

  private IndexWriterConfig config() {
    IndexWriterConfig iwc = newIndexWriterConfig().setCodec(getCodec());
    iwc.setMaxBufferedDocs(TestUtil.nextInt(random(), 5, 60));
    return iwc;
  }

  /**
   * Adds, updates (by id), deletes, flushes and commits at random, checking each reopened reader,
   * then merges to one segment; on a random index sort half the time.
   */
  public void testRandomOperations() throws IOException {
    try (Directory dir = newDirectory()) {
      IndexWriterConfig iwc = config();
      if (random().nextBoolean()) {
        iwc.setIndexSort(
            new Sort(new SortField("sort", SortField.Type.LONG, random().nextBoolean())));
      }
      try (IndexWriter writer = new IndexWriter(dir, iwc)) {
        int ops = atLeast(300);
        for (int op = 0; op < ops; op++) {
          randomOperation(writer, op);
          if (random().nextInt(60) == 0) {
            try (DirectoryReader reader = DirectoryReader.open(writer)) {
              corpus.check(reader);
            }
          }
        }
        writer.commit();
        checkCommitted(dir);
        writer.forceMerge(1);
        writer.commit();
      }
      checkMergedToOne(dir);
    }
  }

  private void randomOperation(IndexWriter writer, int op) throws IOException {
    int id = random().nextInt(Math.max(1, op));
    switch (random().nextInt(10)) {
      case 0 -> {
        writer.deleteDocuments(MetaEmbedCorpus.idTerm(id));
        corpus.delete(id);
      }
      case 1, 2 -> writer.updateDocument(MetaEmbedCorpus.idTerm(id), newDocument(id));
      case 3 -> {
        writer.addDocument(newDocument(op + 1_000_000));
        if (random().nextInt(10) == 0) {
          writer.flush();
        }
      }
      default -> writer.addDocument(newDocument(op + 1_000_000));
    }
  }

  private Document newDocument(int id) {
    Document doc = corpus.newDocument(id, 0.8);
    if (random().nextInt(4) == 0) { // a plain vector field next to the MetaEmbed ones
      doc.add(
          new KnnFloatVectorField(
              "plain", new float[] {id, 1f}, VectorSimilarityFunction.EUCLIDEAN));
    }
    return doc;
  }

  private void checkMergedToOne(Directory dir) throws IOException {
    try (DirectoryReader reader = DirectoryReader.open(dir)) {
      assertEquals(corpus.liveDocs() > 0 ? 1 : 0, reader.leaves().size());
    }
    checkCommitted(dir);
  }

  private void checkCommitted(Directory dir) throws IOException {
    try (DirectoryReader reader = DirectoryReader.open(dir)) {
      corpus.check(reader);
    }
    TestUtil.checkIndex(dir);
  }

  /** Index sorting reorders the prefix store with the documents, at flush and at merge. */
  public void testIndexSortMovesVectorsWithTheirDocuments() throws IOException {
    try (Directory dir = newDirectory()) {
      IndexWriterConfig iwc = configWithoutNaturalMerges();
      iwc.setIndexSort(new Sort(new SortField("sort", SortField.Type.LONG, true)));
      try (IndexWriter writer = new IndexWriter(dir, iwc)) {
        addDocuments(writer, 0, atLeast(80), 0.7);
        writer.commit();
        checkCommitted(dir);
        writer.forceMerge(1);
        writer.commit();
      }
      checkMergedToOne(dir);
    }
  }

  private void addDocuments(IndexWriter writer, int firstId, int count, double fieldChance)
      throws IOException {
    for (int i = 0; i < count; i++) {
      writer.addDocument(corpus.newDocument(firstId + i, fieldChance));
    }
  }

  /**
   * A field whose every document is deleted merges into a segment without its vectors while the
   * other fields keep theirs; an index whose every document is deleted merges to nothing.
   */
  public void testMergeAfterEveryDocumentOfAFieldIsDeleted() throws IOException {
    FieldSpec gone = corpus.fields.get(0);
    try (Directory dir = newDirectory()) {
      try (IndexWriter writer = new IndexWriter(dir, configWithoutNaturalMerges())) {
        int docs = atLeast(40);
        addDocuments(writer, 0, docs, 0.6);
        writer.commit();
        addDocuments(writer, docs, docs, 0.6);
        writer.commit();
        for (int id = 0; id < 2 * docs; id++) {
          if (corpus.has(id, gone.name())) {
            writer.deleteDocuments(MetaEmbedCorpus.idTerm(id));
            corpus.delete(id);
          }
        }
        writer.commit();
        checkCommitted(dir);
        writer.forceMerge(1);
        writer.commit();
        checkMergedToOne(dir);
        try (DirectoryReader reader = DirectoryReader.open(dir)) {
          assertNull(MetaEmbedVectorValues.get(getOnlyLeafReader(reader), gone.name()));
        }
        writer.deleteAll();
        writer.commit();
        corpus.deleteAll();
      }
      checkCommitted(dir);
    }
  }

  /** Segments holding different subsets of the fields merge into one holding all of them. */
  public void testMergeMixesFieldsAcrossSegments() throws IOException {
    try (Directory dir = newDirectory()) {
      try (IndexWriter writer = new IndexWriter(dir, configWithoutNaturalMerges())) {
        int id = 0;
        for (FieldSpec only : corpus.fields) {
          for (int i = 0, n = atLeast(15); i < n; i++) {
            writer.addDocument(corpus.newDocument(id++, only.name()));
          }
          writer.commit();
        }
        addDocuments(writer, id, atLeast(10), 0.0); // documents with no MetaEmbed field at all
        writer.commit();
        checkCommitted(dir);
        writer.forceMerge(1);
        writer.commit();
      }
      checkMergedToOne(dir);
    }
  }

  /**
   * {@code addIndexes} of directories and of readers carries every document's vectors over: plain
   * readers byte for byte; readers sorted by {@link SortingCodecReader}, which hides the prefix
   * store, re-encoded from their decoded values (bytes unchanged except a second quantization for
   * INT8).
   */
  public void testAddIndexes() throws IOException {
    try (Directory first = newDirectory();
        Directory second = newDirectory();
        Directory target = newDirectory()) {
      fill(first, 0);
      fill(second, 100_000);
      try (IndexWriter writer = new IndexWriter(target, config())) {
        writer.addIndexes(first);
        try (DirectoryReader reader = DirectoryReader.open(second)) {
          List<CodecReader> readers = new ArrayList<>();
          Sort sort = new Sort(new SortField("sort", SortField.Type.LONG));
          boolean sorted = random().nextBoolean();
          for (var ctx : reader.leaves()) {
            CodecReader leaf = (CodecReader) ctx.reader();
            readers.add(sorted ? SortingCodecReader.wrap(leaf, sort) : leaf);
          }
          writer.addIndexes(readers.toArray(CodecReader[]::new));
          if (sorted) { // the sorting view hides the prefix store: its vectors are re-encoded
            corpus.markReencoded(100_000, 200_000);
          }
        }
      }
      checkCommitted(target);
    }
  }

  private void fill(Directory dir, int firstId) throws IOException {
    try (IndexWriter writer = new IndexWriter(dir, config())) {
      int docs = atLeast(30);
      addDocuments(writer, firstId, docs, 0.8);
      int deleted = firstId + random().nextInt(docs);
      writer.deleteDocuments(MetaEmbedCorpus.idTerm(deleted));
      corpus.delete(deleted);
    }
  }

  /**
   * The documented limits: 4096 components × 64 vectors (every storage), and the smallest shapes.
   */
  public void testDocumentedLimits() throws IOException {
    List<FieldSpec> limits = new ArrayList<>();
    for (VectorStorage storage : VectorStorage.values()) {
      limits.add(
          new FieldSpec(
              fieldNames()[0] + "_max_" + storage.attributeValue(),
              4096,
              64,
              RandomPicks.similarity(random()),
              storage));
    }
    String prefix = fieldNames()[0] + "_";
    limits.add(
        new FieldSpec(
            prefix + "one_by_one",
            1,
            1,
            VectorSimilarityFunction.EUCLIDEAN,
            VectorStorage.FLOAT32));
    limits.add(
        new FieldSpec(
            prefix + "one_by_64",
            1,
            64,
            VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT,
            VectorStorage.INT8));
    corpus = new MetaEmbedCorpus(limits, random()).withFullDocuments();
    try (Directory dir = newDirectory()) {
      try (IndexWriter writer = new IndexWriter(dir, configWithoutNaturalMerges())) {
        addDocuments(writer, 0, 3, 0.75);
        writer.commit();
        addDocuments(writer, 3, 2, 0.75);
        writer.commit();
        checkCommitted(dir);
        writer.forceMerge(1);
        writer.commit();
      }
      checkMergedToOne(dir);
    }
  }

  /**
   * Opening a segment and {@code checkIntegrity} read every byte of every file, {@code .mvm} and
   * {@code .mvd} included. The inherited {@code testCheckIntegrityReadsAllBytes} cannot see this:
   * its segment is a compound file, whose own checksum pass reads every byte.
   */
  public void testCheckIntegrityReadsEveryByteOfThePrefixStore() throws IOException {
    try (Directory dir = newDirectory()) {
      IndexWriterConfig iwc = configWithoutNaturalMerges().setUseCompoundFile(false);
      iwc.getMergePolicy().setNoCFSRatio(0.0);
      try (IndexWriter writer = new IndexWriter(dir, iwc)) {
        addDocuments(writer, 0, atLeast(60), 0.7);
        writer.forceMerge(1);
      }
      var tracking = new ReadBytesDirectoryWrapper(dir);
      try (DirectoryReader reader = DirectoryReader.open(tracking)) {
        getOnlyLeafReader(reader).checkIntegrity();
      }
      Map<String, FixedBitSet> read = tracking.getReadBytes();
      assertTrue(
          read.keySet().toString(), read.keySet().stream().anyMatch(f -> f.endsWith(".mvd")));
      assertTrue(
          read.keySet().toString(), read.keySet().stream().anyMatch(f -> f.endsWith(".mvm")));
      for (var e : read.entrySet()) {
        FixedBitSet unread = e.getValue().clone();
        unread.flip(0, unread.length());
        int first = unread.nextSetBit(0);
        assertEquals(
            e.getKey() + ": byte " + first + " of " + unread.length() + " never read",
            DocIdSetIterator.NO_MORE_DOCS,
            first);
      }
      for (String file : dir.listAll()) {
        if (file.endsWith(".mvd") || file.endsWith(".mvm")) {
          assertTrue(file + " never opened", read.containsKey(file));
        }
      }
    }
  }

  /**
   * {@link MetaEmbedVectorValues}: increasing {@code advanceExact} finds exactly the documents with
   * the field, going back is refused, reads need a position (also after a miss), two instances move
   * independently. The flat {@link FloatVectorValues}: {@code nextDoc}, {@code advance}, stays
   * exhausted, {@code copy()} reads independently, random access by ord in any order.
   */
  public void testVectorValuesContract() throws IOException {
    FieldSpec field = corpus.fields.get(0);
    try (Directory dir = newDirectory()) {
      try (IndexWriter writer = new IndexWriter(dir, config())) {
        addDocuments(writer, 0, atLeast(50), 0.5);
        writer.forceMerge(1);
      }
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        LeafReader leaf = getOnlyLeafReader(reader);
        MetaEmbedVectorValues values = MetaEmbedVectorValues.get(leaf, field.name());
        MetaEmbedVectorValues other = MetaEmbedVectorValues.get(leaf, field.name());
        if (values == null) {
          assertEquals(0, corpus.countWith(field.name()));
          return;
        }
        expectThrows(IllegalStateException.class, values::vectorCount);
        int maxDoc = leaf.maxDoc();
        int found = 0;
        int lastHit = -1;
        float[][] lastVectors = null;
        for (int doc = 0; doc < maxDoc; doc++) {
          boolean has = values.advanceExact(doc);
          if (has) {
            found++;
            lastHit = doc;
            lastVectors = values.vectors(64);
            assertTrue(values.vectorCount() >= 1 && values.vectorCount() <= field.maxVectors());
          } else {
            expectThrows(IllegalStateException.class, values::vectorCount);
            expectThrows(IllegalStateException.class, () -> values.vectors(1));
          }
          if (doc > 0 && random().nextInt(10) == 0) {
            final int back = doc - 1;
            expectThrows(IllegalArgumentException.class, () -> values.advanceExact(back));
          }
        }
        assertEquals(corpus.countWith(field.name()), found);
        assertTrue(other.advanceExact(lastHit)); // untouched by the first instance's moves
        float[][] again = other.vectors(64);
        for (int i = 0; i < again.length; i++) {
          assertArrayEquals(lastVectors[i], again[i], 0f);
        }
        checkFlatIterator(leaf.getFloatVectorValues(field.name()), found);
      }
    }
  }

  private void checkFlatIterator(FloatVectorValues flat, int expected) throws IOException {
    DocIndexIterator it = flat.iterator();
    assertEquals(-1, it.docID());
    int[] docs = new int[expected];
    for (int i = 0; i < expected; i++) {
      docs[i] = it.nextDoc();
      assertEquals(i, it.index());
      assertTrue(i == 0 || docs[i] > docs[i - 1]);
    }
    assertEquals(DocIdSetIterator.NO_MORE_DOCS, it.nextDoc());
    assertEquals(DocIdSetIterator.NO_MORE_DOCS, it.nextDoc()); // stays exhausted
    DocIndexIterator jump = flat.iterator();
    int target = docs[random().nextInt(expected)];
    assertEquals(target, jump.advance(target));
    assertEquals(DocIdSetIterator.NO_MORE_DOCS, jump.advance(docs[expected - 1] + 1));
    FloatVectorValues copy = flat.copy();
    int a = random().nextInt(expected);
    int b = random().nextInt(expected);
    float[] fromA = flat.vectorValue(a).clone();
    float[] fromB = copy.vectorValue(b).clone();
    assertArrayEquals(fromA, flat.vectorValue(a), 0f); // the copy's read did not move the original
    assertArrayEquals(fromB, copy.vectorValue(b), 0f);
    for (int ord = expected - 1; ord >= 0; ord--) { // random access backwards
      assertEquals(flat.dimension(), flat.vectorValue(ord).length);
    }
    assertEquals(docs[a], flat.ordToDoc(a));
  }

  /** Arrays passed to {@link MetaEmbedField} are copied; arrays returned by reads are fresh. */
  public void testValuesAreNotAliasedToCallerArrays() throws IOException {
    FieldSpec field = corpus.fields.get(0);
    float[][] vectors = field.randomVectors(random());
    float[][] indexed = RandomMetaEmbedDocs.stored(vectors);
    try (Directory dir = newDirectory()) {
      try (IndexWriter writer = new IndexWriter(dir, config())) {
        Document doc = new Document();
        doc.add(new MetaEmbedField(field.name(), vectors, field.type()));
        for (float[] v : vectors) {
          Arrays.fill(v, 7f); // after the field is built, before the document is added
        }
        writer.addDocument(doc);
        for (float[] v : vectors) {
          Arrays.fill(v, 8f); // after it is added, before the flush
        }
      }
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        MetaEmbedVectorValues values =
            MetaEmbedVectorValues.get(getOnlyLeafReader(reader), field.name());
        assertTrue(values.advanceExact(0));
        float[][] first = values.vectors(64);
        float[][] want = RandomMetaEmbedDocs.stored(indexed, field.storage());
        for (float[] v : first) {
          Arrays.fill(v, 9f);
        }
        float[][] again = values.vectors(64);
        for (int i = 0; i < want.length; i++) {
          assertArrayEquals("vector " + i, want[i], again[i], 0f);
        }
      }
    }
  }
}
