package dev.metaembed.encoder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads named float initializers out of an ONNX file, which ONNX Runtime has no API for. Walks the
 * protobuf wire format of {@code ModelProto.graph (7) → GraphProto.initializer (5) → TensorProto}:
 * {@code dims (1)}, {@code data_type (2)}, {@code float_data (4)}, {@code name (8)}, {@code raw_data
 * (9)}, {@code data_location (14)}; everything else is skipped. Tensors are returned as read-only
 * views of the memory-mapped file (no copy).
 */
final class OnnxInitializers {
  private static final int FLOAT = 1;
  private static final int EXTERNAL = 1;

  private OnnxInitializers() {}

  /**
   * The initializers of {@code file} named in {@code names}.
   *
   * @throws IllegalArgumentException when one is missing, not float, stored outside the file, or
   *     when the file is not a valid ONNX model
   */
  static Map<String, FloatTensor> read(Path file, Set<String> names) throws IOException {
    ByteBuffer model;
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      model = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
    }
    Map<String, FloatTensor> found = new HashMap<>();
    try {
      for (Field graph : fields(model, 7)) {
        for (Field tensor : fields(graph.bytes(), 5)) {
          FloatTensor read = tensor(file, tensor.bytes(), names);
          if (read != null) {
            found.put(read.name(), read);
          }
        }
      }
    } catch (IndexOutOfBoundsException | IllegalStateException e) {
      throw new IllegalArgumentException(
          file + ": not a valid ONNX model (" + e.getMessage() + ")", e);
    }
    for (String name : names) {
      if (found.containsKey(name) == false) {
        throw new IllegalArgumentException(file + ": has no initializer named \"" + name + "\"");
      }
    }
    return found;
  }

  /** The tensor if its name is wanted, else null. */
  private static FloatTensor tensor(Path file, ByteBuffer bytes, Set<String> names) {
    String name = null;
    long[] dims = new long[0];
    long dataType = 0;
    long location = 0;
    ByteBuffer raw = null;
    ByteBuffer packedFloats = null;
    int unpackedFloats = 0;
    for (Field field : fields(bytes, -1)) {
      switch (field.number()) {
        case 1 ->
            dims = field.wireType() == 2 ? varints(field.bytes()) : append(dims, field.value());
        case 2 -> dataType = field.value();
        case 4 -> {
          if (field.wireType() == 2) {
            packedFloats = field.bytes();
          } else {
            unpackedFloats++;
          }
        }
        case 8 -> name = StandardCharsets.UTF_8.decode(field.bytes()).toString();
        case 9 -> raw = field.bytes();
        case 14 -> location = field.value();
        default -> {}
      }
    }
    if (name == null || names.contains(name) == false) {
      return null;
    }
    String problem =
        dataType != FLOAT
            ? "is not float32 (ONNX data type " + dataType + ")"
            : location == EXTERNAL
                ? "is stored outside the .onnx file (external data is not supported)"
                : unpackedFloats > 0 ? "stores its values unpacked (not supported)" : null;
    if (problem != null) {
      throw new IllegalArgumentException(file + ": initializer \"" + name + "\" " + problem);
    }
    ByteBuffer data =
        raw != null ? raw : packedFloats != null ? packedFloats : ByteBuffer.allocate(0);
    FloatTensor tensor =
        new FloatTensor(name, dims, data.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer());
    if (tensor.values().remaining() != tensor.size()) {
      throw new IllegalArgumentException(
          file
              + ": initializer \""
              + name
              + "\" of shape "
              + Arrays.toString(dims)
              + " holds "
              + tensor.values().remaining()
              + " values");
    }
    return tensor;
  }

  /** One protobuf field: its number and wire type, and its value (varint, fixed) or bytes. */
  private record Field(int number, int wireType, long value, ByteBuffer bytes) {}

  /** The fields of a message numbered {@code number} (all fields when -1), in order. */
  private static List<Field> fields(ByteBuffer message, int number) {
    ByteBuffer in = message.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    List<Field> fields = new ArrayList<>();
    while (in.hasRemaining()) {
      long key = varint(in);
      int fieldNumber = (int) (key >>> 3);
      int wireType = (int) (key & 7);
      Field field =
          switch (wireType) {
            case 0 -> new Field(fieldNumber, wireType, varint(in), null);
            case 1 -> new Field(fieldNumber, wireType, in.getLong(), null);
            case 2 -> {
              int length = Math.toIntExact(varint(in));
              ByteBuffer bytes = in.slice(in.position(), length);
              in.position(in.position() + length);
              yield new Field(fieldNumber, wireType, 0, bytes);
            }
            case 5 -> new Field(fieldNumber, wireType, in.getInt(), null);
            default ->
                throw new IllegalStateException(
                    "wire type " + wireType + " at byte " + in.position());
          };
      if (number == -1 || fieldNumber == number) {
        fields.add(field);
      }
    }
    return fields;
  }

  private static long varint(ByteBuffer in) {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      byte b = in.get();
      value |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return value;
      }
    }
    throw new IllegalStateException("varint longer than 10 bytes at byte " + in.position());
  }

  private static long[] varints(ByteBuffer packed) {
    ByteBuffer in = packed.duplicate();
    long[] values = new long[0];
    while (in.hasRemaining()) {
      values = append(values, varint(in));
    }
    return values;
  }

  private static long[] append(long[] values, long value) {
    long[] grown = Arrays.copyOf(values, values.length + 1);
    grown[values.length] = value;
    return grown;
  }
}
