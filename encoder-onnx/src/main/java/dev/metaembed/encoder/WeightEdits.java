package dev.metaembed.encoder;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import dev.metaembed.encoder.EncoderConfig.Edit;
import dev.metaembed.encoder.EncoderConfig.Weights;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Applies a model's trained {@link Weights}: reads the edited initializers from the ONNX file and
 * the tensors from the safetensors file, and builds the replacement initializers that {@link
 * OnnxModel} hands to ONNX Runtime ({@code SessionOptions.addInitializer}). The tensors are backed
 * by direct memory and must stay open as long as the session.
 */
final class WeightEdits {
  private WeightEdits() {}

  /**
   * The replacement initializers by name.
   *
   * @throws IllegalArgumentException naming the file, edit and tensor when names or shapes do not fit
   */
  static Map<String, OnnxTensor> build(
      OrtEnvironment env, Path modelDir, Path onnxFile, Weights weights) throws IOException {
    Path file = modelDir.resolve(weights.file());
    if (Files.isRegularFile(file) == false) {
      throw new NoSuchFileException(
          file.toString(),
          null,
          "weights file named by \"weights.file\" in " + EncoderConfig.FILE_NAME);
    }
    Map<String, FloatTensor> trained = SafeTensors.read(file);
    checkAllUsed(file, trained.keySet(), weights.edits());
    Set<String> names = weights.edits().stream().map(Edit::initializer).collect(Collectors.toSet());
    Map<String, FloatTensor> originals = OnnxInitializers.read(onnxFile, names);
    Map<String, OnnxTensor> replacements = new LinkedHashMap<>();
    try {
      for (Edit edit : weights.edits()) {
        FloatTensor original = originals.get(edit.initializer());
        FloatTensor edited =
            edit.appendRows() != null
                ? appendRows(file, original, tensor(file, trained, edit.appendRows()))
                : addProduct(
                    file,
                    original,
                    tensor(file, trained, edit.product().get(0)),
                    tensor(file, trained, edit.product().get(1)));
        replacements.put(
            edit.initializer(), OnnxTensor.createTensor(env, edited.values(), edited.shape()));
      }
    } catch (OrtException e) {
      close(replacements);
      throw new IOException(
          onnxFile + ": cannot create the edited initializers: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      close(replacements);
      throw e;
    }
    return replacements;
  }

  static void close(Map<String, OnnxTensor> tensors) {
    tensors.values().forEach(OnnxTensor::close);
  }

  /** [n, d] followed by [m, d] gives [n + m, d]. */
  private static FloatTensor appendRows(Path file, FloatTensor original, FloatTensor rows) {
    if (original.shape().length != 2
        || rows.shape().length != 2
        || original.shape()[1] != rows.shape()[1]) {
      throw mismatch(
          file,
          "rows " + rows.name() + " " + Arrays.toString(rows.shape()) + " cannot be appended to",
          original);
    }
    FloatBuffer values = direct(original.size() + rows.size());
    values.put(original.values().duplicate()).put(rows.values().duplicate()).flip();
    return new FloatTensor(
        original.name(),
        new long[] {original.shape()[0] + rows.shape()[0], original.shape()[1]},
        values);
  }

  /** W [in, out] + A [in, r] · B [r, out]. */
  private static FloatTensor addProduct(
      Path file, FloatTensor weight, FloatTensor a, FloatTensor b) {
    long[] w = weight.shape();
    if (w.length != 2
        || a.shape().length != 2
        || b.shape().length != 2
        || a.shape()[0] != w[0]
        || b.shape()[1] != w[1]
        || a.shape()[1] != b.shape()[0]) {
      throw mismatch(
          file,
          "the product of "
              + a.name()
              + " "
              + Arrays.toString(a.shape())
              + " and "
              + b.name()
              + " "
              + Arrays.toString(b.shape())
              + " cannot be added to",
          weight);
    }
    int rows = (int) w[0];
    int columns = (int) w[1];
    int rank = (int) a.shape()[1];
    float[] left = floats(a.values());
    float[] right = floats(b.values());
    float[] sum = floats(weight.values());
    for (int i = 0; i < rows; i++) {
      for (int k = 0; k < rank; k++) {
        float factor = left[i * rank + k];
        for (int j = 0; j < columns; j++) {
          sum[i * columns + j] += factor * right[k * columns + j];
        }
      }
    }
    FloatBuffer values = direct(sum.length).put(sum).flip();
    return new FloatTensor(weight.name(), w.clone(), values);
  }

  private static FloatTensor tensor(Path file, Map<String, FloatTensor> trained, String name) {
    FloatTensor tensor = trained.get(name);
    if (tensor == null) {
      throw new IllegalArgumentException(
          file + ": has no tensor \"" + name + "\" (named in \"weights.edits\")");
    }
    return tensor;
  }

  private static void checkAllUsed(Path file, Set<String> tensors, List<Edit> edits) {
    Set<String> unused = new HashSet<>(tensors);
    for (Edit edit : edits) {
      unused.remove(edit.appendRows());
      if (edit.product() != null) {
        unused.removeAll(edit.product());
      }
    }
    if (unused.isEmpty() == false) {
      throw new IllegalArgumentException(
          file
              + ": tensors "
              + unused.stream().sorted().toList()
              + " are used by no edit in \"weights.edits\" (a mismatched "
              + EncoderConfig.FILE_NAME
              + "?)");
    }
  }

  private static IllegalArgumentException mismatch(Path file, String what, FloatTensor original) {
    return new IllegalArgumentException(
        file
            + ": "
            + what
            + " initializer \""
            + original.name()
            + "\" "
            + Arrays.toString(original.shape()));
  }

  private static FloatBuffer direct(long size) {
    return ByteBuffer.allocateDirect(Math.toIntExact(4 * size))
        .order(ByteOrder.nativeOrder())
        .asFloatBuffer();
  }

  private static float[] floats(FloatBuffer buffer) {
    float[] values = new float[buffer.remaining()];
    buffer.duplicate().get(values);
    return values;
  }
}
