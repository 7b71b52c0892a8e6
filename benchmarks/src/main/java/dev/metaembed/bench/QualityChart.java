package dev.metaembed.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.BasicStroke;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.labels.StandardXYItemLabelGenerator;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYDataItem;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Draws quality against cost from {@code metaembed eval --json} outputs: nDCG@10 against mean
 * search latency, one line per output file, one point per budget, labelled {@code (r_q,r_c)}.
 * Writes a PNG.
 *
 * <pre>
 * ./metaembed bench quality-chart OUT.png "TITLE" LABEL=EVAL.jsonl [LABEL=EVAL.jsonl ...]
 * </pre>
 *
 * <p>Lines of an eval output without {@code budget_q} (the {@code --baseline} line) are skipped.
 */
public final class QualityChart {
  private QualityChart() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 3) {
      System.err.println("usage: QualityChart OUT.png TITLE LABEL=EVAL.jsonl...");
      System.exit(2);
    }
    System.setProperty("java.awt.headless", "true");
    Map<String, Path> outputs = new LinkedHashMap<>();
    for (int i = 2; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      if (eq < 1) {
        System.err.println("expected LABEL=EVAL.jsonl, got " + args[i]);
        System.exit(2);
      }
      outputs.put(args[i].substring(0, eq), Path.of(args[i].substring(eq + 1)));
    }
    XYSeriesCollection data = new XYSeriesCollection();
    for (Map.Entry<String, Path> output : outputs.entrySet()) {
      data.addSeries(series(output.getKey(), output.getValue()));
    }
    ChartUtils.saveChartAsPNG(new File(args[0]), chart(data, args[1]), 900, 560);
    System.out.println("wrote " + args[0]);
  }

  /** One point per budget line of an eval output: x mean latency ms, y nDCG@10. */
  static XYSeries series(String label, Path evalJson) throws IOException {
    XYSeries series = new XYSeries(label, false, true);
    for (String line : Files.readAllLines(evalJson)) {
      if (line.isBlank() || line.contains("\"budget_q\"") == false) {
        continue;
      }
      JsonObject row = JsonParser.parseString(line).getAsJsonObject();
      series.add(
          new BudgetPoint(
              row.get("latency_ms_mean").getAsDouble(),
              row.get("ndcg_at_10").getAsDouble(),
              "(" + row.get("budget_q").getAsInt() + "," + row.get("budget_d").getAsInt() + ")"));
    }
    if (series.isEmpty()) {
      throw new IOException(evalJson + ": no budget lines (expected metaembed eval --json output)");
    }
    return series;
  }

  /** A point that carries its budget's name, for the item label. */
  static final class BudgetPoint extends XYDataItem {
    final String budget;

    BudgetPoint(double x, double y, String budget) {
      super(x, y);
      this.budget = budget;
    }
  }

  private static JFreeChart chart(XYSeriesCollection data, String title) {
    JFreeChart chart =
        LogLineChart.create(title, "mean search latency, ms", "nDCG@10", data, "0.##", 0.01);
    XYPlot plot = chart.getXYPlot();
    ((LogAxis) plot.getDomainAxis())
        .setTickUnit(new NumberTickUnit(Math.log10(2))); // powers of 2 ms
    ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < data.getSeriesCount(); i++) {
      renderer.setSeriesStroke(i, new BasicStroke(2f));
    }
    renderer.setDefaultItemLabelGenerator(
        new StandardXYItemLabelGenerator() {
          @Override
          public String generateLabel(org.jfree.data.xy.XYDataset dataset, int series, int item) {
            XYDataItem point = ((XYSeriesCollection) dataset).getSeries(series).getDataItem(item);
            return point instanceof BudgetPoint budgetPoint ? budgetPoint.budget : "";
          }
        });
    renderer.setDefaultItemLabelsVisible(true);
    plot.setRenderer(renderer);
    return chart;
  }
}
