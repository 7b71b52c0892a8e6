package dev.metaembed.encoder;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/**
 * Turns an image into the model's {@code pixel_values}: resized (bilinear) to the configured size,
 * RGB scaled to [0, 1], then {@code (x - mean) / std} per channel, laid out NCHW or NHWC.
 */
final class ImagePreprocessor {
  private final EncoderConfig.ImageConfig config;

  ImagePreprocessor(EncoderConfig.ImageConfig config) {
    this.config = config;
  }

  /** Shape of one preprocessed image with a batch dimension of 1. */
  long[] shape() {
    return config.layout().equals("NCHW")
        ? new long[] {1, 3, config.height(), config.width()}
        : new long[] {1, config.height(), config.width(), 3};
  }

  float[] pixels(BufferedImage image) {
    BufferedImage rgb = resize(image, config.width(), config.height());
    int w = config.width();
    int h = config.height();
    float[] out = new float[3 * w * h];
    boolean nchw = config.layout().equals("NCHW");
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int argb = rgb.getRGB(x, y);
        int[] channels = {(argb >> 16) & 0xFF, (argb >> 8) & 0xFF, argb & 0xFF};
        for (int c = 0; c < 3; c++) {
          float value = (channels[c] / 255f - config.mean()[c]) / config.std()[c];
          int index = nchw ? (c * h + y) * w + x : (y * w + x) * 3 + c;
          out[index] = value;
        }
      }
    }
    return out;
  }

  private static BufferedImage resize(BufferedImage image, int width, int height) {
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(
          RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.drawImage(image, 0, 0, width, height, null);
    } finally {
      g.dispose();
    }
    return out;
  }
}
