package dev.metaembed.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.BasicStroke;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Draws p50 latency per budget against corpus size from e2e JSON reports ({@code ./metaembed bench
 * e2e --json}, one per corpus size): one line per budget for {@code LateInteractionQuery} on the
 * given storage, dashed lines for the prune cascade when the reports have it. Writes a PNG.
 *
 * <pre>
 * ./metaembed bench chart OUT.png STORAGE run-10000.json run-30000.json ...
 * </pre>
 */
public final class ScaleChart {
  private ScaleChart() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 3) {
      System.err.println("usage: ScaleChart OUT.png STORAGE REPORT.json...");
      System.exit(2);
    }
    System.setProperty("java.awt.headless", "true");
    List<Path> reports = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      reports.add(Path.of(args[i]));
    }
    JFreeChart chart = chart(series(args[1], reports), args[1]);
    ChartUtils.saveChartAsPNG(new File(args[0]), chart, 900, 560);
    System.out.println("wrote " + args[0]);
  }

  /** Series name → (documents → p50 ms), in budget order. */
  static Map<String, XYSeries> series(String storage, List<Path> reports) throws IOException {
    Map<String, XYSeries> lines = new TreeMap<>(ScaleChart::byBudget);
    for (Path report : reports) {
      JsonObject json = JsonParser.parseString(Files.readString(report)).getAsJsonObject();
      double docs = Double.parseDouble(json.getAsJsonObject("options").get("docs").getAsString());
      for (JsonElement element : json.getAsJsonArray("queries")) {
        JsonObject q = element.getAsJsonObject();
        String method = q.get("method").getAsString();
        if (q.get("storage").getAsString().equals(storage)
            && method.startsWith("LateInteractionQuery")) {
          String name =
              "("
                  + q.get("budget").getAsString().replace('x', ',')
                  + ")"
                  + (method.contains("prune")
                      ? " " + method.substring(method.indexOf("prune"))
                      : "");
          lines.computeIfAbsent(name, n -> new XYSeries(n)).add(docs, q.get("p50Ms").getAsDouble());
        }
      }
    }
    return lines;
  }

  /** "(2,4)" before "(16,64)", each budget's plain line before its prune line. */
  private static int byBudget(String a, String b) {
    String[] x = a.replaceAll("[()]", " ").trim().split("[ ,]+");
    String[] y = b.replaceAll("[()]", " ").trim().split("[ ,]+");
    int c =
        Integer.compare(
            Integer.parseInt(x[0]) * 1000 + Integer.parseInt(x[1]),
            Integer.parseInt(y[0]) * 1000 + Integer.parseInt(y[1]));
    return c != 0 ? c : a.compareTo(b);
  }

  private static JFreeChart chart(Map<String, XYSeries> lines, String storage) {
    XYSeriesCollection data = new XYSeriesCollection();
    lines.values().forEach(data::addSeries);
    JFreeChart chart =
        LogLineChart.create(
            "LateInteractionQuery p50 latency by corpus size (" + storage + ", one thread)",
            "documents",
            "p50 ms",
            data,
            "#,###",
            1000);
    XYPlot plot = chart.getXYPlot();
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    int i = 0;
    for (String name : lines.keySet()) {
      if (name.contains("prune")) {
        renderer.setSeriesStroke(
            i,
            new BasicStroke(
                2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
      } else {
        renderer.setSeriesStroke(i, new BasicStroke(2f));
      }
      i++;
    }
    plot.setRenderer(renderer);
    return chart;
  }
}
