/*
 * PretrainCharts — the Pretrain tab's live ChartFX charts over tokens seen: train + validation loss
 * (with an earlier run's curves as overlay), learning rate, weight decay, gradient norm, tokens/s.
 * Five shared bitnut.ui.MetricChart instances, created once (notes/javafx.md: recreated charts leak),
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
    // separate charts: weight decay (0.1) would flatten the learning rate (1e-3) on one y axis
    private final MetricChart lr = new MetricChart("Learning rate", "tokens", "lr", "lr");
    private final MetricChart wd = new MetricChart("Weight decay", "tokens", "wd", "wd");
    private final MetricChart norm = new MetricChart("Gradient norm", "tokens", "‖g‖ before clipping", "grad_norm");
    private final MetricChart speed = new MetricChart("Throughput", "tokens", "tokens/s", "tokens_per_s");
    private final List<MetricChart> all = List.of(loss, lr, wd, norm, speed);
    private final GridPane grid = new GridPane();

    PretrainCharts() {
        grid.setId("pretrain-charts");
        grid.add(loss.node(), 0, 0, 1, 2);
        grid.add(lr.node(), 1, 0);
        grid.add(wd.node(), 1, 1);
        grid.add(norm.node(), 0, 2);
        grid.add(speed.node(), 1, 2);
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
            if (((XYChart) c.node()).getXAxis() instanceof DefaultNumericAxis x) {
                x.setLogAxis(log);
                x.forceRedraw();   // recompute tick marks and labels for the new transform, not only the data
            }
        }
    }

    /** Points held by the series of a metric (for tests). */
    int points(String metric) {
        int n = 0;
        for (MetricChart c : all) n += c.points(metric);
        return n;
    }
}
