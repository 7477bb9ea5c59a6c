package bitnut.ui;

import io.fair_acc.chartfx.XYChart;
import io.fair_acc.chartfx.axes.spi.DefaultNumericAxis;
import io.fair_acc.chartfx.renderer.ErrorStyle;
import io.fair_acc.chartfx.renderer.spi.ErrorDataSetRenderer;
import io.fair_acc.dataset.spi.DoubleDataSet;
import javafx.scene.Node;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A live line chart of job metrics for any stage tab: one series per metric name, fed with the
 * {@link FxJob.Metric} batches that {@link FxJob#onMetrics} delivers (or points read back from a run's
 * metrics file). ChartFX, created once per tab and reused (notes/javafx.md: charts with plugins leak
 * when recreated), lines without markers or error bars (the cheap rendering path).
 *
 * <pre>{@code
 * MetricChart loss = new MetricChart("Loss", "step", "loss", "train_loss", "val_loss");
 * job.onMetrics(loss::add);
 * }</pre>
 */
public final class MetricChart {
    private final XYChart chart;
    private final Map<String, DoubleDataSet> series = new LinkedHashMap<>();

    /** @param metrics the metric names this chart shows, one line each (legend shown when more than one) */
    public MetricChart(String title, String xLabel, String yLabel, String... metrics) {
        DefaultNumericAxis x = new DefaultNumericAxis(xLabel);
        DefaultNumericAxis y = new DefaultNumericAxis(yLabel);
        x.setAutoRangeRounding(false);
        y.setForceZeroInRange(false);
        chart = new XYChart(x, y);
        chart.setTitle(title);
        chart.setAnimated(false);
        chart.setLegendVisible(metrics.length > 1);
        chart.setMinSize(150, 120);
        ErrorDataSetRenderer r = new ErrorDataSetRenderer();
        r.setErrorStyle(ErrorStyle.NONE);
        r.setDrawMarker(false);
        for (String m : metrics) {
            DoubleDataSet ds = new DoubleDataSet(m.replace('_', ' '));
            series.put(m, ds);
            r.getDatasets().add(ds);
        }
        chart.getRenderers().setAll(r);
    }

    public Node node() { return chart; }

    /** Adds the points of the metrics this chart shows (non-finite values skipped); others are ignored. */
    public void add(List<FxJob.Metric> points) {
        for (FxJob.Metric m : points) {
            DoubleDataSet ds = series.get(m.name());
            if (ds != null && Double.isFinite(m.y())) ds.add(m.x(), m.y());
        }
    }

    /** Empties every series (another run is shown). */
    public void clear() { series.values().forEach(DoubleDataSet::clearData); }

    /** Points held by a metric's series. */
    public int points(String metric) {
        DoubleDataSet ds = series.get(metric);
        return ds == null ? 0 : ds.getDataCount();
    }
}
