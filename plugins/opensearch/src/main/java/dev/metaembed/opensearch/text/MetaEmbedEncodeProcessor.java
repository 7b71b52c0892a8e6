package dev.metaembed.opensearch.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.opensearch.ingest.AbstractProcessor;
import org.opensearch.ingest.ConfigurationUtils;
import org.opensearch.ingest.IngestDocument;
import org.opensearch.ingest.IngestDocumentWrapper;
import org.opensearch.ingest.Processor;

/**
 * Ingest processor {@code metaembed_encode}: encodes a document's text with a MetaEmbed model
 * inside the node and writes the vectors (Matryoshka order) to {@code target_field}, the shape a
 * {@code metaembed_vector} field reads.
 *
 * <pre>
 * {"metaembed_encode": {"field": "text", "target_field": "page",
 *                       "title_field": "title", "model": "builtin:metaembed-minilm",
 *                       "ignore_missing": false}}
 * </pre>
 *
 * The encoded text is {@code "title. text"} when {@code title_field} is set and the document has a
 * non-blank title, else the text (the rule of {@code metaembed index} and {@code metaembed
 * encode}); the model truncates it to its {@code max_length} tokens. The documents of a {@code
 * _bulk} are encoded together, in batches ({@link TextEncoders#encodeDocuments}). A document whose
 * field is missing (unless {@code ignore_missing}), not a string, or blank fails alone with a 400;
 * when a batch fails (a full pool queue is a 429), its documents fail and none of them is indexed.
 */
public final class MetaEmbedEncodeProcessor extends AbstractProcessor {
  /** The processor's name in a pipeline. */
  public static final String TYPE = "metaembed_encode";

  private final TextEncoders encoders;
  private final String field;
  private final String titleField;
  private final String targetField;
  private final ModelReference model;
  private final boolean ignoreMissing;

  MetaEmbedEncodeProcessor(
      String tag,
      String description,
      TextEncoders encoders,
      String field,
      String titleField,
      String targetField,
      ModelReference model,
      boolean ignoreMissing) {
    super(tag, description);
    this.encoders = encoders;
    this.field = field;
    this.titleField = titleField;
    this.targetField = targetField;
    this.model = model;
    this.ignoreMissing = ignoreMissing;
  }

  @Override
  public String getType() {
    return TYPE;
  }

  /** Not used: encoding runs on the {@value TextEncoders#THREAD_POOL} pool, never on the caller's thread. */
  @Override
  public IngestDocument execute(IngestDocument document) {
    throw new UnsupportedOperationException(TYPE + " runs asynchronously");
  }

  @Override
  public void execute(IngestDocument document, BiConsumer<IngestDocument, Exception> handler) {
    String text;
    try {
      text = text(document);
    } catch (IllegalArgumentException e) {
      handler.accept(null, e);
      return;
    }
    if (text == null) {
      handler.accept(document, null);
      return;
    }
    encoders.encodeDocuments(
        model,
        List.of(text),
        results -> {
          TextEncoders.Encoded encoded = results.get(0);
          if (encoded.failure() != null) {
            handler.accept(null, encoded.failure());
          } else {
            document.setFieldValue(targetField, asLists(encoded.vectors()));
            handler.accept(document, null);
          }
        });
  }

  @Override
  public void batchExecute(
      List<IngestDocumentWrapper> documents, Consumer<List<IngestDocumentWrapper>> handler) {
    List<IngestDocumentWrapper> encoded = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    for (IngestDocumentWrapper wrapper : documents) {
      if (wrapper.getException() != null || wrapper.getIngestDocument() == null) {
        continue;
      }
      try {
        String text = text(wrapper.getIngestDocument());
        if (text != null) {
          encoded.add(wrapper);
          texts.add(text);
        }
      } catch (IllegalArgumentException e) {
        wrapper.update(wrapper.getIngestDocument(), e);
      }
    }
    if (texts.isEmpty()) {
      handler.accept(documents);
      return;
    }
    encoders.encodeDocuments(
        model,
        texts,
        results -> {
          for (int i = 0; i < encoded.size(); i++) {
            IngestDocumentWrapper wrapper = encoded.get(i);
            TextEncoders.Encoded result = results.get(i);
            if (result.failure() != null) {
              wrapper.update(wrapper.getIngestDocument(), result.failure());
            } else {
              wrapper.getIngestDocument().setFieldValue(targetField, asLists(result.vectors()));
            }
          }
          handler.accept(documents);
        });
  }

  /** The text to encode, or null when the field is missing and that is allowed. */
  private String text(IngestDocument document) {
    String text = stringField(document, field, ignoreMissing);
    if (text == null) {
      return null;
    }
    String title = titleField == null ? null : stringField(document, titleField, true);
    String encoded = title == null || title.isBlank() ? text : title + ". " + text;
    if (encoded.isBlank()) {
      throw new IllegalArgumentException(
          "[" + TYPE + "] field [" + field + "] is blank: nothing to encode");
    }
    return encoded;
  }

  private static String stringField(IngestDocument document, String name, boolean missingOk) {
    if (document.hasField(name) == false) {
      if (missingOk) {
        return null;
      }
      throw new IllegalArgumentException(
          "[" + TYPE + "] field [" + name + "] is missing from the document");
    }
    Object value = document.getFieldValue(name, Object.class);
    if (value instanceof String string) {
      return string;
    }
    throw new IllegalArgumentException(
        "["
            + TYPE
            + "] field ["
            + name
            + "] must be a string, got "
            + (value == null ? "null" : "[" + value.getClass().getSimpleName() + "]"));
  }

  /** The vectors as JSON arrays of numbers, the form {@code _source} keeps. */
  private static List<List<Float>> asLists(float[][] vectors) {
    List<List<Float>> lists = new ArrayList<>(vectors.length);
    for (float[] vector : vectors) {
      List<Float> list = new ArrayList<>(vector.length);
      for (float component : vector) {
        list.add(component);
      }
      lists.add(list);
    }
    return lists;
  }

  /** Makes the processor from its pipeline configuration; the model name is checked here. */
  public static final class Factory implements Processor.Factory {
    private final Supplier<TextEncoders> encoders;

    /** {@code encoders}: the node's, asked when a pipeline is made. */
    public Factory(Supplier<TextEncoders> encoders) {
      this.encoders = encoders;
    }

    @Override
    public MetaEmbedEncodeProcessor create(
        Map<String, Processor.Factory> registry,
        String tag,
        String description,
        Map<String, Object> config) {
      String field = ConfigurationUtils.readStringProperty(TYPE, tag, config, "field");
      String targetField = ConfigurationUtils.readStringProperty(TYPE, tag, config, "target_field");
      String titleField =
          ConfigurationUtils.readOptionalStringProperty(TYPE, tag, config, "title_field");
      String model = ConfigurationUtils.readOptionalStringProperty(TYPE, tag, config, "model");
      boolean ignoreMissing =
          ConfigurationUtils.readBooleanProperty(TYPE, tag, config, "ignore_missing", false);
      TextEncoders nodeEncoders = encoders.get();
      ModelReference reference;
      try {
        reference = nodeEncoders.model(model);
      } catch (IllegalArgumentException e) {
        throw ConfigurationUtils.newConfigurationException(TYPE, tag, "model", e.getMessage());
      }
      return new MetaEmbedEncodeProcessor(
          tag, description, nodeEncoders, field, titleField, targetField, reference, ignoreMissing);
    }
  }
}
