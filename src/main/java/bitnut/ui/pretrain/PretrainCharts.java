/*
 * PretrainCharts — the Pretrain tab's live ChartFX charts over tokens seen: train + validation loss
 * (with an earlier run's curves as overlay), learning rate and weight decay, gradient norm, tokens/s.
 * Four shared bitnut.ui.MetricChart instances, created once (notes/javafx.md: recreated charts leak),
 * each with a hover read-out of the nearest point and a log-x switch.
 */
package bitnut.ui.pretrain;

import bitnut.ui.FxJob;
import bitnut.ui.MetricChart;
import io.fair_acc.chartfx.XYChart;
import io.fair_acc.chartfx.axes.spi.DefaultNumericAxis;
import io.fair_acc.chartfx.plugins.DataPointTooltip;
import javafx.scene.Node;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;

import java.util.List;

final class PretrainCharts {
    private final MetricChart loss = new MetricChart("Loss", "tokens", "loss (nats/token)", "train_loss", "val_loss",
            PretrainViewModel.OVERLAY + "train_loss", PretrainViewModel.OVERLAY + "val_loss");
    private final MetricChart schedule = new MetricChart("Learning rate and weight decay", "tokens", "value", "lr", "wd");
    private final MetricChart norm = new MetricChart("Gradient norm", "tokens", "‖g‖ before clipping", "grad_norm");
    private final MetricChart speed = new MetricChart("Throughput", "tokens", "tokens/s", "tokens_per_s");
    private final List<MetricChart> all = List.of(loss, schedule, norm, speed);
    private final GridPane grid = new GridPane();

    PretrainCharts() {
        grid.setId("pretrain-charts");
        grid.add(loss.node(), 0, 0, 1, 2);
        grid.add(schedule.node(), 1, 0);
        grid.add(norm.node(), 1, 1);
        grid.add(speed.node(), 0, 2, 2, 1);
        for (MetricChart c : all) ((XYChart) c.node()).getPlugins().add(new DataPointTooltip());
        for (Node n : grid.getChildren()) {
            GridPane.setHgrow(n, Priority.ALWAYS);
            GridPane.setVgrow(n, Priority.ALWAYS);
        }
    }

    Node node() { return grid; }

    void add(List<FxJob.Metric> points) { all.forEach(c -> c.add(points)); }

    void clear() { all.forEach(MetricChart::clear); }

    /** Log scale on the tokens axis of every chart (tokens are always > 0). */
    void setLogX(boolean log) {
        for (MetricChart c : all) {
            if (((XYChart) c.node()).getXAxis() instanceof DefaultNumericAxis x) x.setLogAxis(log);
        }
    }

    /** Points held by the series of a metric (for tests). */
    int points(String metric) {
        int n = 0;
        for (MetricChart c : all) n += c.points(metric);
        return n;
    }
}
