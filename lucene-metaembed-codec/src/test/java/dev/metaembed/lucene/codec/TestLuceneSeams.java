package dev.metaembed.lucene.codec;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.index.DocValuesSkipIndexType;
import org.apache.lucene.index.DocValuesType;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.index.MergeState;
import org.apache.lucene.index.SegmentWriteState;
import org.apache.lucene.index.VectorEncoding;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.util.InfoStream;
import org.apache.lucene.util.Version;

/**
 * {@link FirstVectorView} rebuilds Lucene's {@link FieldInfo}, {@link MergeState} and {@link
 * SegmentWriteState} through their public constructors, passing every property through but the
 * vector dimension, the field infos and the vector readers. A Lucene release that adds or removes
 * a constructor parameter, a getter or a public field would make the view drop (or invent) a
 * property silently; these tests fail first, naming what changed and the Lucene version the view
 * was written for. On failure: update {@code FirstVectorView} to carry the new property, then the
 * lists below.
 */
public class TestLuceneSeams extends LuceneTestCase {
  /** The Lucene release whose constructors {@link FirstVectorView} mirrors. */
  static final String WRITTEN_FOR = "10.5.0";

  private static final Set<String> FIELD_INFO_GETTERS =
      Set.of(
          "getName",
          "getFieldNumber",
          "hasTermVectors",
          "omitsNorms",
          "hasNorms",
          "hasPayloads",
          "getIndexOptions",
          "getDocValuesType",
          "docValuesSkipIndexType",
          "getDocValuesGen",
          "attributes",
          "getPointDimensionCount",
          "getPointIndexDimensionCount",
          "getPointNumBytes",
          "getVectorDimension",
          "getVectorEncoding",
          "getVectorSimilarityFunction",
          "hasVectorValues",
          "isSoftDeletesField",
          "isParentField",
          "isTermDocField");

  private static final Set<String> MERGE_STATE_FIELDS =
      Set.of(
          "docMaps",
          "segmentInfo",
          "mergeFieldInfos",
          "storedFieldsReaders",
          "termVectorsReaders",
          "normsProducers",
          "docValuesProducers",
          "fieldInfos",
          "liveDocs",
          "fieldsProducers",
          "pointsReaders",
          "knnVectorsReaders",
          "maxDocs",
          "infoStream",
          "intraMergeTaskExecutor",
          "needsIndexSort",
          "oneMerge");

  /** The three a merge view replaces; every other field must be the original's, as is. */
  private static final Set<String> MERGE_STATE_REPLACED =
      Set.of("mergeFieldInfos", "fieldInfos", "knnVectorsReaders");

  public void testWrittenForThisLucene() {
    assertEquals(
        "FirstVectorView mirrors Lucene "
            + WRITTEN_FOR
            + "'s constructors; this build runs Lucene "
            + Version.LATEST
            + ": check TestLuceneSeams and FirstVectorView, then update WRITTEN_FOR",
        WRITTEN_FOR,
        Version.LATEST.toString());
  }

  /**
   * The prefix store writes Lucene's own similarity numbers ({@code
   * Lucene99HnswVectorsReader.SIMILARITY_FUNCTIONS}); the format's Javadoc gives them as 0..3, and
   * indexes already written hold them: they must never move.
   */
  public void testSimilarityNumbersAreTheFormatsOwn() {
    assertEquals(
        seam("Lucene99HnswVectorsReader.SIMILARITY_FUNCTIONS"),
        java.util.List.of(
            VectorSimilarityFunction.EUCLIDEAN,
            VectorSimilarityFunction.DOT_PRODUCT,
            VectorSimilarityFunction.COSINE,
            VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT),
        org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsReader.SIMILARITY_FUNCTIONS.subList(
            0, 4));
  }

  public void testFieldInfoViewCarriesEveryProperty() throws Exception {
    Constructor<?> constructor = onlyPublicConstructor(FieldInfo.class);
    assertEquals(seam("FieldInfo's constructor parameters"), 18, constructor.getParameterCount());
    assertEquals(
        seam("FieldInfo's public getters"),
        new TreeSet<>(FIELD_INFO_GETTERS),
        getters(FieldInfo.class));
    FieldType type =
        MetaEmbedField.createFieldType(
            3, 4, VectorSimilarityFunction.DOT_PRODUCT, VectorStorage.INT8);
    // every property away from its default (soft-deletes and parent field exclude each other)
    for (boolean softDeletes : new boolean[] {true, false}) {
      FieldInfo original =
          (FieldInfo)
              constructor.newInstance(
                  "page",
                  7,
                  true,
                  true,
                  true,
                  IndexOptions.DOCS_AND_FREQS_AND_POSITIONS,
                  DocValuesType.SORTED_NUMERIC,
                  DocValuesSkipIndexType.RANGE,
                  5L,
                  type.getAttributes(),
                  2,
                  1,
                  4,
                  type.vectorDimension(),
                  VectorEncoding.FLOAT32,
                  VectorSimilarityFunction.DOT_PRODUCT,
                  softDeletes,
                  softDeletes == false);
      FieldInfo view = FirstVectorView.fieldInfo(original);
      assertNotSame(original, view);
      for (String getter : FIELD_INFO_GETTERS) {
        Method method = FieldInfo.class.getMethod(getter);
        Object expected = getter.equals("getVectorDimension") ? 3 : method.invoke(original);
        assertEquals("FieldInfo." + getter + " through the view", expected, method.invoke(view));
      }
      assertEquals(original.name, view.name);
      assertEquals(original.number, view.number);
    }
  }

  public void testMergeStateViewCarriesEveryField() throws Exception {
    Constructor<?> constructor = onlyPublicConstructor(MergeState.class);
    assertEquals(seam("MergeState's constructor parameters"), 17, constructor.getParameterCount());
    assertEquals(
        seam("MergeState's public fields"),
        new TreeSet<>(MERGE_STATE_FIELDS),
        publicFields(MergeState.class));
    FieldInfos infos = new FieldInfos(new FieldInfo[] {metaEmbedFieldInfo()});
    Object[] args = new Object[constructor.getParameterCount()];
    Class<?>[] types = constructor.getParameterTypes();
    for (int i = 0; i < args.length; i++) {
      args[i] = argument(types[i], infos);
    }
    MergeState original = (MergeState) constructor.newInstance(args);
    MergeState view = FirstVectorView.mergeState(original);
    for (String name : MERGE_STATE_FIELDS) {
      Field field = MergeState.class.getField(name);
      if (MERGE_STATE_REPLACED.contains(name) == false) {
        assertSame(
            "MergeState." + name + " through the view", field.get(original), field.get(view));
      }
    }
    assertEquals(3, view.mergeFieldInfos.fieldInfo("page").getVectorDimension());
    assertEquals(3, view.fieldInfos[0].fieldInfo("page").getVectorDimension());
    assertEquals(original.knnVectorsReaders.length, view.knnVectorsReaders.length);
  }

  public void testSegmentWriteStateViewCarriesEveryField() throws Exception {
    Set<String> expected =
        Set.of(
            "infoStream",
            "directory",
            "segmentInfo",
            "fieldInfos",
            "delCountOnFlush",
            "softDelCountOnFlush",
            "segUpdates",
            "liveDocs",
            "segmentSuffix",
            "context");
    assertEquals(
        seam("SegmentWriteState's public fields"),
        new TreeSet<>(expected),
        publicFields(SegmentWriteState.class));
    // the view is built with the 7-argument constructor; fields it cannot pass must start at their
    // defaults
    long sevenArguments =
        Arrays.stream(SegmentWriteState.class.getConstructors())
            .filter(c -> c.getParameterCount() == 7 && c.getParameterTypes()[6] == String.class)
            .count();
    assertEquals(seam("SegmentWriteState's 7-argument constructor"), 1, sevenArguments);
    for (String set : Set.of("delCountOnFlush", "softDelCountOnFlush", "liveDocs")) {
      assertFalse(
          seam("SegmentWriteState." + set + " became final"),
          Modifier.isFinal(SegmentWriteState.class.getField(set).getModifiers()));
    }
  }

  private static FieldInfo metaEmbedFieldInfo() {
    FieldType type =
        MetaEmbedField.createFieldType(
            3, 4, VectorSimilarityFunction.DOT_PRODUCT, VectorStorage.INT8);
    return new FieldInfo(
        "page",
        0,
        false,
        false,
        false,
        IndexOptions.NONE,
        DocValuesType.NONE,
        DocValuesSkipIndexType.NONE,
        -1,
        type.getAttributes(),
        0,
        0,
        0,
        type.vectorDimension(),
        VectorEncoding.FLOAT32,
        VectorSimilarityFunction.DOT_PRODUCT,
        false,
        false);
  }

  /** A distinct, non-null value of each parameter type, so that identity shows what was passed through. */
  private static Object argument(Class<?> type, FieldInfos infos) {
    if (type == FieldInfos.class) {
      return infos;
    }
    if (type == FieldInfos[].class) {
      return new FieldInfos[] {infos};
    }
    if (type == KnnVectorsReader[].class) {
      return new KnnVectorsReader[1];
    }
    if (type.isArray()) {
      return type == int[].class
          ? new int[] {5}
          : java.lang.reflect.Array.newInstance(type.getComponentType(), 1);
    }
    if (type == boolean.class) {
      return true;
    }
    if (type == InfoStream.class) {
      return InfoStream.NO_OUTPUT;
    }
    if (type == java.util.concurrent.Executor.class) {
      return (java.util.concurrent.Executor) Runnable::run;
    }
    return null; // SegmentInfo, OneMerge: references the view passes on unread
  }

  private static Constructor<?> onlyPublicConstructor(Class<?> type) {
    Constructor<?>[] constructors = type.getConstructors();
    assertEquals(
        seam(type.getSimpleName() + "'s public constructors " + Arrays.toString(constructors)),
        1,
        constructors.length);
    return constructors[0];
  }

  private static Set<String> getters(Class<?> type) {
    Set<String> names = new TreeSet<>();
    for (Method method : type.getMethods()) {
      if (method.getDeclaringClass() == type
          && method.getParameterCount() == 0
          && method.getReturnType() != void.class
          && Modifier.isStatic(method.getModifiers()) == false
          && Set.of("hashCode", "toString").contains(method.getName()) == false) {
        names.add(method.getName());
      }
    }
    return names;
  }

  private static Set<String> publicFields(Class<?> type) {
    Set<String> names = new TreeSet<>();
    for (Field field : type.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) == false) {
        names.add(field.getName());
      }
    }
    return names;
  }

  private static String seam(String what) {
    return what
        + " changed since Lucene "
        + WRITTEN_FOR
        + ", which FirstVectorView was written for:"
        + " carry the change in FirstVectorView, then update TestLuceneSeams";
  }
}
