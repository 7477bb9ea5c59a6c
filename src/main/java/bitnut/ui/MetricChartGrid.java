package bitnut.ui;

import io.fair_acc.chartfx.XYChart;
import io.fair_acc.chartfx.axes.spi.DefaultNumericAxis;
import io.fair_acc.chartfx.plugins.DataPointTooltip;
import javafx.scene.Node;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;

import java.util.ArrayList;
import java.util.List;

/**
 * The live charts of a training tab (Pretrain, Finetune): {@link MetricChart}s placed in a grid that
 * grows with the window, each with a hover read-out of the nearest point. Metric records from a job
 * go to every chart; each keeps the series it names. Charts are created once and cleared between
 * runs (notes/javafx.md: recreated charts leak).
 */
public final class MetricChartGrid {
    private final List<MetricChart> charts = new ArrayList<>();
    private final GridPane grid = new GridPane();

    public MetricChartGrid(String id) { grid.setId(id); }

    /** Adds {@code chart} at (col, row) spanning {@code colSpan x rowSpan} cells; returns this grid. */
    public MetricChartGrid place(MetricChart chart, int col, int row, int colSpan, int rowSpan) {
        charts.add(chart);
        ((XYChart) chart.node()).getPlugins().add(new DataPointTooltip());
        grid.add(chart.node(), col, row, colSpan, rowSpan);
        GridPane.setHgrow(chart.node(), Priority.ALWAYS);
        GridPane.setVgrow(chart.node(), Priority.ALWAYS);
        return this;
    }

    public MetricChartGrid place(MetricChart chart, int col, int row) { return place(chart, col, row, 1, 1); }

    public Node node() { return grid; }

    public void add(List<FxJob.Metric> points) { charts.forEach(c -> c.add(points)); }

    public void clear() { charts.forEach(MetricChart::clear); }

    /** Log scale on the x axis of every chart (tokens and steps are always > 0). */
    public void setLogX(boolean log) {
        for (MetricChart c : charts) {
            if (((XYChart) c.node()).getXAxis() instanceof DefaultNumericAxis x) {
                x.setLogAxis(log);
                x.forceRedraw();   // recompute tick marks and labels for the new transform, not only the data
            }
        }
    }

    /** Points held by the series of a metric (for tests). */
    public int points(String metric) {
        int n = 0;
        for (MetricChart c : charts) n += c.points(metric);
        return n;
    }
}
