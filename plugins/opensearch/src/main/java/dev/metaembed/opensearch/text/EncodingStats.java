package dev.metaembed.opensearch.text;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.common.io.stream.Writeable;

/** What one node's encoders did since it started: counts and time spent, shown by {@code _cat/metaembed}. */
final class EncodingStats {
  private final LongAdder documents = new LongAdder();
  private final LongAdder queries = new LongAdder();
  private final LongAdder inferences = new LongAdder();
  private final LongAdder failures = new LongAdder();
  private final LongAdder nanos = new LongAdder();

  void documents(int count, long elapsedNanos) {
    documents.add(count);
    inferences.increment();
    nanos.add(elapsedNanos);
  }

  void query(long elapsedNanos) {
    queries.increment();
    inferences.increment();
    nanos.add(elapsedNanos);
  }

  void failure() {
    failures.increment();
  }

  Snapshot snapshot(List<String> loadedModels) {
    return new Snapshot(
        documents.sum(),
        queries.sum(),
        inferences.sum(),
        failures.sum(),
        nanos.sum() / 1_000_000,
        loadedModels);
  }

  /**
   * One node's figures.
   *
   * @param documents documents encoded
   * @param queries query texts encoded
   * @param inferences encoder calls (a batch of documents or one query)
   * @param failures requests whose encoding failed (model not loadable, encoder error)
   * @param millis time spent encoding, summed over threads
   * @param loadedModels the models loaded on the node
   */
  public record Snapshot(
      long documents,
      long queries,
      long inferences,
      long failures,
      long millis,
      List<String> loadedModels)
      implements Writeable {
    /** Reads what {@link #writeTo} wrote. */
    public static Snapshot readFrom(StreamInput in) throws IOException {
      return new Snapshot(
          in.readVLong(),
          in.readVLong(),
          in.readVLong(),
          in.readVLong(),
          in.readVLong(),
          in.readStringList());
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
      out.writeVLong(documents);
      out.writeVLong(queries);
      out.writeVLong(inferences);
      out.writeVLong(failures);
      out.writeVLong(millis);
      out.writeStringCollection(loadedModels);
    }
  }
}
