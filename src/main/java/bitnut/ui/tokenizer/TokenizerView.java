package bitnut.ui.tokenizer;

import bitnut.text.SequenceUnit;
import bitnut.ui.WorkbenchTab;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Spinner;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * The Tokenizer tab: left, the training form (corpus, vocab size, options), the job's phase,
 * MB/s and merges with a cancel button, and the selected tokenizer's stats; right, three tools
 * over the workspace's tokenizers — Compare (tokens and bytes/token on one sample text), Playground
 * (type text, see coloured pieces with ids) and Vocab (searchable id / merge rank / piece / bytes).
 */
public final class TokenizerView implements WorkbenchTab {
    /** Piece backgrounds, cycled so neighbouring tokens differ. */
    private static final List<String> COLOURS = List.of("#fde2a7", "#c8e6c9", "#bbdefb", "#f8bbd0", "#d1c4e9", "#ffccbc");

    private final TokenizerViewModel model;
    private final SplitPane root = new SplitPane();

    public TokenizerView(TokenizerViewModel model) {
        this.model = model;
        root.setId("tokenizer-view");
        root.getItems().addAll(trainPane(), toolsPane());
        root.setDividerPositions(0.42);
    }

    public TokenizerViewModel model() { return model; }

    @Override public String title() { return "Tokenizer"; }
    @Override public Node content() { return root; }
    @Override public void dispose() { model.close(); }

    private Node trainPane() {
        TextArea inputs = new TextArea();
        inputs.setId("tokenizer-inputs");
        inputs.setPromptText("Corpus: .txt / .jsonl / .parquet files, folders or globs (.gz ok), one per line");
        inputs.setPrefRowCount(3);
        inputs.textProperty().bindBidirectional(model.inputsProperty());
        Button addFiles = new Button("Add files…");
        addFiles.setOnAction(e -> {
            FileChooser fc = new FileChooser();
            fc.setTitle("Corpus files");
            List<File> files = fc.showOpenMultipleDialog(root.getScene().getWindow());
            if (files != null) for (File f : files) append(f.toPath());
        });
        Button addFolder = new Button("Add folder…");
        addFolder.setOnAction(e -> {
            File d = new DirectoryChooser().showDialog(root.getScene().getWindow());
            if (d != null) append(d.toPath());
        });

        Spinner<Integer> vocab = new Spinner<>(300, 262_144, 32_768, 1024);
        vocab.setId("tokenizer-vocab-size");
        vocab.setEditable(true);
        vocab.getValueFactory().valueProperty().addListener((o, a, b) -> { if (b != null) model.vocabSizeProperty().set(b); });
        model.vocabSizeProperty().addListener((o, a, b) -> vocab.getValueFactory().setValue(b.intValue()));
        Spinner<Integer> minFreq = new Spinner<>(0, 1_000_000, 2);
        minFreq.setEditable(true);
        minFreq.getValueFactory().valueProperty().addListener((o, a, b) -> { if (b != null) model.minFrequencyProperty().set(b); });
        ComboBox<SequenceUnit> seq = new ComboBox<>();
        seq.getItems().setAll(SequenceUnit.values());
        seq.valueProperty().bindBidirectional(model.sequencesProperty());
        TextField field = new TextField();
        field.textProperty().bindBidirectional(model.fieldProperty());
        TextField maxDocs = new TextField("0");
        maxDocs.textProperty().addListener((o, a, b) -> {
            try { model.maxDocumentsProperty().set(b.isBlank() ? 0 : Long.parseLong(b.strip())); }
            catch (NumberFormatException ex) { maxDocs.setText(a); }
        });
        CheckBox bytes = new CheckBox("all 256 bytes in the vocab (any text encodes without <unk>)");
        bytes.selectedProperty().bindBidirectional(model.byteAlphabetProperty());
        TextField name = new TextField();
        name.setId("tokenizer-name");
        name.textProperty().bindBidirectional(model.nameProperty());

        GridPane form = new GridPane(8, 6);
        int r = 0;
        form.addRow(r++, new Label("Vocab size"), vocab);
        form.addRow(r++, new Label("Min frequency"), minFreq);
        form.addRow(r++, new Label("Sequences"), seq);
        form.addRow(r++, new Label("JSONL field / column"), field);
        form.addRow(r++, new Label("Max documents (0 = all)"), maxDocs);
        form.addRow(r++, new Label("Save as workspace/tokenizer/"), name);
        form.add(bytes, 0, r, 2, 1);

        Button train = new Button("Train");
        train.setId("tokenizer-train");
        train.setDefaultButton(true);
        train.setOnAction(e -> model.train());
        Button cancel = new Button("Cancel");
        cancel.setId("tokenizer-cancel");
        cancel.setOnAction(e -> model.cancel());
        ProgressBar bar = new ProgressBar(0);
        bar.setMaxWidth(Double.MAX_VALUE);
        Label phase = new Label();
        phase.setId("tokenizer-phase");
        Label merges = new Label();
        merges.setId("tokenizer-merges");
        merges.textProperty().bind(model.mergesProperty());
        model.jobProperty().addListener((o, a, j) -> {
            bar.progressProperty().unbind();
            phase.textProperty().unbind();
            if (j == null) return;
            bar.progressProperty().bind(j.progressProperty());
            phase.textProperty().bind(Bindings.createStringBinding(() -> j.getJobState() + " · " + j.getMessage()
                    + (j.throughputProperty().get().isEmpty() ? "" : " · " + j.throughputProperty().get()),
                    j.jobStateProperty(), j.messageProperty(), j.throughputProperty()));
            train.disableProperty().bind(j.runningProperty());
            cancel.disableProperty().bind(j.runningProperty().not());
        });
        cancel.setDisable(true);
        Label error = new Label();
        error.setId("tokenizer-error");
        error.setWrapText(true);
        error.setStyle("-fx-text-fill: #c62828;");
        error.textProperty().bind(model.errorProperty());

        ComboBox<Path> pick = new ComboBox<>(model.tokenizers());
        pick.setId("tokenizer-select");
        pick.valueProperty().bindBidirectional(model.selectedProperty());
        pick.setCellFactory(v -> new NameCell());
        pick.setButtonCell(new NameCell());
        Button addTok = new Button("Add tokenizer…");
        addTok.setOnAction(e -> {
            File d = new DirectoryChooser().showDialog(root.getScene().getWindow());
            if (d != null) model.addTokenizer(d.toPath());
        });
        Button refresh = new Button("Refresh");
        refresh.setOnAction(e -> model.refreshTokenizers());
        TextArea stats = new TextArea();
        stats.setId("tokenizer-stats");
        stats.setEditable(false);
        stats.setStyle("-fx-font-family: monospace;");
        stats.textProperty().bind(model.statsProperty());
        VBox.setVgrow(stats, Priority.ALWAYS);

        VBox box = new VBox(8, new Label("Corpus"), inputs, new HBox(6, addFiles, addFolder), form,
                new HBox(6, train, cancel), bar, phase, merges, error,
                new Label("Tokenizer"), new HBox(6, pick, addTok, refresh), stats);
        box.setPadding(new Insets(10));
        ScrollPane sp = new ScrollPane(box);
        sp.setFitToWidth(true);
        sp.setFitToHeight(true);
        return sp;
    }

    private void append(Path p) {
        String cur = model.inputsProperty().get();
        model.inputsProperty().set(cur == null || cur.isBlank() ? p.toString() : cur.strip() + "\n" + p);
    }

    private Node toolsPane() {
        TabPane tools = new TabPane();
        tools.setId("tokenizer-tools");
        tools.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        tools.getTabs().addAll(new Tab("Compare", comparePane()), new Tab("Playground", playgroundPane()), new Tab("Vocab", vocabPane()));
        return tools;
    }

    private Node comparePane() {
        TextArea sample = new TextArea();
        sample.setId("tokenizer-sample");
        sample.setWrapText(true);
        sample.setPrefRowCount(5);
        sample.textProperty().bindBidirectional(model.sampleTextProperty());
        Button run = new Button("Compare all tokenizers");
        run.setId("tokenizer-compare");
        run.setOnAction(e -> model.compare());
        TableView<TokenizerViewModel.Comparison> table = new TableView<>(model.comparison());
        table.setId("tokenizer-comparison");
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.getColumns().add(col("Tokenizer", 200, TokenizerViewModel.Comparison::name));
        table.getColumns().add(col("Vocab", 80, c -> String.format("%,d", c.vocabSize())));
        table.getColumns().add(col("Tokens", 80, c -> String.format("%,d", c.tokens())));
        table.getColumns().add(col("Bytes", 80, c -> String.format("%,d", c.bytes())));
        table.getColumns().add(col("Bytes/token", 100, c -> String.format("%.3f", c.bytesPerToken())));
        table.setPlaceholder(new Label("Press Compare: every tokenizer encodes the sample text."));
        VBox.setVgrow(table, Priority.ALWAYS);
        VBox box = new VBox(8, new Label("Sample text (add GPT-2's or any tokenizer.json with 'Add tokenizer…')"), sample, run, table);
        box.setPadding(new Insets(10));
        return box;
    }

    private Node playgroundPane() {
        TextArea text = new TextArea();
        text.setId("tokenizer-playground-input");
        text.setWrapText(true);
        text.setPrefRowCount(4);
        text.setPromptText("Type here: the selected tokenizer splits it as you type");
        text.textProperty().bindBidirectional(model.playgroundTextProperty());
        FlowPane flow = new FlowPane(2, 4);
        flow.setId("tokenizer-pieces");
        flow.setPadding(new Insets(6));
        Label count = new Label();
        count.setId("tokenizer-piece-count");
        model.pieces().addListener((ListChangeListener<TokenizerViewModel.Piece>) c -> {
            flow.getChildren().clear();
            int i = 0, bytes = 0;
            for (TokenizerViewModel.Piece p : model.pieces()) {
                Label l = new Label(p.text());
                l.setStyle("-fx-background-color: " + COLOURS.get(i++ % COLOURS.size()) + "; -fx-padding: 2 4 2 4;"
                        + " -fx-font-family: monospace; -fx-text-fill: #212121;");
                l.setTooltip(new Tooltip("id " + p.id() + " · " + p.bytes() + " byte(s)"));
                Label id = new Label(Integer.toString(p.id()));
                id.setStyle("-fx-font-size: 9px; -fx-text-fill: #757575;");
                VBox cell = new VBox(0, l, id);
                flow.getChildren().add(cell);
                bytes += p.bytes();
            }
            int n = model.pieces().size();
            count.setText(n == 0 ? "" : String.format("%d tokens, %d bytes, %.2f bytes/token", n, bytes, (double) bytes / n));
        });
        ScrollPane sp = new ScrollPane(flow);
        sp.setFitToWidth(true);
        VBox.setVgrow(sp, Priority.ALWAYS);
        VBox box = new VBox(8, text, count, sp);
        box.setPadding(new Insets(10));
        return box;
    }

    private Node vocabPane() {
        TextField search = new TextField();
        search.setId("tokenizer-vocab-search");
        search.setPromptText("Search pieces (text, id or hex bytes)");
        search.textProperty().bindBidirectional(model.vocabFilterProperty());
        TableView<TokenizerViewModel.VocabEntry> table = new TableView<>(model.vocab());
        table.setId("tokenizer-vocab");
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.getColumns().add(col("Id", 70, e -> Integer.toString(e.id())));
        table.getColumns().add(col("Merge rank", 90, e -> e.rank() < 0 ? "—" : Integer.toString(e.rank())));
        table.getColumns().add(col("Piece", 180, TokenizerViewModel.VocabEntry::piece));
        table.getColumns().add(col("Bytes", 200, TokenizerViewModel.VocabEntry::bytes));
        Label shown = new Label();
        shown.textProperty().bind(Bindings.createStringBinding(() -> String.format("%,d entries", model.vocab().size()), model.vocab()));
        VBox.setVgrow(table, Priority.ALWAYS);
        VBox box = new VBox(8, search, shown, table);
        box.setPadding(new Insets(10));
        return new BorderPane(box);
    }

    private static <T> TableColumn<T, String> col(String title, double width, Function<T, String> value) {
        TableColumn<T, String> c = new TableColumn<>(title);
        c.setPrefWidth(width);
        c.setCellValueFactory(cd -> new ReadOnlyStringWrapper(value.apply(cd.getValue())));
        return c;
    }

    /** Shows a tokenizer folder by its name. */
    private static final class NameCell extends ListCell<Path> {
        @Override protected void updateItem(Path p, boolean empty) {
            super.updateItem(p, empty);
            setText(empty || p == null ? null : p.getFileName().toString());
        }
    }
}
