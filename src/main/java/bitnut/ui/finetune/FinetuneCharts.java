package bitnut.ui.finetune;

import bitnut.ui.FxJob;
import bitnut.ui.MetricChart;
import javafx.scene.Node;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;

import java.util.List;

/**
 * The Finetune tab's live charts over optimizer steps: train and validation loss together, the
 * learning rate, and training tokens/s — three shared {@link MetricChart}s in a grid.
 */
final class FinetuneCharts {
    private final MetricChart loss = new MetricChart("Loss", "step", "loss per trained token", "train_loss", "val_loss");
    private final MetricChart lr = new MetricChart("Learning rate", "step", "lr", "lr");
    private final MetricChart speed = new MetricChart("Throughput", "step", "tokens/s", "tokens_per_s");
    private final List<MetricChart> all = List.of(loss, lr, speed);
    private final GridPane grid = new GridPane();

    FinetuneCharts() {
        grid.setId("finetune-charts");
        grid.add(loss.node(), 0, 0, 1, 2);
        grid.add(lr.node(), 1, 0);
        grid.add(speed.node(), 1, 1);
        for (Node n : grid.getChildren()) {
            GridPane.setHgrow(n, Priority.ALWAYS);
            GridPane.setVgrow(n, Priority.ALWAYS);
        }
    }

    Node node() { return grid; }

    void add(List<FxJob.Metric> points) { all.forEach(c -> c.add(points)); }

    void clear() { all.forEach(MetricChart::clear); }

    /** Points held by the series of a metric (for tests). */
    int points(String metric) {
        int n = 0;
        for (MetricChart c : all) n += c.points(metric);
        return n;
    }
}
