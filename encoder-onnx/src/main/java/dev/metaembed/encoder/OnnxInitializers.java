package dev.metaembed.encoder;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads named float initializers out of an ONNX file, which ONNX Runtime has no API for, with
 * protobuf-java's {@link CodedInputStream} over the memory-mapped file: {@code ModelProto.graph (7)
 * → GraphProto.initializer (5) → TensorProto} {@code dims (1)}, {@code data_type (2)}, {@code
 * float_data (4)}, {@code name (8)}, {@code raw_data (9)}, {@code data_location (14)}; every other
 * field is skipped. Tensors are returned as read-only views of the mapped file (no copy), which is
 * why this reads the wire format instead of parsing generated ONNX classes (those would copy the
 * whole model, 90 MB for the default one, onto the heap, and need protoc in the build).
 */
final class OnnxInitializers {
  private static final int MODEL_GRAPH = 7;
  private static final int GRAPH_INITIALIZER = 5;
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
      CodedInputStream in = CodedInputStream.newInstance(model.duplicate());
      in.setSizeLimit(Integer.MAX_VALUE);
      forEachMessage(
          in,
          MODEL_GRAPH,
          () ->
              forEachMessage(
                  in,
                  GRAPH_INITIALIZER,
                  () -> {
                    FloatTensor tensor = new TensorReader(file, model, in).read(names);
                    if (tensor != null) {
                      found.put(tensor.name(), tensor);
                    }
                  }));
    } catch (InvalidProtocolBufferException | IndexOutOfBoundsException e) {
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

  private interface MessageBody {
    void read() throws IOException;
  }

  /** Runs {@code body} inside each length-delimited field {@code number} up to the current limit. */
  private static void forEachMessage(CodedInputStream in, int number, MessageBody body)
      throws IOException {
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (WireFormat.getTagFieldNumber(tag) == number
          && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        int limit = in.pushLimit(in.readRawVarint32());
        body.read();
        in.popLimit(limit);
      } else {
        in.skipField(tag);
      }
    }
  }

  /** One {@code TensorProto}, read up to the stream's current limit. */
  private static final class TensorReader {
    private final Path file;
    private final ByteBuffer model;
    private final CodedInputStream in;
    private String name;
    private long[] dims = new long[0];
    private int dataType;
    private int location;
    private ByteBuffer data;
    private int unpackedFloats;

    TensorReader(Path file, ByteBuffer model, CodedInputStream in) {
      this.file = file;
      this.model = model;
      this.in = in;
    }

    /** The tensor if its name is wanted, else null (its bytes are skipped, never copied). */
    FloatTensor read(Set<String> names) throws IOException {
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        int wireType = WireFormat.getTagWireType(tag);
        switch (WireFormat.getTagFieldNumber(tag)) {
          case 1 -> readDims(wireType);
          case 2 -> dataType = in.readInt32();
          case 4 -> {
            if (wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
              data = slice();
            } else {
              unpackedFloats++;
              in.skipField(tag);
            }
          }
          case 8 -> name = in.readStringRequireUtf8();
          case 9 -> data = slice();
          case 14 -> location = in.readEnum();
          default -> in.skipField(tag);
        }
      }
      return name == null || names.contains(name) == false ? null : tensor();
    }

    private void readDims(int wireType) throws IOException {
      if (wireType != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        dims = append(dims, in.readInt64());
        return;
      }
      int limit = in.pushLimit(in.readRawVarint32());
      while (in.getBytesUntilLimit() > 0) {
        dims = append(dims, in.readInt64());
      }
      in.popLimit(limit);
    }

    /** The bytes of a length-delimited field, as a view of the mapped file. */
    private ByteBuffer slice() throws IOException {
      int length = in.readRawVarint32();
      ByteBuffer bytes = model.slice(in.getTotalBytesRead(), length);
      in.skipRawBytes(length);
      return bytes;
    }

    private FloatTensor tensor() {
      String problem =
          dataType != FLOAT
              ? "is not float32 (ONNX data type " + dataType + ")"
              : location == EXTERNAL
                  ? "is stored outside the .onnx file (external data is not supported)"
                  : unpackedFloats > 0 ? "stores its values unpacked (not supported)" : null;
      if (problem != null) {
        throw new IllegalArgumentException(file + ": initializer \"" + name + "\" " + problem);
      }
      ByteBuffer bytes = data != null ? data : ByteBuffer.allocate(0);
      FloatTensor tensor =
          new FloatTensor(name, dims, bytes.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer());
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

    private static long[] append(long[] values, long value) {
      long[] grown = Arrays.copyOf(values, values.length + 1);
      grown[values.length] = value;
      return grown;
    }
  }
}
