package dev.metaembed.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The {@code metaembed} command. Exit codes: 0 success, 1 a user error (one line naming what was
 * wrong), 2 an internal error.
 */
@Command(
    name = "metaembed",
    description =
        "MetaEmbed multi-vector retrieval on Lucene: index, search with a budget, evaluate, inspect, encode.",
    subcommands = {
      IndexCommand.class,
      SearchCommand.class,
      EvalCommand.class,
      InspectCommand.class,
      EncodeCommand.class,
      DemoCommand.class
    },
    footer = {"", "Run 'metaembed COMMAND --help' for a command's options and examples."})
public final class MetaEmbedCommand implements Runnable {
  /** Lucene logs which vector implementation it chose at INFO: not a command's output. Held strongly. */
  private static final java.util.logging.Logger LUCENE_LOG =
      java.util.logging.Logger.getLogger("org.apache.lucene");

  @Mixin CommonOptions common;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    LUCENE_LOG.setLevel(java.util.logging.Level.WARNING);
    PrintWriter out =
        new PrintWriter(new OutputStreamWriter(System.out, System.out.charset()), true);
    PrintWriter err =
        new PrintWriter(new OutputStreamWriter(System.err, System.err.charset()), true);
    System.exit(run(args, out, err));
  }

  /** Runs the command line with these writers and returns the exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new MetaEmbedCommand());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          UserException user = userError(e);
          if (user != null) {
            commandLine.getErr().println("metaembed: " + user.getMessage());
            return 1;
          }
          commandLine.getErr().println("metaembed: internal error: " + e);
          e.printStackTrace(commandLine.getErr());
          return 2;
        });
    cli.setParameterExceptionHandler(
        (e, ignoredArgs) -> {
          Throwable cause = e.getCause();
          String message = cause instanceof UserException user ? user.getMessage() : e.getMessage();
          e.getCommandLine().getErr().println("metaembed: " + message);
          e.getCommandLine()
              .getErr()
              .println(
                  "Run 'metaembed " + e.getCommandLine().getCommandName() + " --help' for usage.");
          return 1;
        });
    return cli.execute(args);
  }

  private static UserException userError(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UserException user) {
        return user;
      }
    }
    return null;
  }
}
