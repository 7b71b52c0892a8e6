package dev.metaembed.encoder;

/**
 * Run in a child JVM by {@link IsolatedClassLoaderTest}: loads the tiny model on a thread whose
 * context class loader cannot see any jar (as OpenSearch's threads cannot see a plugin's) and
 * encodes one text.
 */
public final class IsolatedLoaderProbe {
  private IsolatedLoaderProbe() {}

  public static void main(String[] args) throws Exception {
    Thread.currentThread().setContextClassLoader(ClassLoader.getPlatformClassLoader());
    try (MetaEmbedEncoder encoder = MetaEmbedEncoder.load(TinyModel.directory())) {
      float[][] vectors = encoder.encodeQuery("hello world");
      System.out.println("encoded " + vectors.length + " x " + vectors[0].length);
    }
    System.out.println(
        "context loader restored: "
            + (Thread.currentThread().getContextClassLoader()
                == ClassLoader.getPlatformClassLoader()));
  }
}
