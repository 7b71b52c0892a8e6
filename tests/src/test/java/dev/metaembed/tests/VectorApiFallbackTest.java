package dev.metaembed.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The one Vector API decision ({@code VectorApiSupport}) tested both ways, each in a JVM of its own
 * running {@link VectorApiProbe}: with {@code jdk.incubator.vector} (Panama kernel and decoding),
 * without it (plain Java, and the reason logged), with {@code -Dmetaembed.vector.api=scalar}, and
 * with a bad value (a clear error naming the property, no class-initialization failure). Decoding
 * must give the same bits on every path, and scores must agree to float rounding.
 */
class VectorApiFallbackTest {

  @Test
  void everyPathDecodesAndScoresTheSame() throws Exception {
    Run panama = run(true, null);
    Run noModule = run(false, null);
    Run scalar = run(true, "scalar");
    assertEquals(0, panama.exit, panama.output());
    assertTrue(panama.lines.contains("usePanama=true"), panama.output());
    assertTrue(line(panama, "kernel=").startsWith("kernel=panama"), panama.output());
    for (Run plain : List.of(noModule, scalar)) {
      assertEquals(0, plain.exit, plain.output());
      assertTrue(plain.lines.contains("usePanama=false"), plain.output());
      assertEquals("kernel=scalar", line(plain, "kernel="), plain.output());
    }
    assertTrue(
        noModule
            .output()
            .contains(
                "MetaEmbed uses plain Java, not the Vector API: module jdk.incubator.vector is not added"),
        noModule.output());
    assertFalse(
        scalar.output().contains("MetaEmbed uses plain Java"),
        "an override is not a fallback: " + scalar.output());
    for (Run plain : List.of(noModule, scalar)) {
      assertEquals(lines(panama, "decoded "), lines(plain, "decoded "), "decoded bits differ");
      List<String> expected = lines(panama, "score ");
      List<String> actual = lines(plain, "score ");
      assertEquals(expected.size(), actual.size());
      for (int i = 0; i < expected.size(); i++) {
        double a = Double.parseDouble(expected.get(i).replaceAll(".* ", ""));
        double b = Double.parseDouble(actual.get(i).replaceAll(".* ", ""));
        assertEquals(
            a, b, 1e-5 * Math.max(1, Math.abs(a)), expected.get(i) + " vs " + actual.get(i));
      }
    }
  }

  @Test
  void aBadValueIsAClearErrorAtUse() throws Exception {
    Run bad = run(true, "avx512");
    assertEquals(1, bad.exit, bad.output());
    assertTrue(
        bad.output()
            .contains(
                "IllegalArgumentException: metaembed.vector.api must be panama or scalar (or unset), got \"avx512\""),
        bad.output());
    assertFalse(bad.output().contains("ExceptionInInitializerError"), bad.output());
    assertFalse(bad.output().contains("NoClassDefFoundError"), bad.output());
  }

  private record Run(int exit, List<String> lines) {
    String output() {
      return String.join("\n", lines);
    }
  }

  private static String line(Run run, String prefix) {
    return lines(run, prefix).stream().findFirst().orElse("(no " + prefix + " line)");
  }

  private static List<String> lines(Run run, String prefix) {
    return run.lines.stream().filter(l -> l.startsWith(prefix)).toList();
  }

  private static Run run(boolean vectorModule, String property)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Paths.get(System.getProperty("java.home"), "bin", "java").toString()));
    if (vectorModule) {
      command.add("--add-modules=jdk.incubator.vector");
    }
    if (property != null) {
      command.add("-Dmetaembed.vector.api=" + property);
    }
    command.add("-cp");
    String surefire = System.getProperty("surefire.test.class.path");
    command.add(
        surefire != null && surefire.isEmpty() == false
            ? surefire
            : System.getProperty("java.class.path"));
    command.add(VectorApiProbe.class.getName());
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = child.getInputStream().readAllBytes();
    if (child.waitFor(2, TimeUnit.MINUTES) == false) { // a guard against a hung child, not a timing
      child.destroyForcibly();
      throw new AssertionError("probe still running after 2 minutes");
    }
    return new Run(child.exitValue(), new String(out, StandardCharsets.UTF_8).lines().toList());
  }
}
