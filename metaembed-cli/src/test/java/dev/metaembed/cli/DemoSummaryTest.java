package dev.metaembed.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The demo's closing summary, on hand-made eval rows. */
class DemoSummaryTest {
  private static EvalCommand.Row row(int q, int d, double ndcg, double meanMs) {
    return new EvalCommand.Row(
        "metaembed", new Budget(q, d), ndcg, 0.9, 0.8, meanMs, 2 * meanMs, 30, 1024);
  }

  @Test
  void rising() {
    assertEquals(
        "On these 30 held-out queries, nDCG@10 goes from 0.9012 at (1,1) to 0.9150 at (16,64) (+0.0138);"
            + " the best budget is (16,64) (0.9150).\n"
            + "Mean latency goes from 0.90 ms at (1,1) to 12.30 ms at (16,64) (13.7x).",
        DemoCommand.summary(
            List.of(row(1, 1, 0.90121, 0.9), row(4, 8, 0.9100, 3.0), row(16, 64, 0.91498, 12.3)),
            true));
  }

  @Test
  void falling() {
    assertEquals(
        "On these 30 queries, nDCG@10 falls from 0.9170 at (1,1) to 0.9050 at (16,64) (-0.0120);"
            + " the best budget is (1,1) (0.9170).\n"
            + "Mean latency goes from 1.00 ms at (1,1) to 5.00 ms at (16,64) (5.0x).",
        DemoCommand.summary(
            List.of(row(1, 1, 0.917, 1.0), row(2, 4, 0.910, 2.0), row(16, 64, 0.905, 5.0)), false));
  }

  @Test
  void equalWithinHalfAThousandth() {
    assertEquals(
        "On these 30 held-out queries, nDCG@10 stays at 0.9012 from (1,1) to (16,64) (+0.0004);"
            + " the best budget is (16,64) (0.9016).\n"
            + "Mean latency goes from 1.00 ms at (1,1) to 4.00 ms at (16,64) (4.0x).",
        DemoCommand.summary(List.of(row(1, 1, 0.9012, 1.0), row(16, 64, 0.9016, 4.0)), true));
    assertEquals(
        "On these 30 held-out queries, nDCG@10 stays at 0.8000 from (1,1) to (16,64) (+0.0000);"
            + " the best budget is (2,4) (0.8100).\n"
            + "Mean latency goes from 1.00 ms at (1,1) to 4.00 ms at (16,64) (4.0x).",
        DemoCommand.summary(
            List.of(row(1, 1, 0.8, 1.0), row(2, 4, 0.81, 2.0), row(16, 64, 0.8, 4.0)), true));
    assertEquals(
        "On these 30 held-out queries, nDCG@10 stays at 0.5000 from (1,1) to (16,64) (+0.0000);"
            + " every budget scores 0.5000.\n"
            + "Mean latency goes from 3.42 ms at (1,1) to 3.26 ms at (16,64) (1.0x).",
        DemoCommand.summary(
            List.of(row(1, 1, 0.5, 3.42), row(4, 8, 0.50004, 3.3), row(16, 64, 0.49996, 3.26)),
            true));
    // 0.0005 apart is a change, however small
    assertEquals(
        "On these 30 held-out queries, nDCG@10 falls from 0.9010 at (1,1) to 0.9005 at (16,64) (-0.0005);"
            + " the best budget is (1,1) (0.9010).\n"
            + "Mean latency goes from 1.00 ms at (1,1) to 4.00 ms at (16,64) (4.0x).",
        DemoCommand.summary(List.of(row(1, 1, 0.9010, 1.0), row(16, 64, 0.9005, 4.0)), true));
  }

  @Test
  void bestBudgetInTheMiddle() {
    assertEquals(
        "On these 30 held-out queries, nDCG@10 goes from 0.9010 at (1,1) to 0.9150 at (16,64) (+0.0140);"
            + " the best budget is (4,8) (0.9170).\n"
            + "Mean latency goes from 0.90 ms at (1,1) to 12.30 ms at (16,64) (13.7x).",
        DemoCommand.summary(
            List.of(
                row(1, 1, 0.901, 0.9),
                row(2, 4, 0.912, 1.5),
                row(4, 8, 0.917, 3.0),
                row(8, 16, 0.916, 6.0),
                row(16, 64, 0.915, 12.3)),
            true));
    assertEquals(
        "On these 30 held-out queries, nDCG@10 goes from 0.9010 at (1,1) to 0.9150 at (16,64) (+0.0140);"
            + " the best budgets are (2,4) and (8,16) (0.9170 each).\n"
            + "Mean latency goes from 0.90 ms at (1,1) to 12.30 ms at (16,64) (13.7x).",
        DemoCommand.summary(
            List.of(
                row(1, 1, 0.901, 0.9),
                row(2, 4, 0.91702, 1.5),
                row(4, 8, 0.9160, 3.0),
                row(8, 16, 0.91698, 6.0),
                row(16, 64, 0.915, 12.3)),
            true));
  }

  @Test
  void singleRow() {
    assertEquals(
        "On these 30 queries, nDCG@10 at (4,8) is 0.9170. Mean latency is 3.00 ms.",
        DemoCommand.summary(List.of(row(4, 8, 0.917, 3.0)), false));
  }

  @Test
  void onlyMetaEmbedRowsCountAndNoRowsIsSaid() {
    EvalCommand.Row lucene =
        new EvalCommand.Row("lucene", new Budget(16, 64), 0.99, 0.9, 0.9, 50, 60, 30, 4096);
    assertEquals(
        "On these 30 queries, nDCG@10 at (1,1) is 0.9000. Mean latency is 1.00 ms.",
        DemoCommand.summary(List.of(row(1, 1, 0.9, 1.0), lucene), false));
    assertEquals("No budget was evaluated.", DemoCommand.summary(List.of(), false));
  }
}
