package dev.metaembed.encoder;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * One ONNX Runtime session over a model with the encoder's tensor contract: token ids and attention
 * mask in (plus token type ids and pixel values where the model has them), last hidden state out.
 * Thread-safe: ONNX Runtime sessions allow concurrent runs.
 */
final class OnnxModel implements AutoCloseable {
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;
  private final EncoderConfig config;
  private final Path file;

  /** Initializers replaced by the config's trained weights; open as long as the session. */
  private final Map<String, OnnxTensor> editedInitializers;

  OnnxModel(Path modelDir, EncoderConfig config, int intraOpThreads) throws IOException {
    Path file = modelDir.resolve(config.model());
    if (Files.isRegularFile(file) == false) {
      throw new NoSuchFileException(
          file.toString(), null, "model file named by \"model\" in " + EncoderConfig.FILE_NAME);
    }
    this.file = file;
    this.config = config;
    this.editedInitializers =
        config.weights() == null
            ? Map.of()
            : WeightEdits.build(env, modelDir, file, config.weights());
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(intraOpThreads);
      options.setInterOpNumThreads(1);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      for (var edited : editedInitializers.entrySet()) {
        options.addInitializer(edited.getKey(), edited.getValue());
      }
      this.session = env.createSession(file.toString(), options);
    } catch (OrtException e) {
      WeightEdits.close(editedInitializers);
      throw new IOException(file + ": ONNX Runtime cannot load the model: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      WeightEdits.close(editedInitializers);
      throw e;
    }
    try {
      checkContract();
    } catch (RuntimeException | IOException e) {
      close();
      throw e;
    }
  }

  /** The names and shapes in metaembed.json must be the model's. */
  private void checkContract() throws IOException {
    for (var input : config.inputs().entrySet()) {
      if (session.getInputNames().contains(input.getValue()) == false) {
        throw new IllegalArgumentException(
            EncoderConfig.FILE_NAME
                + ": field \"inputs."
                + input.getKey()
                + "\" names \""
                + input.getValue()
                + "\", which "
                + file.getFileName()
                + " does not have; its inputs: "
                + session.getInputNames());
      }
    }
    for (String name : session.getInputNames()) {
      if (config.inputs().containsValue(name) == false) {
        throw new IllegalArgumentException(
            EncoderConfig.FILE_NAME
                + ": "
                + file.getFileName()
                + " needs input \""
                + name
                + "\", which field \"inputs\" does not map (keys: input_ids, attention_mask, token_type_ids, pixel_values)");
      }
    }
    if (session.getOutputNames().contains(config.output()) == false) {
      throw new IllegalArgumentException(
          EncoderConfig.FILE_NAME
              + ": field \"output\" names \""
              + config.output()
              + "\", which "
              + file.getFileName()
              + " does not have; its outputs: "
              + session.getOutputNames());
    }
    try {
      NodeInfo output = session.getOutputInfo().get(config.output());
      if (output.getInfo() instanceof TensorInfo tensor) {
        long[] shape = tensor.getShape();
        long last = shape.length == 3 ? shape[2] : -2;
        if (shape.length != 3 || (last > 0 && last != config.dimension())) {
          throw new IllegalArgumentException(
              EncoderConfig.FILE_NAME
                  + ": field \"dimension\" is "
                  + config.dimension()
                  + " but output \""
                  + config.output()
                  + "\" of "
                  + file.getFileName()
                  + " has shape "
                  + java.util.Arrays.toString(shape)
                  + " (expected [batch, sequence, "
                  + config.dimension()
                  + "])");
        }
      }
    } catch (OrtException e) {
      throw new IOException(file + ": cannot read the model's output shape", e);
    }
  }

  boolean hasImageInput() {
    return config.inputs().containsKey("pixel_values");
  }

  /**
   * Runs token sequences padded to the longest and returns the last hidden states. For a model with
   * an image input, {@code pixels} is one preprocessed image for a single sequence, or null (zeros
   * are sent); {@code pixelShape} is the shape of one image with batch 1.
   */
  HiddenStates run(long[][] sequences, float[] pixels, long[] pixelShape) throws IOException {
    int batch = sequences.length;
    int length = 0;
    for (long[] sequence : sequences) {
      length = Math.max(length, sequence.length);
    }
    LongBuffer ids = LongBuffer.allocate(batch * length);
    LongBuffer mask = LongBuffer.allocate(batch * length);
    for (long[] sequence : sequences) {
      for (int t = 0; t < length; t++) {
        ids.put(t < sequence.length ? sequence[t] : 0L);
        mask.put(t < sequence.length ? 1L : 0L);
      }
    }
    long[] shape = {batch, length};
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      inputs.put(config.inputs().get("input_ids"), OnnxTensor.createTensor(env, ids.flip(), shape));
      inputs.put(
          config.inputs().get("attention_mask"), OnnxTensor.createTensor(env, mask.flip(), shape));
      if (config.inputs().containsKey("token_type_ids")) {
        inputs.put(
            config.inputs().get("token_type_ids"),
            OnnxTensor.createTensor(env, LongBuffer.allocate(batch * length), shape));
      }
      if (hasImageInput()) { // a text without image gets zeros: the mean image after normalization
        long[] shapeOfBatch = pixelShape.clone();
        shapeOfBatch[0] = batch;
        float[] values =
            pixels != null
                ? pixels
                : new float
                    [Math.toIntExact(batch * (pixelShape[1] * pixelShape[2] * pixelShape[3]))];
        inputs.put(
            config.inputs().get("pixel_values"),
            OnnxTensor.createTensor(env, FloatBuffer.wrap(values), shapeOfBatch));
      }
      try (OrtSession.Result result = session.run(inputs)) {
        OnnxTensor output = (OnnxTensor) result.get(config.output()).orElseThrow();
        long[] outShape = output.getInfo().getShape();
        if (outShape.length != 3
            || outShape[0] != batch
            || outShape[1] != length
            || outShape[2] != config.dimension()) {
          throw new IllegalStateException(
              file.getFileName()
                  + ": output \""
                  + config.output()
                  + "\" has shape "
                  + java.util.Arrays.toString(outShape)
                  + ", expected ["
                  + batch
                  + ", "
                  + length
                  + ", "
                  + config.dimension()
                  + "] (field \"dimension\")");
        }
        FloatBuffer buffer = output.getFloatBuffer();
        float[] states = new float[buffer.remaining()];
        buffer.get(states);
        return new HiddenStates(states, length, config.dimension());
      }
    } catch (OrtException e) {
      throw new IOException(file.getFileName() + ": inference failed: " + e.getMessage(), e);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("closing " + file, e);
    } finally {
      WeightEdits.close(editedInitializers);
    }
  }

  /** Hidden states of a batch, flat: item b, position t, component c at {@code ((b * length) + t) * dim + c}. */
  record HiddenStates(float[] values, int length, int dimension) {
    int offset(int item, int position) {
      return (item * length + position) * dimension;
    }
  }
}
