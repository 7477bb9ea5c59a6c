package bitnut.ui.finetune;

import bitnut.ui.FxJob;
import io.fair_acc.chartfx.XYChart;
import io.fair_acc.chartfx.axes.spi.DefaultNumericAxis;
import io.fair_acc.chartfx.renderer.ErrorStyle;
import io.fair_acc.chartfx.renderer.spi.ErrorDataSetRenderer;
import io.fair_acc.dataset.spi.DoubleDataSet;
import javafx.scene.Node;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;

import java.util.List;
import java.util.Map;

/**
 * Live charts of a finetune run over optimizer steps: train and validation loss together, the
 * learning rate, and training tokens/s. ChartFX, created once and reused (javafx.md), lines without
 * markers or error bars (the cheap rendering path).
 */
final class FinetuneCharts {
    private final DoubleDataSet train = new DoubleDataSet("train loss");
    private final DoubleDataSet val = new DoubleDataSet("val loss");
    private final DoubleDataSet lr = new DoubleDataSet("learning rate");
    private final DoubleDataSet speed = new DoubleDataSet("tokens/s");
    private final Map<String, DoubleDataSet> byMetric = Map.of("train_loss", train, "val_loss", val, "lr", lr, "tokens_per_s", speed);
    private final GridPane grid = new GridPane();

    FinetuneCharts() {
        grid.setId("finetune-charts");
        grid.add(chart("Loss", "loss", train, val), 0, 0, 1, 2);
        grid.add(chart("Learning rate", "lr", lr), 1, 0);
        grid.add(chart("Throughput", "tok/s", speed), 1, 1);
        for (Node n : grid.getChildren()) {
            GridPane.setHgrow(n, Priority.ALWAYS);
            GridPane.setVgrow(n, Priority.ALWAYS);
        }
    }

    Node node() { return grid; }

    /** Adds points (step, value) of the metrics these charts show; others are ignored. */
    void add(List<FxJob.Metric> points) {
        for (FxJob.Metric m : points) {
            DoubleDataSet ds = byMetric.get(m.name());
            if (ds != null && Double.isFinite(m.y())) ds.add(m.x(), m.y());
        }
    }

    void clear() { byMetric.values().forEach(DoubleDataSet::clearData); }

    /** Points held by the series of a metric (for tests). */
    int points(String metric) { return byMetric.get(metric).getDataCount(); }

    private static XYChart chart(String title, String yLabel, DoubleDataSet... sets) {
        DefaultNumericAxis x = new DefaultNumericAxis("step");
        DefaultNumericAxis y = new DefaultNumericAxis(yLabel);
        x.setAutoRangeRounding(false);
        y.setForceZeroInRange(false);
        XYChart c = new XYChart(x, y);
        c.setTitle(title);
        c.setAnimated(false);
        c.setLegendVisible(sets.length > 1);
        ErrorDataSetRenderer r = new ErrorDataSetRenderer();
        r.setErrorStyle(ErrorStyle.NONE);
        r.setDrawMarker(false);
        r.getDatasets().addAll(sets);
        c.getRenderers().setAll(r);
        c.setMinSize(150, 120);
        return c;
    }
}
