package dev.metaembed.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/** Pixel layout and normalization, checked value by value. */
class ImagePreprocessorTest {
  private static final float[] MEAN = {0.5f, 0.25f, 0f};
  private static final float[] STD = {0.5f, 0.25f, 1f};

  private static BufferedImage twoPixels() {
    BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
    image.setRGB(0, 0, 0xFF0080); // R 255, G 0, B 128
    image.setRGB(1, 0, 0x00FF00); // R 0, G 255, B 0
    return image;
  }

  private static float n(int value, int channel) {
    return (value / 255f - MEAN[channel]) / STD[channel];
  }

  @Test
  void nchwPutsChannelsFirst() {
    var pre = new ImagePreprocessor(new EncoderConfig.ImageConfig(2, 1, MEAN, STD, "NCHW"));
    assertArrayEquals(new long[] {1, 3, 1, 2}, pre.shape());
    float[] expected = {n(255, 0), n(0, 0), n(0, 1), n(255, 1), n(128, 2), n(0, 2)};
    assertArrayEquals(expected, pre.pixels(twoPixels()), 1e-6f);
  }

  @Test
  void nhwcPutsChannelsLast() {
    var pre = new ImagePreprocessor(new EncoderConfig.ImageConfig(2, 1, MEAN, STD, "NHWC"));
    assertArrayEquals(new long[] {1, 1, 2, 3}, pre.shape());
    float[] expected = {n(255, 0), n(0, 1), n(128, 2), n(0, 0), n(255, 1), n(0, 2)};
    assertArrayEquals(expected, pre.pixels(twoPixels()), 1e-6f);
  }
}
