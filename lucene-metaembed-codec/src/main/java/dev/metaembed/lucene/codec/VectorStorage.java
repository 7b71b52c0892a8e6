package dev.metaembed.lucene.codec;

import java.util.Locale;

/**
 * How the prefix store encodes the components of a field's vectors. The encoding is chosen per
 * field and recorded in the field's {@code FieldInfo} attributes and in the segment metadata.
 *
 * <p>This version of the format writes {@link #FLOAT32} only; compact encodings are added behind
 * the same layout without changing the meaning of existing codes.
 */
public enum VectorStorage {
  /** Four bytes per component, IEEE 754 little-endian, exactly the values indexed. */
  FLOAT32(0, Float.BYTES);

  private final byte code;
  private final int bytesPerComponent;

  VectorStorage(int code, int bytesPerComponent) {
    this.code = (byte) code;
    this.bytesPerComponent = bytesPerComponent;
  }

  /** The byte written in the segment metadata for this encoding. */
  public byte code() {
    return code;
  }

  /** Bytes one vector component takes on disk. */
  public int bytesPerComponent() {
    return bytesPerComponent;
  }

  /** The encoding's name as it appears in field attributes and configuration ("float32"). */
  public String attributeValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The encoding stored under {@code code}, or null when no encoding has that code. */
  static VectorStorage fromCode(int code) {
    for (VectorStorage storage : values()) {
      if (storage.code == code) {
        return storage;
      }
    }
    return null;
  }

  /** The encoding named {@code value} (as {@link #attributeValue()}), or null when unknown. */
  static VectorStorage fromAttribute(String value) {
    for (VectorStorage storage : values()) {
      if (storage.attributeValue().equals(value)) {
        return storage;
      }
    }
    return null;
  }
}
