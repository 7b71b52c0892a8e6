package dev.metaembed.cli;

import picocli.CommandLine.Option;

/** Options every command has. */
final class CommonOptions {
  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help and exit.")
  boolean help;

  @Option(
      names = {"-q", "--quiet"},
      description = "No progress bars.")
  boolean quiet;
}
