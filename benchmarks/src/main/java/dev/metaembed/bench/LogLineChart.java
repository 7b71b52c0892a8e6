package dev.metaembed.bench;

import java.awt.Color;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Locale;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeriesCollection;

/** The look both benchmark charts share: lines over a base-10 log x axis on a white grid. */
final class LogLineChart {
  private LogLineChart() {}

  /**
   * @param xPattern {@link DecimalFormat} pattern of the x tick labels (root locale)
   * @param xSmallest the smallest x value the log axis shows
   */
  static JFreeChart create(
      String title,
      String xLabel,
      String yLabel,
      XYSeriesCollection data,
      String xPattern,
      double xSmallest) {
    JFreeChart chart =
        ChartFactory.createXYLineChart(
            title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    LogAxis x = new LogAxis(xLabel + " (log scale)");
    x.setBase(10);
    x.setNumberFormatOverride(
        new DecimalFormat(xPattern, DecimalFormatSymbols.getInstance(Locale.ROOT)));
    x.setSmallestValue(xSmallest);
    plot.setDomainAxis(x);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    return chart;
  }
}
