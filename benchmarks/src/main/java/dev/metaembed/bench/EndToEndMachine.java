package dev.metaembed.bench;

import dev.metaembed.lucene.search.MaxSimKernel;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.util.VectorUtil;

/** The machine, JVM and vectorization a run used, as label → value rows for the report. */
final class EndToEndMachine {
  /** Lucene logs its vectorization choice once, when VectorUtil first loads: keep that message. */
  private static final Logger VECTORIZATION_LOGGER =
      Logger.getLogger("org.apache.lucene.internal.vectorization");

  private EndToEndMachine() {}

  /**
   * Describes this JVM. Call it before anything else touches {@link VectorUtil}: Lucene's
   * vectorization message is only logged once, and otherwise shows as "(no log message captured)".
   */
  static Map<String, String> describe() {
    List<String> vectorizationLog = captureVectorizationLog();
    Map<String, String> machine = new LinkedHashMap<>();
    Runtime rt = Runtime.getRuntime();
    machine.put("available processors", Integer.toString(rt.availableProcessors()));
    machine.put(
        "JVM",
        System.getProperty("java.vm.name")
            + " "
            + Runtime.version()
            + " ("
            + System.getProperty("java.vendor")
            + ")");
    machine.put(
        "OS",
        System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"));
    machine.put(
        "JVM flags", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
    machine.put("max heap", String.format(Locale.ROOT, "%.0f MB", rt.maxMemory() / 1048576.0));
    machine.put(
        "jdk.incubator.vector module",
        ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() ? "present" : "absent");
    machine.put(
        "Lucene vectorization",
        vectorizationLog.isEmpty()
            ? "(no log message captured)"
            : String.join("; ", vectorizationLog));
    machine.put("MaxSim kernel", MaxSimKernel.get().name());
    machine.put("Lucene default codec", Codec.getDefault().getName());
    return machine;
  }

  private static List<String> captureVectorizationLog() {
    List<String> messages = new ArrayList<>();
    Handler handler =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            messages.add(record.getLevel() + ": " + record.getMessage());
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    handler.setLevel(Level.ALL);
    VECTORIZATION_LOGGER.addHandler(handler);
    VectorUtil.dotProduct(new float[] {1f}, new float[] {1f}); // triggers the provider lookup
    VECTORIZATION_LOGGER.removeHandler(handler);
    return messages;
  }
}
