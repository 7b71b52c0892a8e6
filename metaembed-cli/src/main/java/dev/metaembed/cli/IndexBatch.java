package dev.metaembed.cli;

import dev.metaembed.cli.BeirFiles.Document;
import dev.metaembed.encoder.MetaEmbedEncoder;
import dev.metaembed.lucene.codec.MetaEmbedField;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.LateInteractionField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexWriter;

/**
 * Documents of {@code metaembed index}, encoded in chunks on a background thread and added to the
 * index in corpus order, with a commit every {@code commitEvery} documents: the next chunk is
 * encoded (on the encoder's own intra-op threads) while the writer indexes the previous one. At
 * most two chunks are in flight, so the heap holds a bounded number of texts and vectors.
 *
 * <p>One encoder on all threads, not one single-threaded encoder per core: on this project's
 * 2-core machine the latter encoded 58.1 documents/s against 62.5 (docs/ENCODER.md).
 */
final class IndexBatch implements AutoCloseable {
  /** A chunk of documents and its encoding, still running or done. */
  private record Chunk(List<Document> docs, Future<List<float[][]>> vectors) {}

  private final IndexWriter writer;
  private final MetaEmbedEncoder encoder;
  private final FieldType type;
  private final int keep;
  private final boolean luceneBaseline;
  private final Map<String, String> userData;
  private final int commitEvery;
  private final int failAfter;
  private final ExecutorService encoding;
  private final ArrayDeque<Chunk> inFlight = new ArrayDeque<>();
  private final List<Document> pending = new ArrayList<>();
  private int sinceCommit;
  private int added;

  /**
   * @param failAfter for tests: fail when this many documents were handed to {@link #add}, as a
   *     crash midway would; -1 never
   */
  IndexBatch(
      IndexWriter writer,
      MetaEmbedEncoder encoder,
      FieldType type,
      int keep,
      boolean luceneBaseline,
      Map<String, String> userData,
      int commitEvery,
      int failAfter) {
    this.writer = writer;
    this.encoder = encoder;
    this.type = type;
    this.keep = keep;
    this.luceneBaseline = luceneBaseline;
    this.userData = userData;
    this.commitEvery = commitEvery;
    this.failAfter = failAfter;
    this.encoding =
        Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("metaembed-encode").daemon().factory());
    writer.setLiveCommitData(userData.entrySet()); // also for the commit on close after a failure
  }

  void add(Document doc) {
    if (added == failAfter) {
      throw new IllegalStateException("failing after " + failAfter + " documents (--fail-after)");
    }
    added++;
    pending.add(doc);
    if (pending.size() >= Math.min(64, commitEvery)) {
      submitPending();
      while (inFlight.size() > 1) {
        index(inFlight.poll());
      }
    }
  }

  /** Encodes and indexes everything handed over, then commits. */
  void finish() throws IOException {
    submitPending();
    while (inFlight.isEmpty() == false) {
      index(inFlight.poll());
    }
    commit();
  }

  private void submitPending() {
    if (pending.isEmpty()) {
      return;
    }
    List<Document> docs = List.copyOf(pending);
    pending.clear();
    List<String> texts = docs.stream().map(BeirFiles.Document::encoderText).toList();
    inFlight.add(new Chunk(docs, encoding.submit(() -> encoder.encodeDocuments(texts))));
  }

  private void index(Chunk chunk) {
    try {
      List<float[][]> vectors = encoded(chunk);
      for (int i = 0; i < chunk.docs().size(); i++) {
        Document doc = chunk.docs().get(i);
        try {
          writer.addDocument(document(doc, vectors.get(i)));
        } catch (IllegalArgumentException e) {
          throw new UserException("cannot index document " + doc.id() + ": " + e.getMessage(), e);
        }
      }
      sinceCommit += chunk.docs().size();
      if (sinceCommit >= commitEvery) {
        commit();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<float[][]> encoded(Chunk chunk) throws IOException {
    try {
      return chunk.vectors().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while encoding", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IllegalArgumentException) {
        throw new UserException(
            "cannot encode document "
                + chunk.docs().get(0).id()
                + " (batch of "
                + chunk.docs().size()
                + "): "
                + cause.getMessage(),
            cause);
      }
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IOException("encoding failed", cause);
    }
  }

  private void commit() throws IOException {
    writer.setLiveCommitData(userData.entrySet());
    writer.commit();
    sinceCommit = 0;
  }

  private org.apache.lucene.document.Document document(Document doc, float[][] vectors) {
    float[][] kept = Arrays.copyOf(vectors, Math.min(keep, vectors.length));
    org.apache.lucene.document.Document d = new org.apache.lucene.document.Document();
    d.add(new StringField(IndexLayout.ID, doc.id(), Field.Store.YES));
    d.add(new StoredField(IndexLayout.TITLE, doc.title()));
    d.add(new MetaEmbedField(IndexLayout.VECTORS, kept, type));
    if (luceneBaseline) {
      d.add(new LateInteractionField(IndexLayout.LUCENE_VECTORS, kept));
    }
    return d;
  }

  /**
   * Drops a chunk not yet started (after a failure: its documents were never added) and waits for
   * a running one, so the encoder is idle when it is closed next.
   */
  @Override
  public void close() {
    encoding.shutdownNow();
    try {
      encoding.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
