package dev.metaembed.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The encoder loads where threads carry a context class loader that cannot see its jars (an
 * OpenSearch plugin, an application server): DJL's tokenizer finds its native library through that
 * loader, and failed with an AssertionError there. In a JVM of its own, because DJL loads its
 * library once per JVM.
 */
class IsolatedClassLoaderTest {

  @Test
  void loadsWithAContextClassLoaderThatSeesNoJar() throws Exception {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    String surefire = System.getProperty("surefire.test.class.path");
    String classPath =
        surefire != null && surefire.isEmpty() == false
            ? surefire
            : System.getProperty("java.class.path");
    Process child =
        new ProcessBuilder(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                classPath,
                IsolatedLoaderProbe.class.getName())
            .redirectErrorStream(true)
            .start();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(child.waitFor(2, TimeUnit.MINUTES), "probe still running"); // a guard, not a timing
    assertEquals(0, child.exitValue(), output);
    List<String> lines = output.lines().toList();
    assertTrue(lines.contains("encoded 4 x " + TinyModel.DIM), output);
    assertTrue(lines.contains("context loader restored: true"), output);
  }
}
