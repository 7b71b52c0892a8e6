package dev.metaembed.opensearch.text;

import dev.metaembed.encoder.EncoderOptions;
import dev.metaembed.encoder.MetaEmbedEncoder;
import dev.metaembed.opensearch.MetaEmbedSettings;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.opensearch.common.settings.ClusterSettings;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.util.concurrent.OpenSearchExecutors;
import org.opensearch.core.action.ActionListener;
import org.opensearch.threadpool.ExecutorBuilder;
import org.opensearch.threadpool.FixedExecutorBuilder;
import org.opensearch.threadpool.ThreadPool;

/**
 * The node's text encoders: one {@link MetaEmbedEncoder} per model, loaded on first use (on the
 * {@value #THREAD_POOL} thread pool, never on a caller's thread) and kept until the node stops.
 * Every encoding runs on that bounded pool and answers through a listener; a full queue is a
 * rejection (429), an encoder that cannot load or fails is an exception naming the model. Nothing
 * the encoder throws, {@link Error}s included, escapes to OpenSearch's threads: an Error there ends
 * the node.
 */
public final class TextEncoders implements Closeable {
  /** The thread pool every encoding runs on ({@code thread_pool.metaembed_encode.*}). */
  public static final String THREAD_POOL = "metaembed_encode";

  private static final Logger LOG = LogManager.getLogger(TextEncoders.class);
  private static final long RETRY_FAILED_LOAD_NANOS = 30_000_000_000L;

  private final Path modelsRoot;
  private final ThreadPool threadPool;
  private final int intraOpThreads;
  private final EncodingStats stats = new EncodingStats();
  private final Map<String, LoadedModel> models = new ConcurrentHashMap<>();
  private volatile int maxBatchSize;
  private volatile boolean closed;

  /**
   * @param configDir the node's config directory: models are folders under its {@value
   *     ModelReference#MODELS_FOLDER}
   */
  public TextEncoders(Path configDir, ThreadPool threadPool, Settings settings) {
    this.modelsRoot = configDir.resolve(ModelReference.MODELS_FOLDER);
    this.threadPool = threadPool;
    this.intraOpThreads = MetaEmbedSettings.INTRA_OP_THREADS.get(settings);
    this.maxBatchSize = MetaEmbedSettings.MAX_BATCH_SIZE.get(settings);
  }

  /** The pool: default half the node's processors (at least 1), a queue of 1,000 batches. */
  public static ExecutorBuilder<?> executorBuilder(Settings settings) {
    int processors = OpenSearchExecutors.allocatedProcessors(settings);
    return new FixedExecutorBuilder(
        settings, THREAD_POOL, Math.max(1, processors / 2), 1000, "thread_pool." + THREAD_POOL);
  }

  /** Follows dynamic updates of {@link MetaEmbedSettings#MAX_BATCH_SIZE}. */
  public void watch(ClusterSettings clusterSettings) {
    clusterSettings.addSettingsUpdateConsumer(
        MetaEmbedSettings.MAX_BATCH_SIZE, size -> maxBatchSize = size);
  }

  /**
   * The model a request names (null: the default), resolved against this node's config directory;
   * nothing is loaded yet.
   *
   * @throws IllegalArgumentException what is wrong with it
   */
  public ModelReference model(String name) {
    return ModelReference.parse(name, modelsRoot);
  }

  /** A query's vectors (the model's query side). */
  public void encodeQuery(
      ModelReference reference, String text, ActionListener<float[][]> listener) {
    fork(
        listener,
        () -> {
          MetaEmbedEncoder encoder = encoder(reference);
          long start = System.nanoTime();
          float[][] vectors = guarded(reference, () -> encoder.encodeQuery(text));
          stats.query(System.nanoTime() - start);
          return vectors;
        });
  }

  /** One text's outcome: its vectors, or why its batch failed (exactly one is non-null). */
  public record Encoded(float[][] vectors, Exception failure) {}

  /**
   * Documents' vectors, in input order. The texts are cut into batches of at most {@code
   * metaembed.encode.max_batch_size}, which run in parallel on the pool; the consumer hears once,
   * when every batch is done, with one {@link Encoded} per text: a batch that fails (rejected
   * by a full queue, or the encoder failed) fails its texts only.
   */
  public void encodeDocuments(
      ModelReference reference, List<String> texts, Consumer<List<Encoded>> consumer) {
    if (texts.isEmpty()) {
      consumer.accept(List.of());
      return;
    }
    int batch = maxBatchSize;
    int batches = (texts.size() + batch - 1) / batch;
    Encoded[] results = new Encoded[texts.size()];
    AtomicInteger pending = new AtomicInteger(batches);
    for (int b = 0; b < batches; b++) {
      int from = b * batch;
      List<String> slice = texts.subList(from, Math.min(texts.size(), from + batch));
      ActionListener<List<float[][]>> part =
          ActionListener.wrap(
              vectors -> {
                for (int i = 0; i < vectors.size(); i++) {
                  results[from + i] = new Encoded(vectors.get(i), null);
                }
                if (pending.decrementAndGet() == 0) {
                  consumer.accept(Arrays.asList(results));
                }
              },
              e -> {
                for (int i = 0; i < slice.size(); i++) {
                  results[from + i] = new Encoded(null, e);
                }
                if (pending.decrementAndGet() == 0) {
                  consumer.accept(Arrays.asList(results));
                }
              });
      fork(
          part,
          () -> {
            MetaEmbedEncoder encoder = encoder(reference);
            long start = System.nanoTime();
            List<float[][]> vectors = guarded(reference, () -> encoder.encodeDocuments(slice));
            stats.documents(slice.size(), System.nanoTime() - start);
            return vectors;
          });
    }
  }

  /** This node's figures. */
  public EncodingStats.Snapshot stats() {
    List<String> loaded = new ArrayList<>();
    models.forEach(
        (name, model) -> {
          if (model.encoder != null) {
            loaded.add(name);
          }
        });
    loaded.sort(null);
    return stats.snapshot(loaded);
  }

  private interface Encoding<T> {
    T run() throws Exception;
  }

  private <T> void fork(ActionListener<T> listener, Encoding<T> encoding) {
    try {
      threadPool
          .executor(THREAD_POOL)
          .execute(
              () -> {
                T result;
                try {
                  result = encoding.run();
                } catch (Exception e) {
                  stats.failure();
                  listener.onFailure(e);
                  return;
                }
                listener.onResponse(result);
              });
    } catch (Exception e) { // rejected: the queue is full or the node is stopping
      stats.failure();
      listener.onFailure(e);
    }
  }

  /** Runs an encoder call; an Error becomes an exception that does not carry it. */
  private static <T> T guarded(ModelReference model, Encoding<T> call) throws Exception {
    try {
      return call.run();
    } catch (Exception e) {
      throw e;
    } catch (Throwable t) {
      LOG.error("encoder of model [" + model.name() + "] failed", t);
      throw new IllegalStateException("encoder of model [" + model.name() + "] failed: " + t);
    }
  }

  private MetaEmbedEncoder encoder(ModelReference reference) throws IOException {
    if (closed) {
      throw new IllegalStateException("the node is stopping: its encoders are closed");
    }
    return models.computeIfAbsent(reference.name(), name -> new LoadedModel()).get(reference);
  }

  /** One model: loaded once; a failed load is answered from memory for 30 s, then tried again. */
  private final class LoadedModel {
    private volatile MetaEmbedEncoder encoder;
    private String failure;
    private long failedAt;

    MetaEmbedEncoder get(ModelReference reference) throws IOException {
      MetaEmbedEncoder loaded = encoder;
      return loaded != null ? loaded : load(reference);
    }

    private synchronized MetaEmbedEncoder load(ModelReference reference) throws IOException {
      if (encoder != null) {
        return encoder;
      }
      if (failure != null && System.nanoTime() - failedAt < RETRY_FAILED_LOAD_NANOS) {
        throw new IllegalStateException(failure);
      }
      long start = System.nanoTime();
      try {
        encoder = open(reference);
      } catch (IllegalArgumentException e) {
        throw e; // the request's fault (no such folder): not remembered
      } catch (Throwable t) { // an Error must not reach OpenSearch's threads
        LOG.error("cannot load model [" + reference.name() + "]", t);
        failure = "cannot load model [" + reference.name() + "]: " + t;
        failedAt = System.nanoTime();
        throw new IllegalStateException(failure);
      }
      if (closed) { // the node began stopping while this loaded
        encoder.close();
        encoder = null;
        throw new IllegalStateException("the node is stopping: its encoders are closed");
      }
      LOG.info(
          "loaded model [{}] in {} ms: {} query and {} document vectors of {} dimensions",
          reference.name(),
          (System.nanoTime() - start) / 1_000_000,
          encoder.queryVectors(),
          encoder.documentVectors(),
          encoder.dimension());
      return encoder;
    }

    private MetaEmbedEncoder open(ModelReference reference) throws IOException {
      // batches are cut here (metaembed.encode.max_batch_size), so the encoder's own limit is off
      EncoderOptions options = new EncoderOptions(intraOpThreads, Integer.MAX_VALUE);
      if (reference.builtin() != null) {
        return MetaEmbedEncoder.load(reference.builtin(), options);
      }
      if (Files.isDirectory(reference.folder()) == false) {
        throw new IllegalArgumentException(
            "model ["
                + reference.name()
                + "]: no folder ["
                + reference.folder()
                + "] on this node; a model folder (with metaembed.json) must be in every node's"
                + " config/"
                + ModelReference.MODELS_FOLDER);
      }
      return MetaEmbedEncoder.load(reference.folder(), options);
    }

    synchronized void close() {
      if (encoder != null) {
        encoder.close();
        encoder = null;
      }
    }
  }

  /** Closes every loaded encoder (waiting for running encodings); later calls fail. */
  @Override
  public void close() {
    closed = true;
    models.values().forEach(LoadedModel::close);
  }
}
