package dev.metaembed.encoder;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes float32 safetensors files for tests, the way training/export.py does. */
final class SafeTensorsWriter {
  private final Map<String, long[]> shapes = new LinkedHashMap<>();
  private final Map<String, float[]> values = new LinkedHashMap<>();

  SafeTensorsWriter put(String name, long[] shape, float[] data) {
    shapes.put(name, shape);
    values.put(name, data);
    return this;
  }

  /** The header JSON this writer would write (tests corrupt it). */
  JsonObject header() {
    JsonObject header = new JsonObject();
    long offset = 0;
    for (String name : shapes.keySet()) {
      JsonObject info = new JsonObject();
      info.addProperty("dtype", "F32");
      JsonArray shape = new JsonArray();
      for (long d : shapes.get(name)) {
        shape.add(d);
      }
      info.add("shape", shape);
      JsonArray offsets = new JsonArray();
      offsets.add(offset);
      offset += 4L * values.get(name).length;
      offsets.add(offset);
      info.add("data_offsets", offsets);
      header.add(name, info);
    }
    return header;
  }

  Path write(Path file) throws IOException {
    return write(file, header());
  }

  Path write(Path file, JsonObject header) throws IOException {
    byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
    int data = values.values().stream().mapToInt(v -> 4 * v.length).sum();
    ByteBuffer out = ByteBuffer.allocate(8 + json.length + data).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(json.length).put(json);
    values
        .values()
        .forEach(
            v -> {
              for (float x : v) {
                out.putFloat(x);
              }
            });
    Files.write(file, out.array());
    return file;
  }
}
