package dev.metaembed.encoder;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The generated test model (tools/make_tiny_model.py), whose output at every position says which
 * token, position and image produced it.
 */
final class TinyModel {
  static final int DIM = 16;

  private TinyModel() {}

  static Path directory() {
    try {
      return Path.of(TinyModel.class.getResource("/tiny-model/metaembed.json").toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The state the model computes for token {@code id} at {@code position} with channel means. */
  static float[] expectedState(int id, int position, float[] channelMeans) {
    float[] v = new float[DIM];
    v[id % 10] = 1f;
    v[10] = id / 100f;
    v[11] = position * 0.1f;
    for (int c = 0; c < 3; c++) {
      v[12 + c] = channelMeans[c];
    }
    v[15] = 1f;
    return v;
  }

  /** A copy of the model folder in {@code dir} whose metaembed.json {@code edit} changed. */
  static Path variant(Path dir, Consumer<JsonObject> edit) throws IOException {
    Path source = directory();
    for (String file :
        new String[] {"model.onnx", "text-model.onnx", "adapted-model.onnx", "tokenizer.json"}) {
      Files.copy(source.resolve(file), dir.resolve(file));
    }
    JsonObject json =
        JsonParser.parseString(Files.readString(source.resolve("metaembed.json")))
            .getAsJsonObject();
    edit.accept(json);
    Files.writeString(dir.resolve("metaembed.json"), json.toString(), StandardCharsets.UTF_8);
    return dir;
  }
}
