package dev.metaembed.encoder;

import java.nio.file.Path;

/** Where the tokenizer's native library is unpacked, and keeping DJL offline. */
final class NativeLibraries {
  private NativeLibraries() {}

  /**
   * Points DJL's cache at {@link CacheDirectory} unless the user chose one ({@code DJL_CACHE_DIR}
   * as a system property or environment variable), and keeps DJL from going online: the native
   * library it needs is inside its jar.
   */
  static synchronized void configureDjl() {
    if (System.getProperty("DJL_CACHE_DIR") == null && System.getenv("DJL_CACHE_DIR") == null) {
      Path dir = CacheDirectory.root().resolve("djl");
      System.setProperty("DJL_CACHE_DIR", dir.toString());
    }
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
  }
}
