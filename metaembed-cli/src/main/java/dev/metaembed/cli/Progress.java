package dev.metaembed.cli;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Progress bars on standard error, with rate and ETA, when it is a terminal; none with {@code --quiet}. */
final class Progress {
  private Progress() {}

  static ProgressBar start(String task, long total, String unit, boolean quiet) {
    ProgressBarBuilder builder =
        new ProgressBarBuilder()
            .setTaskName(task)
            .setInitialMax(total)
            .setUnit(" " + unit, 1)
            .showSpeed()
            .setStyle(ProgressBarStyle.ASCII)
            .setUpdateIntervalMillis(500);
    if (quiet
        || System.console() == null) { // no terminal to redraw a bar on: commands print summaries
      builder.setConsumer(new DelegatingProgressBarConsumer(line -> {}));
    } else {
      builder.setConsumer(new ConsoleProgressBarConsumer(System.err));
    }
    return builder.build();
  }
}
