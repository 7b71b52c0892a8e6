package dev.metaembed.bench;

import dev.metaembed.bench.EndToEndConfigs.Config;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Throughput with several threads issuing queries at once: the threads share one configuration's
 * IndexSearcher (which runs each query single-threaded: it has no executor) and take the next query
 * from a shared counter until every query has run once. The pool lives for the whole run, so its
 * threads are warm.
 */
final class EndToEndThroughput implements AutoCloseable {
  private final int threads;
  private final int k;
  private final ExecutorService pool;

  EndToEndThroughput(int threads, int k) {
    this.threads = threads;
    this.k = k;
    this.pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "e2e-query");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Runs every query of {@code qs} once through {@code c} with all threads and returns queries per
   * second of wall-clock time, from the moment all threads are ready until the last query is done.
   * Hits are discarded (no recall, no ground truth).
   */
  double qps(Config c, float[][][] qs) throws Exception {
    AtomicInteger next = new AtomicInteger();
    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      futures.add(
          pool.submit(
              () -> {
                ready.countDown();
                go.await();
                for (int q = next.getAndIncrement(); q < qs.length; q = next.getAndIncrement()) {
                  c.searcher().search(c.factory().create(qs[q]), k);
                }
                return null;
              }));
    }
    ready.await();
    long t0 = System.nanoTime();
    go.countDown();
    for (Future<?> f : futures) {
      try {
        f.get();
      } catch (ExecutionException e) {
        throw e.getCause() instanceof Exception cause ? cause : e;
      }
    }
    return qs.length / ((System.nanoTime() - t0) / 1e9);
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
