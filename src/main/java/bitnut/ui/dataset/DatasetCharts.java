package bitnut.ui.dataset;

import bitnut.dataset.DatasetStats;
import bitnut.dataset.Flag;
import javafx.scene.Node;
import javafx.scene.chart.BarChart;
import javafx.scene.chart.CategoryAxis;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.VBox;

/**
 * The Dataset tab's charts over the rows matching the current filter: examples per topic, status
 * counts, response length histogram, flag counts. Plain JavaFX bar charts (categorical data; the
 * live line charts of training use ChartFX). Animation is off: they redraw on every filter change.
 */
final class DatasetCharts {
    // Built when the Charts tab is first opened, not with the Dataset tab: four bar charts cost the FX thread
    // class loading, CSS and layout while the table is trying to show its first rows (docs/benchmarks.md
    // "Dataset", opening the tab), and the tab opens on the Example editor.
    private BarChart<String, Number> topics, status, lengths, flags;
    private final ScrollPane node = new ScrollPane();
    /** The newest counts, drawn when the charts exist. */
    private DatasetStats latest;

    DatasetCharts() {
        node.setFitToWidth(true);
    }

    /** The charts' container; empty until {@link #build()}. */
    Node node() { return node; }

    boolean built() { return status != null; }

    /** Creates the charts (once) and draws the newest counts; the view calls it when the Charts tab is first selected. */
    void build() {
        if (built()) return;
        topics = chart("Examples per topic", "dataset-chart-topics");
        status = chart("Status", "dataset-chart-status");
        lengths = chart("Response length (words)", "dataset-chart-lengths");
        flags = chart("Flags", "dataset-chart-flags");
        topics.setPrefHeight(260);
        node.setContent(new VBox(8, status, flags, lengths, topics));
        if (latest != null) draw(latest);
    }

    private static BarChart<String, Number> chart(String title, String id) {
        BarChart<String, Number> c = new BarChart<>(new CategoryAxis(), new NumberAxis());
        c.setTitle(title);
        c.setId(id);
        c.setAnimated(false);
        c.setLegendVisible(false);
        c.setPrefHeight(200);
        return c;
    }

    void show(DatasetStats s) {
        latest = s;
        if (built()) draw(s);
    }

    private void draw(DatasetStats s) {
        XYChart.Series<String, Number> t = new XYChart.Series<>();
        s.perTopic().forEach((k, v) -> t.getData().add(new XYChart.Data<>(k, v)));
        topics.getData().setAll(java.util.List.of(t));
        XYChart.Series<String, Number> st = new XYChart.Series<>();
        s.perStatus().forEach((k, v) -> st.getData().add(new XYChart.Data<>(k.dbName(), v)));
        status.getData().setAll(java.util.List.of(st));
        XYChart.Series<String, Number> f = new XYChart.Series<>();
        for (Flag fl : Flag.values()) f.getData().add(new XYChart.Data<>(fl.label, s.perFlag().getOrDefault(fl, 0L)));
        flags.getData().setAll(java.util.List.of(f));
        XYChart.Series<String, Number> h = new XYChart.Series<>();
        long[] hist = s.lengthHistogram();
        for (int i = 0; i < hist.length; i++) {
            int lo = i * DatasetStats.BUCKET_WORDS;
            h.getData().add(new XYChart.Data<>(i == hist.length - 1 ? lo + "+" : Integer.toString(lo), hist[i]));
        }
        lengths.getData().setAll(java.util.List.of(h));
    }

    /** Total of the status chart's bars (tests read the chart, not the model). */
    long statusTotal() {
        if (!built()) return -1;
        long n = 0;
        for (var d : status.getData().getFirst().getData()) n += d.getYValue().longValue();
        return n;
    }
}
