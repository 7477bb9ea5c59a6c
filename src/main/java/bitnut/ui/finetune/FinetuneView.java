package bitnut.ui.finetune;

import static bitnut.ui.FormFields.decimal;
import static bitnut.ui.FormFields.integer;
import static bitnut.ui.FormFields.text;

import bitnut.finetune.FinetuneConfig;
import bitnut.ui.MetricChart;
import bitnut.ui.MetricChartGrid;
import bitnut.ui.FxJob;
import bitnut.ui.WorkbenchTab;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;

import java.io.File;
import java.util.function.Function;

/**
 * The Finetune tab: the run form (left), live charts of train/val loss, LR and tokens/s (top right),
 * the before/after table of held-out answers with voice metrics (bottom right), and a chat with the
 * run's latest checkpoint. Built in code from {@link FinetuneViewModel}.
 */
public final class FinetuneView implements WorkbenchTab {
    private final FinetuneViewModel model;
    private final BorderPane root = new BorderPane();
    /** Live charts over optimizer steps: train and validation loss together, the learning rate, tokens/s. */
    private final MetricChartGrid charts = new MetricChartGrid("finetune-charts")
            .place(new MetricChart("Loss", "step", "loss per trained token", "train_loss", "val_loss"), 0, 0, 1, 2)
            .place(new MetricChart("Learning rate", "step", "lr", "lr"), 1, 0)
            .place(new MetricChart("Throughput", "step", "tokens/s", "tokens_per_s"), 1, 1);

    public FinetuneView(FinetuneViewModel model) {
        this.model = model;
        root.setId("finetune-view");
        model.onMetrics(charts::add);
        model.onChartsReset(charts::clear);

        SplitPane right = new SplitPane(charts.node(), results());
        right.setOrientation(javafx.geometry.Orientation.VERTICAL);
        right.setDividerPositions(0.45);
        ScrollPane form = new ScrollPane(form());
        form.setFitToWidth(true);
        form.setPrefWidth(340);
        SplitPane main = new SplitPane(form, right);
        main.setDividerPositions(0.27);
        root.setCenter(main);
        Label status = new Label();
        status.setId("finetune-status");
        status.textProperty().bind(model.statusProperty());
        status.setPadding(new Insets(4, 8, 4, 8));
        root.setBottom(status);
    }

    @Override public String title() { return "Finetune"; }

    FinetuneViewModel model() { return model; }

    MetricChartGrid charts() { return charts; }

    @Override public Node content() { return root; }

    private Node form() {
        GridPane g = new GridPane();
        g.setHgap(6);
        g.setVgap(6);
        g.setPadding(new Insets(8));
        int r = 0;
        TextField base = text("finetune-base", model.baseProperty());
        Button pickBase = new Button("…");
        pickBase.setOnAction(e -> {
            DirectoryChooser c = new DirectoryChooser();
            c.setTitle("Pretrain checkpoint or run folder");
            File f = c.showDialog(root.getScene().getWindow());
            if (f != null) model.baseProperty().set(f.getPath());
        });
        g.addRow(r++, new Label("Base checkpoint"), new HBox(4, base, pickBase));
        TextField data = text("finetune-data", model.dataProperty());
        Button pickData = new Button("…");
        pickData.setOnAction(e -> {
            FileChooser c = new FileChooser();
            c.getExtensionFilters().add(new FileChooser.ExtensionFilter("JSONL", "*.jsonl", "*.json"));
            File f = c.showOpenDialog(root.getScene().getWindow());
            if (f != null) model.dataProperty().set(f.getPath());
        });
        g.addRow(r++, new Label("Examples (JSONL)"), new HBox(4, data, pickData));
        g.addRow(r++, new Label("Run name"), text("finetune-run-name", model.runNameProperty()));
        ComboBox<FinetuneConfig.Preset> preset = new ComboBox<>();
        preset.setId("finetune-preset");
        preset.getItems().setAll(FinetuneConfig.Preset.values());
        preset.valueProperty().bindBidirectional(model.presetProperty());
        preset.setOnAction(e -> model.applyPreset());
        g.addRow(r++, new Label("Preset"), preset);
        g.addRow(r++, new Label("Epochs"), integer(model.epochsProperty()));
        g.addRow(r++, new Label("Batch (packed rows)"), integer(model.batchSizeProperty()));
        g.addRow(r++, new Label("Accumulation"), integer(model.accumulationProperty()));
        g.addRow(r++, new Label("Sequence length"), integer(model.seqLenProperty()));
        g.addRow(r++, new Label("Learning rate"), decimal(model.lrProperty()));
        g.addRow(r++, new Label("Warm-up steps"), integer(model.warmupProperty()));
        g.addRow(r++, new Label("Weight decay"), decimal(model.weightDecayProperty()));
        ComboBox<FinetuneConfig.LossReduction> reduction = new ComboBox<>();
        reduction.getItems().setAll(FinetuneConfig.LossReduction.values());
        reduction.valueProperty().bindBidirectional(model.reductionProperty());
        g.addRow(r++, new Label("Loss reduction"), reduction);
        g.addRow(r++, new Label("Validation share"), decimal(model.valFractionProperty()));
        g.addRow(r++, new Label("Evaluate every (steps)"), integer(model.evalEveryProperty()));

        Button start = new Button("Start / resume");
        start.setId("finetune-start");
        start.setDefaultButton(true);
        start.setOnAction(e -> model.start());
        Button stop = new Button("Stop");
        stop.setId("finetune-stop");
        stop.setOnAction(e -> model.stop());
        stop.disableProperty().bind(Bindings.createBooleanBinding(() -> {
            FxJob j = model.jobProperty().get();
            return j == null || j.getJobState().finished();
        }, model.jobProperty()));
        Button open = new Button("Open run…");
        open.setOnAction(e -> {
            DirectoryChooser c = new DirectoryChooser();
            c.setTitle("Finetune run folder");
            File f = c.showDialog(root.getScene().getWindow());
            if (f != null) model.openRun(f.toPath());
        });
        g.add(new HBox(6, start, stop, open), 0, r++, 2, 1);
        ComboBox<java.nio.file.Path> runs = new ComboBox<>(model.runs());
        runs.setId("finetune-runs");
        runs.setPromptText("Earlier runs in this workspace");
        runs.setMaxWidth(Double.MAX_VALUE);
        runs.setConverter(new javafx.util.StringConverter<>() {
            @Override public String toString(java.nio.file.Path p) { return p == null ? "" : p.getFileName().toString(); }
            @Override public java.nio.file.Path fromString(String s) { return null; }
        });
        runs.setOnShowing(e -> model.refreshRuns());
        runs.setOnAction(e -> { if (runs.getValue() != null) model.openRun(runs.getValue()); });
        g.addRow(r++, new Label("Open earlier run"), runs);
        Label hint = new Label("Loss is on the answers and their <eos> only; examples are packed "
                + "(no padding to the sequence length). 'original' reproduces finetune.py's settings; "
                + "'bitnet-recommended' uses a 10x larger LR so ternary weights can still flip.");
        hint.setWrapText(true);
        g.add(hint, 0, r, 2, 1);
        return g;
    }

    private Node results() {
        TableView<FinetuneViewModel.Comparison> table = new TableView<>(model.comparison());
        table.setId("finetune-comparison");
        table.setPlaceholder(new Label("Held-out answers appear here at each evaluation, next to the base checkpoint's."));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.getColumns().add(column("Prompt", 200, FinetuneViewModel.Comparison::prompt));
        table.getColumns().add(column("Base answer", 260, c -> c.baseAnswer() + (c.baseEos() ? "  ⏹" : "  …")));
        table.getColumns().add(column("Finetuned answer", 260, c -> c.tunedAnswer() + (c.tunedEos() ? "  ⏹" : "  …")));
        Label voice = new Label();
        voice.setId("finetune-voice");
        voice.textProperty().bind(model.voiceSummaryProperty());
        voice.setWrapText(true);
        Label legend = new Label("⏹ ended with <eos>   … hit the token limit or started a new turn");
        VBox tableBox = new VBox(4, voice, table, legend);
        VBox.setVgrow(table, Priority.ALWAYS);
        tableBox.setPadding(new Insets(6));

        ListView<String> transcript = new ListView<>(model.chat());
        transcript.setId("finetune-chat");
        transcript.setPlaceholder(new Label("Chat with this run's latest checkpoint."));
        TextField message = new TextField();
        message.setId("finetune-chat-input");
        message.setPromptText("Ask BitNut something…");
        Button send = new Button("Send");
        send.disableProperty().bind(model.chatBusyProperty());
        Runnable sendIt = () -> {
            if (model.chatBusyProperty().get()) return;
            model.sendChat(message.getText());
            message.clear();
        };
        send.setOnAction(e -> sendIt.run());
        message.setOnAction(e -> sendIt.run());
        HBox input = new HBox(4, message, send);
        HBox.setHgrow(message, Priority.ALWAYS);
        VBox chatBox = new VBox(4, new Label("Chat with this checkpoint"), transcript, input);
        VBox.setVgrow(transcript, Priority.ALWAYS);
        chatBox.setPadding(new Insets(6));
        chatBox.setPrefWidth(300);
        SplitPane split = new SplitPane(tableBox, chatBox);
        split.setDividerPositions(0.68);
        return split;
    }

    private static TableColumn<FinetuneViewModel.Comparison, String> column(String title, double width,
                                                                          Function<FinetuneViewModel.Comparison, String> value) {
        TableColumn<FinetuneViewModel.Comparison, String> c = new TableColumn<>(title);
        c.setPrefWidth(width);
        c.setCellValueFactory(cell -> new ReadOnlyStringWrapper(value.apply(cell.getValue())));
        return c;
    }
}
