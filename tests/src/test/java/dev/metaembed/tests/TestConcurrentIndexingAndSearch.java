package dev.metaembed.tests;

import com.carrotsearch.randomizedtesting.RandomizedContext;
import dev.metaembed.lucene.codec.MetaEmbedCodec;
import dev.metaembed.lucene.codec.MetaEmbedVectorValues;
import dev.metaembed.lucene.codec.VectorStorage;
import dev.metaembed.lucene.search.LateInteractionQuery;
import dev.metaembed.lucene.search.MaxSim;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.IntField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SortedNumericDocValues;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ReferenceManager;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherFactory;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.tests.store.RawDirectoryWrapper;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.util.Bits;

/**
 * Indexing, near-real-time reopening, merging and {@link LateInteractionQuery} searches, all at
 * once, on one {@link MetaEmbedCodec} index (random storage, random similarity, 16 dims, at most 8
 * vectors per document).
 *
 * <p>What runs: 2–3 indexing threads (update or delete by id; each owns the ids ≡ its number
 * modulo the thread count, so the final content is known), a {@link SearcherManager} refreshed in
 * a loop (deletes applied or not, at random), 2–3 search threads and one thread calling {@code
 * forceMerge(1..3)}, {@code forceMergeDeletes} or {@code commit} now and then, on top of the random
 * merge policy and scheduler of {@link #newIndexWriterConfig()}.
 *
 * <p>What it proves, for every search (random budget, k, candidates, probes, prune, filter on a {@code
 * color} field or none), against a reference computed by brute force with {@link MaxSim#score} over
 * every live document of <em>the same reader snapshot</em> the query ran on (vectors read with
 * {@link MetaEmbedVectorValues}):
 *
 * <ul>
 *   <li>exact: the hits are the reference top k: as many as min(k, matching documents), each
 *       hit's score equals the reference score at its rank, and a hit differing from the
 *       reference's document at that rank ties with it. Scores are compared with a tolerance of
 *       1e-5 × max(1, |score|): the query scores with the SIMD {@code MaxSimScorer}, whose sums
 *       differ from {@link MaxSim#score} in the last bits, so documents tied within rounding may
 *       swap (the query breaks exact ties by lower doc id, which the reference does too);
 *   <li>approximate: at most k hits, no duplicates, each a live document of the snapshot that the
 *       filter accepts, each with its true MaxSim score (same tolerance), sorted by score then doc
 *       id;
 *   <li>at the end, once the writers stop: the committed index holds exactly the acknowledged
 *       documents with their vectors bit for bit ({@link ReferenceDocs#assertSameDocuments}).
 * </ul>
 *
 * Any exception or assertion in any thread fails the test (after every thread is joined).
 *
 * <p>Duration: {@value #DEFAULT_SECONDS} s by default, as the reliability issue asks; on 2 shared
 * cores 30 s already checked 500–2,300 searches over 10–40 reopens and 5–11 forced merges (the
 * summary line prints each run's counts). The soak is a property away: {@code
 * -Dmetaembed.concurrency.seconds=N}, e.g. {@code ./metaembed test -pl tests -am
 * -Dtest=TestConcurrentIndexingAndSearch -Dmetaembed.concurrency.seconds=180}.
 *
 * <p>The directory is not {@link #newDirectory()}: MockDirectoryWrapper synchronizes every write
 * and file open on the directory and yields while holding that lock, which on 2 busy cores
 * serialized the indexing threads and made one NRT reopen take seconds. It is a heap or file
 * system directory wrapped only to run CheckIndex on close.
 */
public class TestConcurrentIndexingAndSearch extends LuceneTestCase {
  static final int DEFAULT_SECONDS = 60;
  private static final int DIM = 16;
  private static final int MAX_VECTORS = 8;
  private static final int COLORS = 10;
  private static final String COLOR = "color";

  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final AtomicLong added = new AtomicLong();
  private final AtomicLong updated = new AtomicLong();
  private final AtomicLong deleted = new AtomicLong();
  private final AtomicLong reopens = new AtomicLong();
  private final AtomicLong forcedMerges = new AtomicLong();
  private final AtomicLong commits = new AtomicLong();
  private final AtomicLong exactChecked = new AtomicLong();
  private final AtomicLong approxChecked = new AtomicLong();
  private final AtomicLong hitsChecked = new AtomicLong();
  private final AtomicLong tieSwaps = new AtomicLong();

  public void testIndexReopenMergeAndSearchConcurrently() throws Exception {
    int seconds = Integer.getInteger("metaembed.concurrency.seconds", DEFAULT_SECONDS);
    VectorStorage storage = VectorStorage.values()[random().nextInt(VectorStorage.values().length)];
    VectorSimilarityFunction[] similarities = VectorSimilarityFunction.values();
    VectorSimilarityFunction similarity = similarities[random().nextInt(similarities.length)];
    ReferenceDocs refs = new ReferenceDocs(DIM, MAX_VECTORS, similarity, storage);
    int indexers = 2 + random().nextInt(2);
    int searchers = 2 + random().nextInt(2);
    int idSpace = 200 + random().nextInt(800);
    boolean applyAllDeletes = random().nextBoolean();

    List<Set<String>> liveIds = new ArrayList<>();
    for (int t = 0; t < indexers; t++) {
      liveIds.add(new HashSet<>());
    }
    try (Directory dir = newUnserializedDirectory();
        IndexWriter writer =
            new IndexWriter(dir, newIndexWriterConfig().setCodec(new MetaEmbedCodec()))) {
      for (int id = 0; id < idSpace / 2; id++) { // the first reader already has documents
        update(writer, refs, random(), Integer.toString(id), liveIds.get(id % indexers));
      }
      SearcherManager manager =
          new SearcherManager(
              writer,
              applyAllDeletes,
              false,
              new SearcherFactory() {
                @Override
                public IndexSearcher newSearcher(IndexReader reader, IndexReader previous) {
                  // the very reader given (SearcherManager checks), maybe with an executor
                  return LuceneTestCase.newSearcher(reader, false);
                }
              });
      manager.addListener(
          new ReferenceManager.RefreshListener() {
            @Override
            public void beforeRefresh() {}

            @Override
            public void afterRefresh(boolean didRefresh) {
              if (didRefresh) {
                reopens.incrementAndGet();
              }
            }
          });
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < indexers; t++) {
        int owner = t;
        long seed = random().nextLong();
        Set<String> live = liveIds.get(t);
        threads.add(
            thread(
                "indexer-" + t,
                () -> index(writer, refs, new Random(seed), owner, indexers, idSpace, live)));
      }
      for (int t = 0; t < searchers; t++) {
        long seed = random().nextLong();
        threads.add(
            thread("searcher-" + t, () -> search(manager, refs, similarity, new Random(seed))));
      }
      long refreshSeed = random().nextLong();
      threads.add(thread("refresher", () -> refresh(manager, new Random(refreshSeed))));
      long mergeSeed = random().nextLong();
      threads.add(thread("merger", () -> merge(writer, new Random(mergeSeed))));

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      try {
        threads.forEach(Thread::start);
        while (System.nanoTime() < deadline && stop.get() == false) {
          Thread.sleep(50);
        }
      } finally {
        stop.set(true);
        for (Thread thread : threads) {
          thread.join();
        }
        manager.close();
      }
      if (failure.get() != null) {
        throw new AssertionError("a worker thread failed", failure.get());
      }

      writer.commit();
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        ReferenceDocs.assertSameDocuments(reader, refs.snapshot());
      }
      String seed = RandomizedContext.current().getRunnerSeedAsString();
      System.out.printf(
          Locale.ROOT,
          "TestConcurrentIndexingAndSearch: seed=%s %ds storage=%s similarity=%s indexers=%d searchers=%d"
              + " applyAllDeletes=%b; docs added=%d updated=%d deleted=%d final=%d; reopens=%d"
              + " forceMerges=%d commits=%d; searches checked exact=%d approximate=%d (hits %d,"
              + " exact rank swaps within tolerance %d); failures=0%n",
          seed,
          seconds,
          storage,
          similarity,
          indexers,
          searchers,
          applyAllDeletes,
          added.get(),
          updated.get(),
          deleted.get(),
          refs.snapshot().size(),
          reopens.get(),
          forcedMerges.get(),
          commits.get(),
          exactChecked.get(),
          approxChecked.get(),
          hitsChecked.get(),
          tieSwaps.get());
      assertTrue("no exact search was checked", exactChecked.get() > 0);
      assertTrue("no approximate search was checked", approxChecked.get() > 0);
    }
  }

  private interface Work {
    void run() throws Exception;
  }

  /** A thread running {@code work}; its first failure is kept and stops every other thread. */
  private Thread thread(String name, Work work) {
    Thread thread =
        new Thread(
            () -> {
              try {
                work.run();
              } catch (Throwable t) {
                if (failure.compareAndSet(null, t) == false) {
                  failure.get().addSuppressed(t);
                }
                stop.set(true);
              }
            },
            name);
    thread.setDaemon(true);
    return thread;
  }

  /** Updates or deletes the ids this thread owns, recording each acknowledged change. */
  private void index(
      IndexWriter writer,
      ReferenceDocs refs,
      Random random,
      int owner,
      int owners,
      int idSpace,
      Set<String> live)
      throws IOException {
    while (stop.get() == false) {
      String id = Integer.toString(owner + owners * random.nextInt(idSpace / owners));
      if (live.contains(id) && random.nextInt(5) == 0) {
        writer.deleteDocuments(new Term(ReferenceDocs.ID, id));
        refs.remove(id);
        live.remove(id);
        deleted.incrementAndGet();
        continue;
      }
      update(writer, refs, random, id, live);
    }
  }

  /** Adds or replaces document {@code id} with random vectors and color, and records it. */
  private void update(
      IndexWriter writer, ReferenceDocs refs, Random random, String id, Set<String> live)
      throws IOException {
    float[][] vectors = refs.randomVectors(random);
    Document doc = refs.document(id, vectors);
    doc.add(new IntField(COLOR, random.nextInt(COLORS), Field.Store.NO));
    writer.updateDocument(new Term(ReferenceDocs.ID, id), doc);
    refs.put(id, vectors);
    (live.add(id) ? added : updated).incrementAndGet();
  }

  /** A heap or file system directory, wrapped only to run CheckIndex on close (see the class). */
  private static Directory newUnserializedDirectory() throws IOException {
    Directory dir =
        random().nextBoolean() ? new ByteBuffersDirectory() : FSDirectory.open(createTempDir());
    return new RawDirectoryWrapper(dir);
  }

  private void refresh(SearcherManager manager, Random random) throws Exception {
    while (stop.get() == false) {
      manager.maybeRefresh();
      Thread.sleep(random.nextInt(10));
    }
  }

  private void merge(IndexWriter writer, Random random) throws Exception {
    while (stop.get() == false) {
      Thread.sleep(200 + random.nextInt(800));
      switch (random.nextInt(4)) {
        case 0, 1 -> {
          writer.forceMerge(1 + random.nextInt(3));
          forcedMerges.incrementAndGet();
        }
        case 2 -> {
          writer.forceMergeDeletes();
          forcedMerges.incrementAndGet();
        }
        default -> {
          writer.commit();
          commits.incrementAndGet();
        }
      }
    }
  }

  /** Runs random searches, a few per acquired snapshot, each checked against that snapshot. */
  private void search(
      SearcherManager manager,
      ReferenceDocs refs,
      VectorSimilarityFunction similarity,
      Random random)
      throws IOException {
    while (stop.get() == false) {
      IndexSearcher searcher = manager.acquire();
      try {
        Snapshot snapshot = new Snapshot(searcher.getIndexReader());
        for (int i = 1 + random.nextInt(4); i > 0; i--) {
          checkOneSearch(searcher, snapshot, refs, similarity, random);
        }
      } finally {
        manager.release(searcher);
      }
    }
  }

  private void checkOneSearch(
      IndexSearcher searcher,
      Snapshot snapshot,
      ReferenceDocs refs,
      VectorSimilarityFunction similarity,
      Random random)
      throws IOException {
    float[][] query = refs.randomVectors(random);
    int queryBudget = 1 + random.nextInt(query.length);
    int docBudget =
        random.nextInt(4) == 0 ? Integer.MAX_VALUE : 1 + random.nextInt(MAX_VECTORS + 2);
    int k = 1 + random.nextInt(20);
    int lo = random.nextInt(COLORS);
    int hi = lo + random.nextInt(COLORS - lo);
    int filterKind = random.nextInt(4); // 0: none, 1: match all, 2-3: color range
    Query filter =
        switch (filterKind) {
          case 0 -> null;
          case 1 -> new MatchAllDocsQuery();
          default -> IntField.newRangeQuery(COLOR, lo, hi);
        };
    boolean exact = random.nextBoolean();
    LateInteractionQuery.Builder builder =
        LateInteractionQuery.builder(ReferenceDocs.FIELD, query)
            .k(k)
            .budget(queryBudget, docBudget);
    if (filter != null) {
      builder.filter(filter);
    }
    if (exact) {
      builder.exact();
    } else {
      if (random.nextBoolean()) {
        builder.candidates(1 + random.nextInt(60));
      }
      builder.probes(1 + random.nextInt(query.length));
      if (random.nextInt(3) == 0) { // the cascade: approximate, its hits still carry true scores
        builder.prune(
            1 + random.nextInt(queryBudget),
            1 + random.nextInt(Math.min(docBudget, 8)),
            k + random.nextInt(20));
      }
    }
    LateInteractionQuery q = builder.build();
    TopDocs hits = searcher.search(q, k);

    boolean filtered = filterKind >= 2;
    float[] truth = new float[snapshot.maxDoc];
    Arrays.fill(truth, Float.NaN); // NaN: not live or filtered out
    List<ScoreDoc> reference = new ArrayList<>();
    for (int doc = 0; doc < snapshot.maxDoc; doc++) {
      if (snapshot.vectors[doc] != null
          && (filtered == false || (snapshot.colors[doc] >= lo && snapshot.colors[doc] <= hi))) {
        float[][] vectors = snapshot.vectors[doc];
        truth[doc] =
            MaxSim.score(
                query, queryBudget, vectors, Math.min(docBudget, vectors.length), similarity);
        reference.add(new ScoreDoc(doc, truth[doc]));
      }
    }
    reference.sort(
        (a, b) ->
            a.score != b.score ? Float.compare(b.score, a.score) : Integer.compare(a.doc, b.doc));

    String where = q + " on " + snapshot.maxDoc + " docs, " + reference.size() + " matching";
    ScoreDoc[] got = hits.scoreDocs;
    assertTrue(where + ": more than k hits", got.length <= k);
    Set<Integer> seen = new HashSet<>();
    for (int rank = 0; rank < got.length; rank++) {
      ScoreDoc hit = got[rank];
      String at = where + ", rank " + rank + " doc " + hit.doc;
      assertTrue(at + ": duplicate", seen.add(hit.doc));
      assertFalse(at + ": not a live document accepted by the filter", Float.isNaN(truth[hit.doc]));
      assertEquals(
          at + ": score is not the document's MaxSim",
          truth[hit.doc],
          hit.score,
          tolerance(truth[hit.doc]));
      if (rank > 0) {
        ScoreDoc previous = got[rank - 1];
        assertTrue(
            at + ": not sorted by score then doc id",
            previous.score > hit.score || (previous.score == hit.score && previous.doc < hit.doc));
      }
    }
    hitsChecked.addAndGet(got.length);
    if (exact) {
      assertEquals(where + ": exact hit count", Math.min(k, reference.size()), got.length);
      for (int rank = 0; rank < got.length; rank++) {
        ScoreDoc want = reference.get(rank);
        ScoreDoc hit = got[rank];
        String at = where + ", rank " + rank + ": got doc " + hit.doc + " want doc " + want.doc;
        assertEquals(at, want.score, hit.score, tolerance(want.score));
        if (hit.doc != want.doc) {
          // only a tie within rounding may swap documents
          assertEquals(at + " (not a tie)", want.score, truth[hit.doc], tolerance(want.score));
          tieSwaps.incrementAndGet();
        }
      }
      exactChecked.incrementAndGet();
    } else {
      approxChecked.incrementAndGet();
    }
  }

  /** 1e-5 relative (absolute below 1): SIMD and pair-by-pair sums differ in the last bits. */
  private static float tolerance(float score) {
    return 1e-5f * Math.max(1f, Math.abs(score));
  }

  /** One reader's live documents, their colors and vectors, read once per acquired searcher. */
  private static final class Snapshot {
    final int maxDoc;

    /** Vectors of each live document (doc id = global), null for deleted documents. */
    final float[][][] vectors;

    final int[] colors;

    Snapshot(IndexReader reader) throws IOException {
      maxDoc = reader.maxDoc();
      vectors = new float[maxDoc][][];
      colors = new int[maxDoc];
      for (LeafReaderContext context : reader.leaves()) {
        LeafReader leaf = context.reader();
        Bits live = leaf.getLiveDocs();
        MetaEmbedVectorValues values = MetaEmbedVectorValues.get(leaf, ReferenceDocs.FIELD);
        SortedNumericDocValues color = DocValues.getSortedNumeric(leaf, COLOR);
        for (int doc = 0; doc < leaf.maxDoc(); doc++) {
          if (live != null && live.get(doc) == false) {
            continue;
          }
          assertNotNull("segment without vectors", values);
          assertTrue("live document " + doc + " without vectors", values.advanceExact(doc));
          assertTrue("live document " + doc + " without color", color.advanceExact(doc));
          vectors[context.docBase + doc] = values.vectors(MAX_VECTORS);
          colors[context.docBase + doc] = (int) color.nextValue();
        }
      }
    }
  }
}
