package dev.metaembed.tests;

import com.carrotsearch.randomizedtesting.RandomizedContext;
import dev.metaembed.lucene.codec.MetaEmbedCodec;
import dev.metaembed.lucene.codec.MetaEmbedField;
import dev.metaembed.lucene.codec.VectorStorage;
import dev.metaembed.lucene.search.LateInteractionQuery;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.CheckIndex;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.VectorEncoding;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.tests.util.TestUtil;

/**
 * Random malformed input at the Lucene API, interleaved with valid documents in one {@link
 * IndexWriter}: every malformed input fails with its documented exception and a message naming the
 * field and the problem (never an unrelated NullPointerException or ArrayIndexOutOfBoundsException),
 * the writer stays open without a tragic exception after every rejected document, and the committed
 * index holds exactly the valid documents, bit for bit ({@link ReferenceDocs#assertSameDocuments}),
 * with a clean CheckIndex.
 *
 * <p>Inputs: null, empty and oversized vector arrays, null vectors, vectors of wrong and mixed
 * lengths, NaN and infinite components, zero vectors under COSINE, field types not made by {@link
 * MetaEmbedField#createFieldType} (plain vector types, other types, tampered attributes), {@code
 * createFieldType} limits and null arguments, a MetaEmbed field and a plain vector field of one
 * name (in one document, in one segment, across segments), a second MetaEmbed value in a document,
 * and {@link LateInteractionQuery.Builder} misuse (bad budgets, k, candidates, probes, prune, query
 * vectors, query dimension against the field, fields that are not MetaEmbed fields). It prints how
 * many inputs of each category it tried.
 *
 * <p>The suite tries {@code atLeast(400)} inputs; {@code -Dmetaembed.fuzz.inputs=N} tries N, and
 * {@code -Dtests.seed=} repeats a run (the seed is printed with the summary).
 */
@LuceneTestCase.SuppressSysoutChecks(bugUrl = "prints one summary line per run, by design")
public class TestBadInputFuzz extends LuceneTestCase {
  private static final String FIELD = ReferenceDocs.FIELD;
  private static final String PLAIN = "plain";

  private final Map<String, Integer> tried = new TreeMap<>();
  private Random random;
  private ReferenceDocs refs;
  private int dim;
  private int maxVectors;
  private VectorSimilarityFunction similarity;
  private int plainDim;
  private IndexWriter writer;
  private DirectoryReader reader;
  private int nextId;

  /** Whether some committed or flushed segment holds each field: queries check against it. */
  private boolean indexedPage;

  private boolean indexedPlain;

  public void testRandomBadInputInterleavedWithValidDocuments() throws Exception {
    random = random();
    dim = TestUtil.nextInt(random, 1, 12);
    maxVectors = TestUtil.nextInt(random, 1, 6);
    similarity = RandomPicks.pick(random, VectorSimilarityFunction.values());
    VectorStorage storage = RandomPicks.pick(random, VectorStorage.values());
    refs = new ReferenceDocs(dim, maxVectors, similarity, storage);
    plainDim =
        random.nextInt(3) == 0
            ? flatDimension(TestUtil.nextInt(random, 1, 3), TestUtil.nextInt(random, 1, 64))
            : TestUtil.nextInt(random, 1, 20);
    int inputs = Integer.getInteger("metaembed.fuzz.inputs", atLeast(random, 400));
    IndexWriterConfig config = newIndexWriterConfig().setCodec(new MetaEmbedCodec());
    try (Directory dir = newDirectory()) {
      try (IndexWriter w = new IndexWriter(dir, config)) {
        writer = w;
        for (int i = 0; i < inputs; i++) {
          step();
          if (random.nextInt(40) == 0) {
            writer.commit();
          }
        }
        writer.commit();
        try (DirectoryReader committed = DirectoryReader.open(dir)) {
          ReferenceDocs.assertSameDocuments(committed, refs.snapshot());
        }
        if (random.nextBoolean()) {
          writer.forceMerge(1);
          writer.commit();
        }
      } finally {
        if (reader != null) {
          reader.close();
        }
      }
      try (DirectoryReader committed = DirectoryReader.open(dir)) {
        ReferenceDocs.assertSameDocuments(committed, refs.snapshot());
      }
      CheckIndex.Status status = TestUtil.checkIndex(dir);
      assertTrue("CheckIndex", status.clean);
    }
    int total = tried.values().stream().mapToInt(Integer::intValue).sum();
    System.out.println(
        "TestBadInputFuzz seed="
            + RandomizedContext.current().getRunnerSeedAsString()
            + " "
            + RandomizedContext.current().getRandomness()
            + " dim="
            + dim
            + " maxVectors="
            + maxVectors
            + " similarity="
            + similarity
            + " storage="
            + storage
            + ": "
            + total
            + " inputs, "
            + refs.snapshot().size()
            + " valid documents indexed; per category "
            + tried);
  }

  /** One input: a valid document or one malformed input of a random category. */
  private void step() throws IOException {
    switch (random.nextInt(24)) {
      case 0, 1, 2, 3, 4 -> addValid();
      case 5 -> nullVectors();
      case 6 -> vectorCountOutOfRange();
      case 7 -> badVectorLengths();
      case 8 -> nonFiniteComponent();
      case 9 -> zeroVectorUnderCosine();
      case 10 -> foreignFieldType();
      case 11 -> tamperedFieldType();
      case 12 -> fieldTypeOutOfRange();
      case 13 -> otherShapeSameName();
      case 14 -> plainVectorUnderMetaEmbedType();
      case 15 -> plainFieldSameName();
      case 16 -> metaEmbedFieldNamedAsPlain();
      case 17 -> twoValuesInOneDocument();
      case 18 -> replaceValue();
      case 19 -> badQueryVectors();
      case 20 -> badQueryOptions();
      case 21, 22 -> searchMisuse();
      case 23 -> extremeButValidQuery();
      default -> throw new AssertionError();
    }
  }

  // ---- valid documents ----

  private void addValid() throws IOException {
    addValid(random.nextInt(3) == 0);
  }

  private void addValid(boolean withPlain) throws IOException {
    String id = "doc-" + nextId++;
    float[][] vectors = refs.randomVectors(random);
    if (dim > 1 && random.nextInt(5) == 0) { // -0.0 components are valid; stored as +0.0
      vectors[random.nextInt(vectors.length)][random.nextInt(dim)] = -0.0f;
    }
    if (similarity != VectorSimilarityFunction.COSINE && random.nextInt(8) == 0) {
      vectors[random.nextInt(vectors.length)] = new float[dim]; // zero vector: valid but for cosine
    }
    Document doc = refs.document(id, vectors);
    if (withPlain) {
      doc.add(
          new KnnFloatVectorField(
              PLAIN, randomVector(plainDim), VectorSimilarityFunction.EUCLIDEAN));
      indexedPlain = true;
    }
    writer.addDocument(doc);
    refs.put(id, vectors);
    indexedPage = true;
    tried.merge("valid document", 1, Integer::sum);
  }

  // ---- rejected when the field is built ----

  private void nullVectors() {
    String name = randomName();
    if (random.nextBoolean()) {
      rejected(
          "null vector array",
          IllegalArgumentException.class,
          () -> new MetaEmbedField(name, null, refs.type()),
          name,
          "vectors must not be null");
    } else {
      float[][] vectors = refs.randomVectors(random);
      int at = random.nextInt(vectors.length);
      vectors[at] = null;
      rejected(
          "null vector",
          IllegalArgumentException.class,
          () -> new MetaEmbedField(name, vectors, refs.type()),
          name,
          "vector " + at + ": must not be null");
    }
  }

  private void vectorCountOutOfRange() {
    String name = randomName();
    int count = random.nextBoolean() ? 0 : maxVectors + TestUtil.nextInt(random, 1, 70);
    float[][] vectors = new float[count][];
    for (int i = 0; i < count; i++) {
      vectors[i] = randomVector(dim);
    }
    rejected(
        count == 0 ? "no vectors" : "more than maxVectors",
        IllegalArgumentException.class,
        () -> new MetaEmbedField(name, vectors, refs.type()),
        name,
        "a document must have 1.." + maxVectors + " vectors, got " + count);
  }

  private void badVectorLengths() {
    String name = randomName();
    float[][] vectors = refs.randomVectors(random);
    int first = -1;
    for (int i = 0; i < vectors.length; i++) {
      if (first == -1 ? i == vectors.length - 1 || random.nextBoolean() : random.nextBoolean()) {
        int length;
        do {
          length = random.nextInt(2 * dim + 2);
        } while (length == dim);
        vectors[i] = randomVector(length);
        first = first == -1 ? i : first;
      }
    }
    int at = first;
    int length = vectors[at].length;
    rejected(
        "wrong or mixed vector lengths",
        IllegalArgumentException.class,
        () -> new MetaEmbedField(name, vectors, refs.type()),
        name,
        "vector " + at + ": has " + length + " components, the field's dimension is " + dim);
  }

  private void nonFiniteComponent() {
    String name = randomName();
    float[][] vectors = refs.randomVectors(random);
    int at = random.nextInt(vectors.length);
    int c = random.nextInt(dim);
    float bad =
        RandomPicks.pick(
            random, new Float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY});
    vectors[at][c] = bad;
    rejected(
        "NaN or infinite component",
        IllegalArgumentException.class,
        () -> new MetaEmbedField(name, vectors, refs.type()),
        name,
        "vector " + at + ": component " + c + " is " + bad + "; only finite values are allowed");
  }

  private void zeroVectorUnderCosine() {
    String name = randomName();
    FieldType cosine =
        MetaEmbedField.createFieldType(dim, maxVectors, VectorSimilarityFunction.COSINE);
    float[][] vectors = refs.randomVectors(random);
    int at = random.nextInt(vectors.length);
    vectors[at] = new float[dim];
    for (int c = 0; c < dim; c++) {
      if (random.nextBoolean()) {
        vectors[at][c] = -0.0f;
      }
    }
    rejected(
        "zero vector under COSINE",
        IllegalArgumentException.class,
        () -> new MetaEmbedField(name, vectors, cosine),
        name,
        "vector " + at + ": is a zero vector, which cosine cannot score");
  }

  private void foreignFieldType() {
    String name = randomName();
    FieldType type =
        switch (random.nextInt(3)) {
          case 0 ->
              KnnFloatVectorField.createFieldType(
                  random.nextBoolean()
                      ? flatDimension(dim, maxVectors)
                      : TestUtil.nextInt(random, 1, 300),
                  similarity);
          case 1 -> new FieldType(TextField.TYPE_STORED);
          default -> new FieldType();
        };
    float[][] vectors = refs.randomVectors(random);
    rejected(
        "field type not from createFieldType",
        IllegalArgumentException.class,
        () -> new MetaEmbedField(name, vectors, type),
        name,
        "the type must come from MetaEmbedField.createFieldType");
    if (random.nextInt(4) == 0) {
      rejected(
          "null field type",
          NullPointerException.class,
          () -> new MetaEmbedField(name, vectors, null),
          "type must not be null");
    }
  }

  private void tamperedFieldType() {
    String name = randomName();
    FieldType type = new FieldType(refs.type());
    String problem;
    switch (random.nextInt(6)) {
      case 0 -> {
        type.putAttribute(
            "metaembed.dimension", Integer.toString(dim + TestUtil.nextInt(random, 1, 5)));
        problem = "does not match";
      }
      case 1 -> {
        type.putAttribute("metaembed.max_vectors", random.nextBoolean() ? "x" + maxVectors : "");
        problem = "For input string";
      }
      case 2 -> {
        type.putAttribute("metaembed.dimension", Integer.toString(-random.nextInt(3)));
        problem = "dimension must be in 1..4096";
      }
      case 3 -> {
        type.putAttribute("metaembed.storage", "int" + random.nextInt(7));
        problem = "unknown storage";
      }
      case 4 -> {
        type.setVectorAttributes(
            flatDimension(dim, maxVectors) + TestUtil.nextInt(random, 1, 64),
            VectorEncoding.FLOAT32,
            similarity);
        problem = "does not match";
      }
      default -> {
        type.setVectorAttributes(flatDimension(dim, maxVectors), VectorEncoding.BYTE, similarity);
        problem = "(BYTE) does not match";
      }
    }
    float[][] vectors = refs.randomVectors(random);
    rejected(
        "tampered MetaEmbed field type",
        IllegalArgumentException.class,
        () -> new MetaEmbedField(name, vectors, type),
        "field \"" + name + "\" has an invalid MetaEmbed field type",
        problem);
  }

  private void fieldTypeOutOfRange() {
    switch (random.nextInt(4)) {
      case 0 -> {
        int d =
            random.nextBoolean()
                ? -random.nextInt(Integer.MAX_VALUE)
                : 4097 + random.nextInt(Integer.MAX_VALUE - 4097);
        rejected(
            "createFieldType: dimension out of range",
            IllegalArgumentException.class,
            () -> MetaEmbedField.createFieldType(d, TestUtil.nextInt(random, -5, 70), similarity),
            "dimension must be in 1..4096, got " + d);
      }
      case 1 -> {
        int m =
            random.nextBoolean()
                ? -random.nextInt(Integer.MAX_VALUE)
                : 65 + random.nextInt(Integer.MAX_VALUE - 65);
        rejected(
            "createFieldType: maxVectors out of range",
            IllegalArgumentException.class,
            () -> MetaEmbedField.createFieldType(TestUtil.nextInt(random, 1, 4096), m, similarity),
            "maxVectors must be in 1..64, got " + m);
      }
      case 2 ->
          rejected(
              "createFieldType: null similarity",
              NullPointerException.class,
              () -> MetaEmbedField.createFieldType(dim, maxVectors, null, refs.storage()),
              "similarity must not be null");
      default ->
          rejected(
              "createFieldType: null storage",
              NullPointerException.class,
              () -> MetaEmbedField.createFieldType(dim, maxVectors, similarity, null),
              "storage must not be null");
    }
  }

  private void replaceValue() {
    MetaEmbedField field = new MetaEmbedField(FIELD, refs.randomVectors(random), refs.type());
    rejected(
        "setVectorValue on a MetaEmbed field",
        UnsupportedOperationException.class,
        () -> field.setVectorValue(randomVector(random.nextInt(2 * dim + 1))),
        FIELD,
        "create a new MetaEmbedField instead of changing its value");
  }

  // ---- rejected by addDocument: the writer must stay usable ----

  private void otherShapeSameName() {
    if (indexedPage == false) {
      return; // the field would simply take this shape
    }
    int d;
    int m;
    do {
      d = TestUtil.nextInt(random, 1, 12);
      m = TestUtil.nextInt(random, 1, 6);
    } while (d == dim && m == maxVectors);
    FieldType other = MetaEmbedField.createFieldType(d, m, similarity);
    Document doc = idDocument();
    doc.add(new MetaEmbedField(FIELD, new float[][] {randomVector(d)}, other));
    rejectedByWriter("other MetaEmbed shape, same name", doc, FIELD, "dimension");
    VectorSimilarityFunction otherSimilarity = otherSimilarity();
    Document doc2 = idDocument();
    doc2.add(
        new MetaEmbedField(
            FIELD,
            refs.randomVectors(random),
            MetaEmbedField.createFieldType(dim, maxVectors, otherSimilarity, refs.storage())));
    rejectedByWriter("other similarity, same name", doc2, FIELD, "similarity");
  }

  private void plainVectorUnderMetaEmbedType() {
    float[] flat = randomVector(flatDimension(dim, maxVectors));
    String problem = "only a MetaEmbedField can fill a MetaEmbed field";
    if (random.nextInt(4) == 0) {
      Arrays.fill(flat, -0.0f); // all padding: no vector at all
      problem = "a document needs a vector";
    } else if (random.nextBoolean()) {
      // padding inside the vectors, or real values in the padding
      int count = TestUtil.nextInt(random, 1, maxVectors);
      Arrays.fill(flat, count * dim, flat.length, -0.0f);
      int at =
          random.nextBoolean() && count * dim > 1
              ? random.nextInt(count * dim)
              : count * dim + random.nextInt(flat.length - count * dim);
      flat[at] = at < count * dim ? -0.0f : 1f;
      if (at < count * dim && at % dim == 0) {
        flat[at] = 1f; // a vector starting with padding ends the document early: make it real again
        flat[flat.length - 1] = 2f;
      }
    }
    Document doc = idDocument();
    if (similarity == VectorSimilarityFunction.COSINE
        && problem.equals("a document needs a vector")) {
      // Lucene's own check comes first: an all -0.0 vector is a zero vector
      rejected(
          "plain vector under a MetaEmbed type",
          IllegalArgumentException.class,
          () -> new KnnFloatVectorField(FIELD, flat, refs.type()),
          "zero vector not allowed with cosine");
      return;
    }
    doc.add(new KnnFloatVectorField(FIELD, flat, refs.type()));
    rejectedByWriter("plain vector under a MetaEmbed type", doc, FIELD, problem);
  }

  /**
   * A plain vector under the MetaEmbed field's name: another length, or the flattened length with
   * another similarity (the flattened length with the same similarity is the one mix Lucene cannot
   * see; MetaEmbedField documents it).
   */
  private void plainFieldSameName() {
    if (indexedPage == false) {
      return; // the field would simply become a plain vector field
    }
    Document doc = idDocument();
    if (random.nextBoolean()) {
      doc.add(
          new KnnFloatVectorField(
              FIELD, randomVector(otherThan(flatDimension(dim, maxVectors))), similarity));
      rejectedByWriter(
          "plain field under the MetaEmbed name, other length", doc, FIELD, "vector dimension");
    } else {
      doc.add(
          new KnnFloatVectorField(
              FIELD, randomVector(flatDimension(dim, maxVectors)), otherSimilarity()));
      rejectedByWriter(
          "plain field under the MetaEmbed name, flat length, other similarity",
          doc,
          FIELD,
          "similarity");
    }
  }

  /**
   * A MetaEmbed value under a plain vector field's name, often as the first document of a new
   * segment, then a valid document with the plain field: the rejected document's attributes must
   * not turn the plain field into a broken MetaEmbed field (Lucene keeps them for the segment).
   */
  private void metaEmbedFieldNamedAsPlain() throws IOException {
    if (indexedPlain == false) {
      return; // the field would simply become a MetaEmbed field
    }
    if (random.nextBoolean()) {
      writer.commit(); // the rejected document is the field's first in the new segment
    }
    int d;
    int m;
    do {
      d = TestUtil.nextInt(random, 1, 12);
      m = TestUtil.nextInt(random, 1, 6);
    } while (flatDimension(d, m) == plainDim);
    FieldType type = MetaEmbedField.createFieldType(d, m, VectorSimilarityFunction.EUCLIDEAN);
    Document doc = idDocument();
    doc.add(new MetaEmbedField(PLAIN, new float[][] {randomVector(d)}, type));
    rejectedByWriter("MetaEmbed field under a plain field's name", doc, PLAIN, "vector dimension");
    addValid(true);
  }

  private void twoValuesInOneDocument() {
    Document doc = idDocument();
    doc.add(new MetaEmbedField(FIELD, refs.randomVectors(random), refs.type()));
    if (random.nextBoolean()) {
      doc.add(new MetaEmbedField(FIELD, refs.randomVectors(random), refs.type()));
      rejectedByWriter("two MetaEmbed values in one document", doc, FIELD, "more than once");
    } else {
      doc.add(
          new KnnFloatVectorField(
              FIELD, randomVector(flatDimension(dim, maxVectors)), refs.type()));
      rejectedByWriter(
          "MetaEmbed and plain value of one name in one document", doc, FIELD, "more than once");
    }
  }

  // ---- LateInteractionQuery misuse ----

  private void badQueryVectors() {
    String name = randomName();
    int count = TestUtil.nextInt(random, 1, 5);
    float[][] vectors = new float[count][];
    for (int i = 0; i < count; i++) {
      vectors[i] = randomVector(dim);
    }
    int at = random.nextInt(count);
    switch (random.nextInt(5)) {
      case 0 ->
          rejected(
              "query: no vectors",
              IllegalArgumentException.class,
              () ->
                  LateInteractionQuery.builder(name, random.nextBoolean() ? null : new float[0][]),
              "field \"" + name + "\": the query has no vectors");
      case 1 -> {
        vectors[at] = random.nextBoolean() ? null : new float[0];
        rejected(
            "query: null or empty vector",
            IllegalArgumentException.class,
            () -> LateInteractionQuery.builder(name, vectors),
            "field \"" + name + "\": query vector " + at + " is null or empty");
      }
      case 2 -> {
        int wrong = at == 0 ? 0 : at;
        if (wrong == 0) {
          if (count == 1) {
            return;
          }
          vectors[0] = randomVector(otherThan(dim));
          int length = vectors[1].length;
          rejected(
              "query: mixed vector lengths",
              IllegalArgumentException.class,
              () -> LateInteractionQuery.builder(name, vectors),
              "query vector 1 has "
                  + length
                  + " components, query vector 0 has "
                  + vectors[0].length);
        } else {
          vectors[wrong] = randomVector(otherThan(dim));
          rejected(
              "query: mixed vector lengths",
              IllegalArgumentException.class,
              () -> LateInteractionQuery.builder(name, vectors),
              "query vector "
                  + wrong
                  + " has "
                  + vectors[wrong].length
                  + " components, query vector 0 has "
                  + dim);
        }
      }
      case 3 -> {
        int c = random.nextInt(dim);
        float bad =
            RandomPicks.pick(
                random, new Float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY});
        vectors[at][c] = bad;
        rejected(
            "query: NaN or infinite component",
            IllegalArgumentException.class,
            () -> LateInteractionQuery.builder(name, vectors),
            "field \"" + name + "\": query vector " + at + " component " + c + " is " + bad);
      }
      default ->
          rejected(
              "query: null field",
              NullPointerException.class,
              () -> LateInteractionQuery.builder(null, vectors),
              "field must not be null");
    }
  }

  private void badQueryOptions() {
    String name = randomName();
    int count = TestUtil.nextInt(random, 1, 5);
    float[][] vectors = new float[count][];
    for (int i = 0; i < count; i++) {
      vectors[i] = randomVector(dim);
    }
    LateInteractionQuery.Builder builder = LateInteractionQuery.builder(name, vectors);
    String prefix = "field \"" + name + "\": ";
    switch (random.nextInt(6)) {
      case 0 -> {
        int q =
            random.nextBoolean()
                ? -random.nextInt(1000)
                : count + TestUtil.nextInt(random, 1, 1000);
        builder.budget(q, TestUtil.nextInt(random, -3, 100));
        rejected(
            "query: query budget out of range",
            IllegalArgumentException.class,
            builder::build,
            prefix + "query budget must be in 1.." + count + " (the query's vectors), got " + q);
      }
      case 1 -> {
        int d = -random.nextInt(1000);
        builder.budget(TestUtil.nextInt(random, 1, count), d);
        rejected(
            "query: document budget below 1",
            IllegalArgumentException.class,
            builder::build,
            prefix + "document budget must be at least 1, got " + d);
      }
      case 2 -> {
        int k = random.nextBoolean() ? -random.nextInt(Integer.MAX_VALUE) : Integer.MIN_VALUE;
        builder.k(k);
        rejected(
            "query: k below 1",
            IllegalArgumentException.class,
            builder::build,
            prefix + "k must be at least 1, got " + k);
      }
      case 3 -> {
        int candidates =
            random.nextBoolean() ? -random.nextInt(3) : -random.nextInt(Integer.MAX_VALUE);
        builder.candidates(candidates);
        rejected(
            "query: candidates below 1",
            IllegalArgumentException.class,
            builder::build,
            prefix + "candidates must be at least 1, got " + candidates);
      }
      case 4 -> {
        int keep = -random.nextInt(10);
        builder.prune(1, 1, keep);
        rejected(
            "query: prune keeps fewer than k",
            IllegalArgumentException.class,
            builder::build,
            prefix + "prune keep must be at least k (10), got " + keep);
      }
      default -> {
        int probes =
            random.nextBoolean() ? -random.nextInt(5) : count + TestUtil.nextInt(random, 1, 5);
        builder.probes(probes);
        rejected(
            "query: probes out of range",
            IllegalArgumentException.class,
            builder::build,
            prefix + "probes must be in 1.." + count + ", got " + probes);
      }
    }
  }

  /** Queries that build but cannot run against the index: rejected at search time. */
  private void searchMisuse() throws IOException {
    IndexSearcher searcher = searcher();
    int count = TestUtil.nextInt(random, 1, 4);
    switch (random.nextInt(3)) {
      case 0 -> {
        if (indexedPage == false) {
          return;
        }
        int qdim = otherThan(dim);
        float[][] vectors = new float[count][];
        for (int i = 0; i < count; i++) {
          vectors[i] = randomVector(qdim);
        }
        LateInteractionQuery query = LateInteractionQuery.builder(FIELD, vectors).build();
        rejected(
            "query: dimension differs from the field",
            IllegalArgumentException.class,
            () -> searcher.search(query, 10),
            "field \""
                + FIELD
                + "\" holds "
                + dim
                + "-component vectors, the query vectors have "
                + qdim);
      }
      case 1 -> {
        if (indexedPlain == false) {
          return;
        }
        float[][] vectors = {randomVector(plainDim)};
        LateInteractionQuery query = LateInteractionQuery.builder(PLAIN, vectors).build();
        rejected(
            "query: on a plain vector field",
            IllegalArgumentException.class,
            () -> searcher.search(query, 10),
            "field \"" + PLAIN + "\" is a plain vector field, not a MetaEmbed field");
      }
      default -> {
        if (indexedPage == false) {
          return;
        }
        LateInteractionQuery query =
            LateInteractionQuery.builder(ReferenceDocs.ID, new float[][] {randomVector(dim)})
                .build();
        rejected(
            "query: on a field without vectors",
            IllegalArgumentException.class,
            () -> searcher.search(query, 10),
            "field \"" + ReferenceDocs.ID + "\" is not a MetaEmbed field: it has no vectors");
      }
    }
  }

  /** Valid options at their limits must search without an unrelated exception. */
  private void extremeButValidQuery() throws IOException {
    IndexSearcher searcher = searcher();
    int count = TestUtil.nextInt(random, 1, 4);
    float[][] vectors = new float[count][];
    for (int i = 0; i < count; i++) {
      vectors[i] = randomVector(dim);
    }
    int k = random.nextBoolean() ? Integer.MAX_VALUE : TestUtil.nextInt(random, 1, 1_000_000);
    LateInteractionQuery.Builder builder =
        LateInteractionQuery.builder(FIELD, vectors)
            .k(k)
            .budget(count, random.nextBoolean() ? Integer.MAX_VALUE : 1);
    if (random.nextBoolean()) {
      builder.candidates(
          random.nextBoolean() ? Integer.MAX_VALUE : TestUtil.nextInt(random, 1, 1_000_000));
    }
    builder.probes(TestUtil.nextInt(random, 1, count));
    if (random.nextBoolean()) {
      builder.exact();
    }
    LateInteractionQuery query = builder.build();
    int n = TestUtil.nextInt(random, 1, 100);
    TopDocs hits = searcher.search(query, n);
    assertTrue(hits.scoreDocs.length <= Math.min(n, searcher.getIndexReader().numDocs()));
    tried.merge("valid extremes: huge k, candidates, budget", 1, Integer::sum);
  }

  // ---- helpers ----

  private IndexSearcher searcher() throws IOException {
    if (reader == null) {
      reader = DirectoryReader.open(writer);
    } else {
      DirectoryReader changed = DirectoryReader.openIfChanged(reader, writer);
      if (changed != null) {
        reader.close();
        reader = changed;
      }
    }
    return newSearcher(reader);
  }

  /** Runs an input that must fail with {@code type} and a message containing every fragment. */
  private void rejected(
      String category,
      Class<? extends Throwable> type,
      ThrowingRunnable input,
      String... fragments) {
    tried.merge(category, 1, Integer::sum);
    Throwable thrown = null;
    try {
      input.run();
    } catch (Throwable t) {
      thrown = t;
    }
    if (thrown == null) {
      fail(
          category
              + ": accepted, expected "
              + type.getSimpleName()
              + " "
              + Arrays.toString(fragments));
    }
    if (type.isInstance(thrown) == false) {
      throw new AssertionError(
          category + ": expected " + type.getSimpleName() + ", got " + thrown, thrown);
    }
    String message = String.valueOf(thrown.getMessage());
    for (String fragment : fragments) {
      if (message.contains(fragment) == false) {
        throw new AssertionError(
            category + ": message \"" + message + "\" lacks \"" + fragment + "\"", thrown);
      }
    }
  }

  /**
   * Adds a document the writer must reject with an IllegalArgumentException naming the field; the
   * writer stays open and without a tragic exception, and the document is not indexed.
   */
  private void rejectedByWriter(String category, Document doc, String field, String... problem) {
    String[] fragments = new String[problem.length + 1];
    fragments[0] = field;
    System.arraycopy(problem, 0, fragments, 1, problem.length);
    rejected(category, IllegalArgumentException.class, () -> writer.addDocument(doc), fragments);
    assertTrue(category + ": the writer was closed", writer.isOpen());
    assertNull(category + ": tragic exception", writer.getTragicException());
  }

  private Document idDocument() {
    Document doc = new Document();
    doc.add(new StringField(ReferenceDocs.ID, "bad-" + nextId++, Field.Store.YES));
    return doc;
  }

  private String randomName() {
    return random.nextBoolean() ? FIELD : "f" + TestUtil.randomSimpleString(random, 1, 8);
  }

  private float[] randomVector(int length) {
    float[] v = new float[length];
    for (int i = 0; i < length; i++) {
      v[i] = random.nextFloat() + 0.01f; // never zero: a plain vector must not look like padding
    }
    return v;
  }

  private VectorSimilarityFunction otherSimilarity() {
    VectorSimilarityFunction other;
    do {
      other = RandomPicks.pick(random, VectorSimilarityFunction.values());
    } while (other == similarity);
    return other;
  }

  private int otherThan(int value) {
    int other;
    do {
      other = TestUtil.nextInt(random, 1, Math.max(2 * value, 8));
    } while (other == value);
    return other;
  }

  private static int flatDimension(int dim, int maxVectors) {
    return MetaEmbedField.MAX_VECTORS * dim + maxVectors - 1;
  }

  private static final class RandomPicks {
    static <T> T pick(Random random, T[] values) {
      return values[random.nextInt(values.length)];
    }
  }
}
