package dev.metaembed.encoder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The repository's samples/manpages set, read once per test JVM. */
final class SampleData {
  private static BeirData manpages;

  private SampleData() {}

  static synchronized BeirData manpages() {
    if (manpages == null) {
      try {
        manpages = BeirData.read(Path.of("..", "samples", "manpages"));
      } catch (IOException e) {
        throw new UncheckedIOException("samples/manpages is part of the repository", e);
      }
    }
    return manpages;
  }
}
