/*
 * PretrainView — the Pretrain tab, built in code from PretrainViewModel: the run form on the left
 * (model preset + overrides with a live parameter count, data, schedule, batch, budget, cadences,
 * Start / Pause / Stop-and-save / Resume), the live charts in the middle, and on the right the progress
 * line, the latest text samples and the checkpoint list ("Sample from this checkpoint").
 * Layout follows bitnut.ui.finetune.FinetuneView.
 */
package bitnut.ui.pretrain;

import static bitnut.ui.FormFields.decimal;
import static bitnut.ui.FormFields.integer;
import static bitnut.ui.FormFields.text;

import bitnut.common.JobState;
import bitnut.model.ModelPresets;
import bitnut.train.TrainConfig;
import bitnut.ui.MetricChart;
import bitnut.ui.MetricChartGrid;
import bitnut.ui.WorkbenchTab;
import javafx.beans.binding.Bindings;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.*;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import javafx.util.StringConverter;

import java.io.File;
import java.nio.file.Path;

public final class PretrainView implements WorkbenchTab {
    private final PretrainViewModel model;
    /**
     * Live charts over tokens seen: train + validation loss (with an earlier run's curves as overlay),
     * learning rate, weight decay, gradient norm, tokens/s. LR and weight decay get separate charts:
     * wd (0.1) would flatten lr (1e-3) on one y axis.
     */
    private final MetricChartGrid charts = new MetricChartGrid("pretrain-charts")
            .place(new MetricChart("Loss", "tokens", "loss (nats/token)", "train_loss", "val_loss",
                    PretrainViewModel.OVERLAY + "train_loss", PretrainViewModel.OVERLAY + "val_loss"), 0, 0, 1, 2)
            .place(new MetricChart("Learning rate", "tokens", "lr", "lr"), 1, 0)
            .place(new MetricChart("Weight decay", "tokens", "wd", "wd"), 1, 1)
            .place(new MetricChart("Gradient norm", "tokens", "‖g‖ before clipping", "grad_norm"), 0, 2)
            .place(new MetricChart("Throughput", "tokens", "tokens/s", "tokens_per_s"), 1, 2);
    private final BorderPane root = new BorderPane();

    public PretrainView(PretrainViewModel model) {
        this.model = model;
        root.setId("pretrain-view");
        model.onMetrics(charts::add);
        model.onChartsReset(charts::clear);
        ScrollPane form = new ScrollPane(form());
        form.setFitToWidth(true);
        form.setMinWidth(300);
        VBox center = new VBox(6, chartBar(), charts.node());
        VBox.setVgrow(charts.node(), Priority.ALWAYS);
        center.setPadding(new Insets(6));
        SplitPane main = new SplitPane(form, center, side());
        main.setDividerPositions(0.25, 0.75);
        root.setCenter(main);
        Label status = new Label();
        status.setId("pretrain-status");
        status.textProperty().bind(model.statusProperty());
        status.setPadding(new Insets(4, 8, 4, 8));
        root.setBottom(status);
    }

    @Override public String title() { return "Pretrain"; }

    public PretrainViewModel model() { return model; }

    MetricChartGrid charts() { return charts; }

    @Override public Node content() { return root; }

    private Node form() {
        GridPane g = new GridPane();
        g.setHgap(6);
        g.setVgap(5);
        g.setPadding(new Insets(8));
        int r = 0;
        ComboBox<String> preset = new ComboBox<>();
        preset.setId("pretrain-preset");
        preset.getItems().setAll(ModelPresets.NAMES);
        preset.valueProperty().bindBidirectional(model.presetProperty());
        preset.setOnAction(e -> model.applyPreset());
        g.addRow(r++, new Label("Model preset"), preset);
        g.addRow(r++, new Label("Hidden size"), integer(model.hiddenProperty()));
        g.addRow(r++, new Label("Layers"), integer(model.layersProperty()));
        g.addRow(r++, new Label("Heads"), integer(model.headsProperty()));
        g.addRow(r++, new Label("KV heads"), integer(model.kvHeadsProperty()));
        g.addRow(r++, new Label("Intermediate size"), integer(model.intermediateProperty()));
        g.addRow(r++, new Label("Vocabulary"), integer(model.vocabProperty()));
        CheckBox tied = new CheckBox("tied embeddings");
        tied.selectedProperty().bindBidirectional(model.tiedProperty());
        ComboBox<String> precision = new ComboBox<>();
        precision.getItems().setAll("ternary", "full");
        precision.valueProperty().bindBidirectional(model.precisionProperty());
        g.addRow(r++, new Label("Precision"), new HBox(6, precision, tied));
        Label params = new Label();
        params.setId("pretrain-params");
        params.setWrapText(true);
        params.textProperty().bind(model.parameterTextProperty());
        g.add(params, 0, r++, 2, 1);
        g.add(new Separator(), 0, r++, 2, 1);

        TextField shards = text("pretrain-shards", model.shardsProperty());
        Button pick = new Button("…");
        pick.setOnAction(e -> {
            DirectoryChooser c = new DirectoryChooser();
            c.setTitle("Corpus shard folder");
            File f = c.showDialog(root.getScene().getWindow());
            if (f != null) model.shardsProperty().set(f.getPath());
        });
        g.addRow(r++, new Label("Shards"), new HBox(4, shards, pick));
        g.addRow(r++, new Label("Run name"), text("pretrain-run-name", model.runNameProperty()));
        ComboBox<String> schedule = new ComboBox<>();
        schedule.getItems().setAll(TrainConfig.TWO_STAGE, TrainConfig.COSINE);
        schedule.valueProperty().bindBidirectional(model.scheduleProperty());
        g.addRow(r++, new Label("Schedule"), schedule);
        g.addRow(r++, new Label("Peak learning rate"), decimal(model.lrProperty()));
        g.addRow(r++, new Label("Weight decay"), decimal(model.weightDecayProperty()));
        g.addRow(r++, new Label("Warm-up steps"), integer(model.warmupProperty()));
        g.addRow(r++, new Label("Batch × seq × accum"), new HBox(3, small(integer(model.microBatchProperty())), new Label("×"),
                small(integer(model.seqLenProperty())), new Label("×"), small(integer(model.accumulationProperty()))));
        g.addRow(r++, new Label("Steps"), integer(model.stepsProperty()));
        TextField budget = text("pretrain-token-budget", model.tokenBudgetProperty());
        budget.setPromptText("or a token budget, e.g. 2e9");
        g.addRow(r++, new Label("Token budget"), budget);
        Label budgetInfo = new Label();
        budgetInfo.setId("pretrain-budget");
        budgetInfo.setWrapText(true);
        budgetInfo.textProperty().bind(model.budgetTextProperty());
        g.add(budgetInfo, 0, r++, 2, 1);
        g.addRow(r++, new Label("Log every"), integer(model.logEveryProperty()));
        g.addRow(r++, new Label("Evaluate every"), integer(model.evalEveryProperty()));
        g.addRow(r++, new Label("Sample every"), integer(model.sampleEveryProperty()));
        g.addRow(r++, new Label("Checkpoint every"), integer(model.checkpointEveryProperty()));

        Button start = new Button("Start");
        start.setId("pretrain-start");
        start.setDefaultButton(true);
        start.setOnAction(e -> model.start());
        Button pause = new Button("Pause");
        pause.setId("pretrain-pause");
        pause.setOnAction(e -> model.togglePause());
        Button stop = new Button("Stop and save");
        stop.setId("pretrain-stop");
        stop.setOnAction(e -> model.stop());
        model.jobProperty().addListener((o, a, j) -> {
            if (j == null) return;
            pause.textProperty().bind(Bindings.createStringBinding(
                    () -> j.getJobState() == JobState.PAUSED ? "Continue" : "Pause", j.jobStateProperty()));
            var idle = Bindings.createBooleanBinding(() -> j.getJobState().finished(), j.jobStateProperty());
            pause.disableProperty().bind(idle);
            stop.disableProperty().bind(idle);
            start.disableProperty().bind(idle.not());
        });
        pause.setDisable(true);
        stop.setDisable(true);
        g.add(new HBox(6, start, pause, stop), 0, r++, 2, 1);

        ComboBox<Path> runs = runs("pretrain-runs", "Earlier runs in this workspace");
        runs.setOnAction(e -> { if (runs.getValue() != null) model.openRun(runs.getValue()); });
        Button resume = new Button("Resume");
        resume.setId("pretrain-resume");
        resume.setOnAction(e -> {
            Path p = model.runDirProperty().get();   // the run shown (picked above or just stopped)
            if (p != null) model.resume(p);
        });
        Button folder = new Button("Other folder…");
        folder.setOnAction(e -> {
            File f = chooseRun("Pretraining run folder (holds run.json)");
            if (f != null) model.openRun(f.toPath());
        });
        g.add(new VBox(4, new Label("Earlier run"), runs, new HBox(6, resume, folder)), 0, r++, 2, 1);
        Label hint = new Label("Stop saves a checkpoint first; Resume continues the shown run from its newest "
                + "checkpoint with the run's own settings (run.json), not the form's.");
        hint.setWrapText(true);
        g.add(hint, 0, r, 2, 1);
        return g;
    }

    private Node chartBar() {
        CheckBox ema = new CheckBox("EMA-smooth train loss");
        ema.setId("pretrain-ema");
        ema.selectedProperty().bindBidirectional(model.smoothProperty());
        CheckBox logX = new CheckBox("log tokens axis");
        logX.setId("pretrain-logx");
        logX.selectedProperty().addListener((o, a, v) -> charts.setLogX(v));
        ComboBox<Path> overlay = runs("pretrain-overlay", "Compare with an earlier run");
        overlay.setOnAction(e -> model.overlay(overlay.getValue()));
        Button other = new Button("…");
        other.setTooltip(new Tooltip("Compare with a run folder outside this workspace"));
        other.setOnAction(e -> {
            File f = chooseRun("Run folder to compare with (holds metrics.jsonl)");
            if (f != null) model.overlay(f.toPath());
        });
        Button clear = new Button("Clear comparison");
        clear.setOnAction(e -> { overlay.setValue(null); model.overlay(null); });
        HBox bar = new HBox(10, ema, logX, overlay, other, clear);
        bar.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        return bar;
    }

    private Node side() {
        Label progress = new Label();
        progress.setId("pretrain-progress");
        progress.setWrapText(true);
        progress.textProperty().bind(model.progressTextProperty());
        ProgressBar bar = new ProgressBar(0);
        bar.setMaxWidth(Double.MAX_VALUE);
        model.jobProperty().addListener((o, a, j) -> { if (j != null) bar.progressProperty().bind(j.progressProperty()); });
        ListView<String> samples = new ListView<>(model.samples());
        samples.setId("pretrain-samples");
        samples.setPlaceholder(new Label("Text samples appear here every 'sample every' steps."));
        samples.setCellFactory(l -> new ListCell<>() {
            @Override protected void updateItem(String s, boolean empty) {
                super.updateItem(s, empty);
                setText(empty ? null : s);
                setWrapText(true);
                setPrefWidth(0);
            }
        });
        ListView<Path> checkpoints = new ListView<>(model.checkpoints());
        checkpoints.setId("pretrain-checkpoints");
        checkpoints.setPlaceholder(new Label("No checkpoint yet."));
        checkpoints.setCellFactory(l -> new ListCell<>() {
            @Override protected void updateItem(Path p, boolean empty) {
                super.updateItem(p, empty);
                setText(empty || p == null ? null : p.getFileName().toString());
            }
        });
        Button sample = new Button("Sample from this checkpoint");
        sample.setId("pretrain-sample-checkpoint");
        sample.disableProperty().bind(checkpoints.getSelectionModel().selectedItemProperty().isNull());
        sample.setOnAction(e -> model.sampleFrom(checkpoints.getSelectionModel().getSelectedItem()));
        VBox box = new VBox(6, progress, bar, new Label("Latest samples"), samples, new Label("Checkpoints"), checkpoints, sample);
        VBox.setVgrow(samples, Priority.ALWAYS);
        box.setPadding(new Insets(6));
        box.setMinWidth(220);
        return box;
    }

    private File chooseRun(String title) {
        DirectoryChooser c = new DirectoryChooser();
        c.setTitle(title);
        return c.showDialog(root.getScene().getWindow());
    }

    private ComboBox<Path> runs(String id, String prompt) {
        ComboBox<Path> runs = new ComboBox<>(model.runs());
        runs.setId(id);
        runs.setPromptText(prompt);
        runs.setMaxWidth(Double.MAX_VALUE);
        runs.setConverter(new StringConverter<>() {
            @Override public String toString(Path p) { return p == null ? "" : p.getFileName().toString(); }
            @Override public Path fromString(String s) { return null; }
        });
        runs.setOnShowing(e -> model.refreshRuns());
        return runs;
    }

    private static TextField small(TextField t) {
        t.setPrefColumnCount(4);
        return t;
    }
}
