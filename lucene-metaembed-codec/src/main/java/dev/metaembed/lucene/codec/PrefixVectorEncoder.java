package dev.metaembed.lucene.codec;

import java.io.IOException;
import org.apache.lucene.store.DataOutput;

/** Encodes a document's vectors in its field's storage and writes them, reusing one buffer. */
final class PrefixVectorEncoder {
  private final MetaEmbedFieldShape shape;
  private final byte[] buffer;

  /** An encoder for vectors of {@code shape}, able to write up to maxVectors at once. */
  PrefixVectorEncoder(MetaEmbedFieldShape shape) {
    this.shape = shape;
    this.buffer = new byte[Math.toIntExact(shape.bytesPerVector() * shape.maxVectors())];
  }

  /** Writes the first {@code count} vectors of a flattened document in the field's storage. */
  void writeVectors(DataOutput out, float[] flat, int count) throws IOException {
    shape.storage().encode(flat, count, shape.dimension(), buffer, 0);
    out.writeBytes(buffer, 0, Math.toIntExact(count * shape.bytesPerVector()));
  }

  /** Bytes of the buffer. */
  long bufferBytes() {
    return buffer.length;
  }
}
