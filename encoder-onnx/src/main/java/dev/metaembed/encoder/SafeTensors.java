package dev.metaembed.encoder;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads float32 tensors from a <a href="https://huggingface.co/docs/safetensors">safetensors</a>
 * file: an unsigned 64-bit little-endian header length, a JSON header mapping each tensor name to
 * {@code dtype}, {@code shape} and {@code data_offsets} (relative to the end of the header), then
 * the data. The optional {@code __metadata__} entry is ignored.
 */
final class SafeTensors {
  private SafeTensors() {}

  /**
   * Every tensor of {@code file}, by name, in header order.
   *
   * @throws IllegalArgumentException naming the file and the tensor when the file is not a valid
   *     safetensors file or holds a tensor that is not F32
   */
  static Map<String, FloatTensor> read(Path file) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.remaining() < 8) {
      throw invalid(file, "shorter than its 8-byte header length");
    }
    long headerLength = bytes.getLong();
    if (headerLength < 2 || headerLength > bytes.remaining()) {
      throw invalid(
          file,
          "header length "
              + headerLength
              + " does not fit the file's "
              + bytes.capacity()
              + " bytes");
    }
    JsonObject header;
    try {
      JsonElement json =
          JsonParser.parseString(
              new String(bytes.array(), 8, (int) headerLength, StandardCharsets.UTF_8));
      if (json.isJsonObject() == false) {
        throw invalid(file, "the header is not a JSON object");
      }
      header = json.getAsJsonObject();
    } catch (JsonParseException e) {
      throw invalid(file, "the header is not valid JSON: " + e.getMessage());
    }
    ByteBuffer data =
        bytes
            .slice(8 + (int) headerLength, bytes.capacity() - 8 - (int) headerLength)
            .order(ByteOrder.LITTLE_ENDIAN);
    Map<String, FloatTensor> tensors = new LinkedHashMap<>();
    for (String name : header.keySet()) {
      if (name.equals("__metadata__") == false) {
        tensors.put(name, tensor(file, name, header.get(name), data));
      }
    }
    return tensors;
  }

  private static FloatTensor tensor(Path file, String name, JsonElement entry, ByteBuffer data) {
    try {
      JsonObject info = entry.getAsJsonObject();
      String dtype = info.get("dtype").getAsString();
      if (dtype.equals("F32") == false) {
        throw invalid(file, "tensor \"" + name + "\" is " + dtype + "; only F32 is supported");
      }
      long[] shape = new long[info.getAsJsonArray("shape").size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = info.getAsJsonArray("shape").get(i).getAsLong();
        if (shape[i] < 0) {
          throw invalid(file, "tensor \"" + name + "\" has a negative dimension");
        }
      }
      long begin = info.getAsJsonArray("data_offsets").get(0).getAsLong();
      long end = info.getAsJsonArray("data_offsets").get(1).getAsLong();
      FloatTensor tensor = new FloatTensor(name, shape, null);
      if (begin < 0 || end > data.capacity() || end - begin != 4 * tensor.size()) {
        throw invalid(
            file,
            "tensor \""
                + name
                + "\" has data_offsets ["
                + begin
                + ", "
                + end
                + "] but shape "
                + Arrays.toString(shape)
                + " needs "
                + 4 * tensor.size()
                + " of the "
                + data.capacity()
                + " data bytes");
      }
      ByteBuffer values =
          data.slice((int) begin, (int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
      return new FloatTensor(name, shape, values.asFloatBuffer());
    } catch (IllegalStateException
        | NullPointerException
        | ClassCastException
        | UnsupportedOperationException
        | NumberFormatException
        | IndexOutOfBoundsException
        | ArithmeticException e) {
      throw invalid(
          file, "tensor \"" + name + "\" needs dtype, shape and data_offsets (" + e + ")");
    }
  }

  private static IllegalArgumentException invalid(Path file, String problem) {
    return new IllegalArgumentException(file + ": not a valid safetensors file: " + problem);
  }
}
