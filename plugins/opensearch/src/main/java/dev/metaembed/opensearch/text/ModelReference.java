package dev.metaembed.opensearch.text;

import dev.metaembed.encoder.BuiltinModel;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * A model as a request names it: {@code builtin:<name>} for a model that ships with the plugin, or
 * the name of a folder under the node's {@code config/metaembed/models/} that holds a {@code
 * metaembed.json} (see encoder-onnx). A request never names a path: a name is one folder name of
 * letters, digits, {@code .}, {@code _} and {@code -}, not starting with a dot.
 *
 * @param name the name as given, which stats and errors show
 * @param builtin the built-in model, or null for a folder
 * @param folder the model folder under the models root, or null for a built-in model
 */
public record ModelReference(String name, BuiltinModel builtin, Path folder) {
  /** The model used when a request names none. */
  public static final String DEFAULT = "builtin:" + BuiltinModel.DEFAULT.id();

  /** Where model folders are looked for, relative to the node's config directory. */
  public static final String MODELS_FOLDER = "metaembed/models";

  private static final String BUILTIN = "builtin:";
  private static final Pattern FOLDER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  /**
   * Checks a name without resolving it (where a request is parsed).
   *
   * @throws IllegalArgumentException as {@link #parse}
   */
  public static void check(String name) {
    parse(name, Path.of(MODELS_FOLDER));
  }

  /**
   * The model {@code name} names; {@code null} is {@link #DEFAULT}.
   *
   * @param modelsRoot the node's {@code config/metaembed/models} folder
   * @throws IllegalArgumentException for an unknown built-in model or a name that is not a folder
   *     name
   */
  public static ModelReference parse(String name, Path modelsRoot) {
    String given = name == null ? DEFAULT : name;
    if (given.startsWith(BUILTIN)) {
      String id = given.substring(BUILTIN.length());
      if (id.equals(BuiltinModel.DEFAULT.id()) == false) {
        throw new IllegalArgumentException(
            "model ["
                + given
                + "]: the plugin ships one built-in model, ["
                + DEFAULT
                + "]; put other models in a folder under config/"
                + MODELS_FOLDER
                + " on every node and name the folder");
      }
      return new ModelReference(given, BuiltinModel.DEFAULT, null);
    }
    if (FOLDER_NAME.matcher(given).matches() == false) {
      throw new IllegalArgumentException(
          "model ["
              + given
              + "] is neither [builtin:NAME] nor the name of a folder under config/"
              + MODELS_FOLDER
              + " (letters, digits, '.', '_' and '-', not starting with '.'; a path is never"
              + " accepted)");
    }
    return new ModelReference(given, null, modelsRoot.resolve(given));
  }
}
