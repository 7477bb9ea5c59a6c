package bitnut.ui.corpus;

import bitnut.corpus.CorpusIndex;
import bitnut.ui.FxJob;
import bitnut.ui.WorkbenchTab;
import javafx.beans.binding.Bindings;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.chart.BarChart;
import javafx.scene.chart.CategoryAxis;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.Spinner;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.TitledPane;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;

import java.io.File;
import java.util.List;
import java.util.function.Function;

/**
 * The Corpus tab: sources on the left (files, folders, globs, or a Hugging Face dataset to
 * download), a paged document preview and the shard statistics in the middle, build settings and the
 * build job (progress, MB/s, ETA, cancel; Build again resumes) at the bottom. Built in code from
 * {@link CorpusViewModel}.
 */
public final class CorpusView implements WorkbenchTab {
    private final CorpusViewModel model;
    private final BorderPane root = new BorderPane();
    private final BarChart<String, Number> histogram = new BarChart<>(new CategoryAxis(), new NumberAxis());

    public CorpusView(CorpusViewModel model) {
        this.model = model;
        root.setId("corpus-view");
        SplitPane center = new SplitPane(sourcesPane(), previewAndStats());
        center.setDividerPositions(0.3);
        root.setCenter(center);
        root.setBottom(buildBar());
        model.indexProperty().addListener((o, a, idx) -> showHistogram(idx));
        showHistogram(model.indexProperty().get());
    }

    @Override public String title() { return "Corpus"; }
    @Override public Node content() { return root; }
    @Override public void dispose() { model.dispose(); }

    public CorpusViewModel model() { return model; }

    // ---- left: sources and the Hub form ----

    private Node sourcesPane() {
        ListView<String> list = new ListView<>(model.sources());
        list.setId("corpus-sources");
        list.setPlaceholder(new Label("No sources: add .txt, .jsonl, .parquet (or .gz) files, folders or a glob."));
        TextField glob = new TextField();
        glob.setId("corpus-source-text");
        glob.setPromptText("path, folder or glob, e.g. data/**/*.jsonl");
        glob.setOnAction(e -> { model.addSource(glob.getText()); glob.clear(); });
        Button add = button("Add", "corpus-add", () -> { model.addSource(glob.getText()); glob.clear(); });
        Button files = button("Files...", "corpus-add-files", () -> {
            FileChooser fc = new FileChooser();
            fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("Text corpora", "*.txt", "*.md", "*.jsonl", "*.ndjson",
                    "*.parquet", "*.gz"));
            List<File> chosen = fc.showOpenMultipleDialog(root.getScene().getWindow());
            if (chosen != null) chosen.forEach(f -> model.addSource(f.getPath()));
        });
        Button folder = button("Folder...", "corpus-add-folder", () -> {
            File d = new DirectoryChooser().showDialog(root.getScene().getWindow());
            if (d != null) model.addSource(d.getPath());
        });
        Button remove = button("Remove", "corpus-remove", () -> model.removeSource(list.getSelectionModel().getSelectedItem()));
        remove.disableProperty().bind(list.getSelectionModel().selectedItemProperty().isNull());
        HBox addRow = new HBox(4, glob, add);
        HBox.setHgrow(glob, Priority.ALWAYS);
        TextField field = new TextField();
        field.textProperty().bindBidirectional(model.fieldProperty());
        field.setPrefColumnCount(8);
        CheckBox lines = new CheckBox("one document per .txt line");
        lines.selectedProperty().bindBidirectional(model.txtLinesProperty());
        HBox options = new HBox(6, new Label("JSONL/Parquet field"), field, lines);
        VBox box = new VBox(6, new Label("Sources"), list, addRow, new HBox(4, files, folder, remove), options, hubPane());
        VBox.setVgrow(list, Priority.ALWAYS);
        box.setPadding(new Insets(6));
        return box;
    }

    private Node hubPane() {
        GridPane g = new GridPane();
        g.setHgap(6);
        g.setVgap(4);
        g.addRow(0, new Label("Repo"), text("corpus-hub-repo", model.hubRepoProperty()));
        g.addRow(1, new Label("Config"), text("corpus-hub-config", model.hubConfigProperty()));
        g.addRow(2, new Label("Split"), text("corpus-hub-split", model.hubSplitProperty()));
        g.addRow(3, new Label("Revision"), text("corpus-hub-revision", model.hubRevisionProperty()));
        Spinner<Integer> max = new Spinner<>(0, 10_000, model.hubMaxFilesProperty().get());
        max.setEditable(true);
        max.valueProperty().addListener((o, a, v) -> model.hubMaxFilesProperty().set(v));
        g.addRow(4, new Label("Files (0 = all)"), max);
        Button download = button("Download", "corpus-hub-download", model::download);
        ProgressBar bar = new ProgressBar(0);
        bar.setMaxWidth(Double.MAX_VALUE);
        Label status = new Label();
        status.setWrapText(true);
        model.downloadJobProperty().addListener((o, a, j) -> {
            bar.progressProperty().bind(j.progressProperty());
            status.textProperty().bind(Bindings.concat(j.messageProperty(), "  ", j.throughputProperty(), "  ", j.etaProperty()));
            download.disableProperty().bind(j.runningProperty());
        });
        VBox v = new VBox(4, g, new Label("Downloads go to workspace corpus/hub/ and are added as a source. "
                + "HF_TOKEN is used for gated datasets."), new HBox(6, download), bar, status);
        TitledPane p = new TitledPane("Hugging Face dataset", v);
        p.setExpanded(false);
        return p;
    }

    // ---- middle: preview and stats ----

    private Node previewAndStats() {
        TableView<CorpusViewModel.PreviewRow> table = new TableView<>(model.preview());
        table.setId("corpus-preview");
        table.setPlaceholder(new Label("Press Preview to read the first documents."));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.getColumns().add(column("#", 60, r -> r.index() + 1));
        table.getColumns().add(column("Source", 200, CorpusViewModel.PreviewRow::where));
        table.getColumns().add(column("Chars", 70, CorpusViewModel.PreviewRow::chars));
        table.getColumns().add(column("Text", 500, CorpusViewModel.PreviewRow::text));
        Button first = button("Preview", "corpus-preview-load", () -> model.loadPage(0));
        Button prev = button("< Previous", "corpus-preview-prev", model::previousPage);
        prev.disableProperty().bind(model.pageProperty().isEqualTo(0));
        Button next = button("Next >", "corpus-preview-next", model::nextPage);
        next.disableProperty().bind(model.hasNextPageProperty().not());
        Label status = new Label();
        status.setId("corpus-preview-status");
        status.textProperty().bind(model.previewStatusProperty());
        VBox previewBox = new VBox(4, new HBox(6, first, prev, next, status), table);
        VBox.setVgrow(table, Priority.ALWAYS);
        previewBox.setPadding(new Insets(6));

        TextArea stats = new TextArea();
        stats.setId("corpus-stats");
        stats.setEditable(false);
        stats.setStyle("-fx-font-family: monospace;");
        stats.textProperty().bind(model.statsTextProperty());
        histogram.setId("corpus-histogram");
        histogram.setTitle("Documents by length (UTF-8 bytes)");
        histogram.setLegendVisible(false);
        histogram.setAnimated(false);
        Button refresh = button("Refresh", "corpus-stats-refresh", model::refreshStats);
        VBox statsBox = new VBox(4, refresh, stats, histogram);
        VBox.setVgrow(stats, Priority.ALWAYS);
        statsBox.setPadding(new Insets(6));

        TabPane tabs = new TabPane(new Tab("Preview", previewBox), new Tab("Stats", statsBox));
        tabs.setId("corpus-tabs");
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        return tabs;
    }

    private void showHistogram(CorpusIndex idx) {
        histogram.getData().clear();
        if (idx == null) return;
        XYChart.Series<String, Number> s = new XYChart.Series<>();
        long[] h = idx.lengthHistogram();
        int lo = 0;
        int hi = h.length - 1;
        while (lo < h.length && h[lo] == 0) lo++;
        while (hi > lo && h[hi] == 0) hi--;
        for (int k = lo; k <= hi && lo < h.length; k++) s.getData().add(new XYChart.Data<>(k == 0 ? "0-1" : "2^" + k, h[k]));
        histogram.getData().add(s);
    }

    // ---- bottom: build settings and the job ----

    private Node buildBar() {
        GridPane g = new GridPane();
        g.setHgap(6);
        g.setVgap(4);
        TextField tok = text("corpus-tokenizer", model.tokenizerProperty());
        tok.setPromptText("folder with tokenizer.json (train one in the Tokenizer tab)");
        TextField out = text("corpus-out", model.outDirProperty());
        TextField val = text("corpus-val-fraction", model.valFractionProperty());
        val.setPrefColumnCount(6);
        TextField shard = text("corpus-shard-tokens", model.shardTokensProperty());
        shard.setPrefColumnCount(10);
        g.addRow(0, new Label("Tokenizer"), tok, new Label("Validation fraction"), val);
        g.addRow(1, new Label("Shards folder"), out, new Label("Tokens per shard"), shard);
        GridPane.setHgrow(tok, Priority.ALWAYS);
        GridPane.setHgrow(out, Priority.ALWAYS);

        BooleanProperty building = model.buildingProperty();
        Button build = button("Build shards", "corpus-build", model::build);
        build.disableProperty().bind(building);
        Button cancel = button("Cancel", "corpus-cancel", model::cancelBuild);
        cancel.disableProperty().bind(building.not());
        ProgressBar bar = new ProgressBar(0);
        bar.setId("corpus-progress");
        bar.setPrefWidth(240);
        Label phase = new Label();
        phase.setId("corpus-phase");
        Label rate = new Label();
        rate.setId("corpus-rate");
        Label eta = new Label();
        eta.setId("corpus-eta");
        model.buildJobProperty().addListener((o, a, j) -> bind(j, bar, phase, rate, eta));
        Label error = new Label();
        error.setId("corpus-error");
        error.setWrapText(true);
        error.setStyle("-fx-text-fill: #b00020;");
        error.textProperty().bind(model.errorProperty());
        HBox job = new HBox(8, build, cancel, bar, phase, rate, eta);
        VBox box = new VBox(6, g, job, error);
        box.setPadding(new Insets(6));
        return box;
    }

    private static void bind(FxJob j, ProgressBar bar, Label phase, Label rate, Label eta) {
        bar.progressProperty().bind(j.progressProperty());
        phase.textProperty().bind(j.messageProperty());
        rate.textProperty().bind(j.throughputProperty());
        eta.textProperty().bind(Bindings.when(j.etaProperty().isEmpty()).then("").otherwise(Bindings.concat("ETA ", j.etaProperty())));
    }

    private static TextField text(String id, javafx.beans.property.StringProperty p) {
        TextField t = new TextField();
        t.setId(id);
        t.textProperty().bindBidirectional(p);
        return t;
    }

    private static Button button(String text, String id, Runnable action) {
        Button b = new Button(text);
        b.setId(id);
        b.setOnAction(e -> action.run());
        return b;
    }

    private static <T> TableColumn<CorpusViewModel.PreviewRow, T> column(String title, double width, Function<CorpusViewModel.PreviewRow, T> f) {
        TableColumn<CorpusViewModel.PreviewRow, T> c = new TableColumn<>(title);
        c.setPrefWidth(width);
        c.setCellValueFactory(cd -> new ReadOnlyObjectWrapper<>(f.apply(cd.getValue())));
        return c;
    }
}
