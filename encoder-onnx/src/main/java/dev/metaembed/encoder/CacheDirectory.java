package dev.metaembed.encoder;

import java.nio.file.Path;

/**
 * The folder where the encoder unpacks what it needs once (the built-in models, native libraries):
 * the system property {@code metaembed.cache}, else the environment variable {@code
 * METAEMBED_CACHE}, else {@code $XDG_CACHE_HOME/metaembed}, else {@code ~/.cache/metaembed}.
 */
final class CacheDirectory {
  private CacheDirectory() {}

  static Path root() {
    String configured = System.getProperty("metaembed.cache", System.getenv("METAEMBED_CACHE"));
    if (configured != null && configured.isBlank() == false) {
      return Path.of(configured);
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    if (xdg != null && xdg.isBlank() == false) {
      return Path.of(xdg, "metaembed");
    }
    return Path.of(System.getProperty("user.home"), ".cache", "metaembed");
  }
}
