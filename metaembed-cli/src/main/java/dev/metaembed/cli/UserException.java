package dev.metaembed.cli;

/** A problem with the user's input: reported as one line, exit code 1, no stack trace. */
final class UserException extends RuntimeException {
  UserException(String message) {
    super(message);
  }

  UserException(String message, Throwable cause) {
    super(message, cause);
  }
}
