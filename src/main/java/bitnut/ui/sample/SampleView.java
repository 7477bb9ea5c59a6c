package bitnut.ui.sample;

import bitnut.infer.kernel.DenseMatrix;
import bitnut.ui.FormFields;
import bitnut.ui.WorkbenchTab;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import javafx.util.StringConverter;

import java.io.File;
import java.nio.file.Path;

/**
 * The Sample tab: pick a checkpoint (newest by default), write a prompt, set the sampling knobs and
 * generate several samples side by side, each streaming as it is produced. Built in code from
 * {@link SampleViewModel}.
 */
public final class SampleView implements WorkbenchTab {
    private final SampleViewModel model;
    private final BorderPane root = new BorderPane();
    private final HBox columns = new HBox(8);

    public SampleView(SampleViewModel model) {
        this.model = model;
        build();
    }

    public SampleViewModel model() { return model; }

    @Override public String title() { return "Sample"; }
    @Override public Node content() { return root; }
    @Override public void dispose() { model.dispose(); }

    private void build() {
        ComboBox<Path> ckpt = new ComboBox<>(model.checkpoints());
        ckpt.setId("sample-checkpoint");
        ckpt.valueProperty().bindBidirectional(model.checkpointProperty());
        ckpt.setConverter(new StringConverter<>() {
            @Override public String toString(Path p) { return p == null ? "" : label(p); }
            @Override public Path fromString(String s) { return s == null || s.isBlank() ? null : Path.of(s); }
        });
        ckpt.setPrefWidth(420);
        Button refresh = new Button("Refresh");
        refresh.setId("sample-refresh");
        refresh.setOnAction(e -> model.refreshCheckpoints());
        Button browse = new Button("Folder...");
        browse.setOnAction(e -> {
            DirectoryChooser dc = new DirectoryChooser();
            dc.setTitle("Checkpoint folder");
            File f = dc.showDialog(root.getScene() == null ? null : root.getScene().getWindow());
            if (f != null) {
                if (!model.checkpoints().contains(f.toPath())) model.checkpoints().add(f.toPath());
                model.checkpointProperty().set(f.toPath());
            }
        });
        HBox pick = new HBox(6, new Label("Checkpoint"), ckpt, refresh, browse);

        TextArea prompt = new TextArea();
        prompt.setId("sample-prompt");
        prompt.setPrefRowCount(3);
        prompt.setWrapText(true);
        prompt.textProperty().bindBidirectional(model.promptProperty());

        Spinner<Integer> max = new Spinner<>(1, 4096, model.maxTokensProperty().get(), 16);
        max.setEditable(true);
        max.valueProperty().addListener((o, a, b) -> model.maxTokensProperty().set(b));
        Spinner<Integer> topK = new Spinner<>(0, 1000, model.topKProperty().get(), 5);
        topK.setEditable(true);
        topK.valueProperty().addListener((o, a, b) -> model.topKProperty().set(b));
        Spinner<Integer> count = new Spinner<>(1, SampleViewModel.MAX_SAMPLES, model.samplesProperty().get());
        count.setId("sample-count");
        count.valueProperty().addListener((o, a, b) -> model.samplesProperty().set(b));
        model.samplesProperty().addListener((o, a, b) -> count.getValueFactory().setValue(b.intValue()));
        ComboBox<DenseMatrix.Precision> head = FormFields.headPrecision("sample-head", model.headProperty());
        FlowPane settings = new FlowPane(10, 6,
                labeled("Max tokens", max), labeled("Temperature", field(model.temperatureProperty(), "sample-temperature")),
                labeled("Top-k", topK), labeled("Top-p", field(model.topPProperty(), "sample-top-p")),
                labeled("Seed", field(model.seedProperty(), "sample-seed")), labeled("Samples", count), labeled("Head", head));

        Button generate = new Button("Generate");
        generate.setId("sample-generate");
        generate.setDefaultButton(true);
        generate.disableProperty().bind(model.runningProperty());
        generate.setOnAction(e -> model.generate());
        Button stop = new Button("Stop");
        stop.setId("sample-stop");
        stop.disableProperty().bind(model.runningProperty().not());
        stop.setOnAction(e -> model.stop());
        Label status = new Label();
        status.setId("sample-status");
        status.textProperty().bind(model.statusProperty());
        HBox actions = new HBox(8, generate, stop, status);

        VBox top = new VBox(8, pick, prompt, settings, actions);
        top.setPadding(new Insets(10));
        root.setTop(top);
        columns.setPadding(new Insets(0, 10, 10, 10));
        root.setCenter(columns);
        model.outputs().addListener((ListChangeListener<SampleViewModel.Output>) c -> rebuildColumns());
    }

    private void rebuildColumns() {
        columns.getChildren().clear();
        int i = 0;
        for (SampleViewModel.Output out : model.outputs()) {
            TextArea text = new TextArea();
            text.setId("sample-output-" + i++);
            text.setEditable(false);
            text.setWrapText(true);
            text.textProperty().bind(out.text);
            Label stats = new Label();
            stats.textProperty().bind(out.stats);
            stats.setWrapText(true);
            VBox col = new VBox(4, new Label("seed " + out.seed), text, stats);
            VBox.setVgrow(text, Priority.ALWAYS);
            HBox.setHgrow(col, Priority.ALWAYS);
            col.setPrefWidth(10);
            columns.getChildren().add(col);
        }
    }

    private static TextField field(javafx.beans.property.StringProperty p, String id) {
        TextField f = new TextField();
        f.setId(id);
        f.setPrefColumnCount(5);
        f.textProperty().bindBidirectional(p);
        return f;
    }

    private static HBox labeled(String label, Node n) {
        HBox b = new HBox(4, new Label(label), n);
        b.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        return b;
    }

    static String label(Path p) {
        Path parent = p.getParent();
        if (parent != null && parent.getFileName() != null && parent.getFileName().toString().equals("checkpoints") && parent.getParent() != null) {
            Path run = parent.getParent();
            Path stage = run.getParent();
            return (stage == null || stage.getFileName() == null ? "" : stage.getFileName() + "/") + run.getFileName() + " @ " + p.getFileName();
        }
        return p.toString();
    }
}
