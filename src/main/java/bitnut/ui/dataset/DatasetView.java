package bitnut.ui.dataset;

import bitnut.dataset.DatasetFormat;
import bitnut.dataset.Example;
import bitnut.dataset.ExampleSource;
import bitnut.dataset.ExampleStatus;
import bitnut.dataset.Flag;
import bitnut.dataset.Revision;
import bitnut.ui.CellText;
import bitnut.ui.WorkbenchTab;
import javafx.beans.binding.Bindings;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.scene.text.TextFlow;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;

import java.io.File;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The Dataset tab: a virtualized table over the whole dataset (rows load lazily by page), filters and
 * full-text search with highlighted hits, a detail editor with the diff against the generated
 * original, review buttons, bulk actions on the selection or on everything the filter matches,
 * undo/redo of every change, the example's history, and charts ({@link DatasetCharts}).
 */
public final class DatasetView implements WorkbenchTab {
    private static final String ANY = "(any)";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private final DatasetViewModel model;
    private final BorderPane root = new BorderPane();
    private final TableView<DatasetViewModel.Row> table = new TableView<>();
    private final DatasetCharts charts = new DatasetCharts();

    public DatasetView(DatasetViewModel model) {
        this.model = model;
        root.setId("dataset-view");
        root.setTop(new VBox(4, toolbar(), filters()));
        SplitPane split = new SplitPane(tablePane(), detail());
        split.setDividerPositions(0.58);
        root.setCenter(split);
        root.setPadding(new Insets(6));
        root.addEventFilter(javafx.scene.input.KeyEvent.KEY_PRESSED, e -> {
            if (new KeyCodeCombination(KeyCode.Z, KeyCombination.SHORTCUT_DOWN, KeyCombination.SHIFT_DOWN).match(e)
                    || new KeyCodeCombination(KeyCode.Y, KeyCombination.SHORTCUT_DOWN).match(e)) { model.redo(); e.consume(); }
            else if (new KeyCodeCombination(KeyCode.Z, KeyCombination.SHORTCUT_DOWN).match(e)) { model.undo(); e.consume(); }
        });
        model.statsProperty().addListener((o, a, s) -> { if (s != null) charts.show(s); });
    }

    public DatasetViewModel model() { return model; }

    DatasetCharts chartsForTest() { return charts; }

    @Override public String title() { return "Dataset"; }

    @Override public Node content() { return root; }

    @Override public void dispose() { model.dispose(); }

    // ---------------------------------------------------------------- top

    private Node toolbar() {
        Button importButton = button("Import...", "dataset-import", "Import JSONL: original pairs, question files or HF chat");
        importButton.setOnAction(e -> {
            FileChooser fc = new FileChooser();
            fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("JSONL", "*.jsonl", "*.json"));
            List<File> files = fc.showOpenMultipleDialog(root.getScene().getWindow());
            if (files != null && !files.isEmpty()) model.importFiles(files.stream().map(File::toPath).toList(), DatasetFormat.AUTO);
        });
        MenuButton export = new MenuButton("Export");
        export.setId("dataset-export");
        MenuItem original = new MenuItem("Original format (folder, one file per topic)...");
        original.setOnAction(e -> {
            File dir = new DirectoryChooser().showDialog(root.getScene().getWindow());
            if (dir != null) model.export(dir.toPath(), DatasetFormat.ORIGINAL);
        });
        MenuItem chat = new MenuItem("HF chat messages (JSONL)...");
        chat.setOnAction(e -> saveAs("dataset-chat.jsonl", DatasetFormat.HF_CHAT));
        MenuItem approved = new MenuItem("Approved set for finetuning (JSONL)...");
        approved.setOnAction(e -> saveAs("approved.jsonl", DatasetFormat.FINETUNE));
        export.getItems().addAll(original, chat, approved);
        Button flag = button("Flag", "dataset-flag", "Recompute automatic flags (text detectors + near-duplicate questions)");
        flag.setOnAction(e -> model.runFlags(bitnut.dataset.FlagConfig.DEFAULT.nearDuplicateThreshold()));
        Button undo = button("Undo", "dataset-undo", "Undo the last change (Ctrl+Z)");
        undo.textProperty().bind(model.undoTextProperty());
        undo.disableProperty().bind(model.canUndoProperty().not());
        undo.setOnAction(e -> model.undo());
        Button redo = button("Redo", "dataset-redo", "Redo (Ctrl+Shift+Z)");
        redo.textProperty().bind(model.redoTextProperty());
        redo.disableProperty().bind(model.canRedoProperty().not());
        redo.setOnAction(e -> model.redo());
        ProgressIndicator busy = new ProgressIndicator();
        busy.setPrefSize(18, 18);
        busy.visibleProperty().bind(model.busyProperty());
        Label message = new Label();
        message.setId("dataset-message");
        message.textProperty().bind(model.messageProperty());
        HBox bar = new HBox(6, importButton, export, flag, new Separator(), undo, redo, busy, message);
        bar.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        return bar;
    }

    private void saveAs(String name, DatasetFormat format) {
        FileChooser fc = new FileChooser();
        fc.setInitialFileName(name);
        File f = fc.showSaveDialog(root.getScene().getWindow());
        if (f != null) model.export(f.toPath(), format);
    }

    private Node filters() {
        ComboBox<String> topic = new ComboBox<>();
        topic.setId("dataset-topic");
        topic.setPromptText("topic");
        Runnable fillTopics = () -> {
            String cur = model.topicProperty().get();
            topic.getItems().setAll(ANY);
            topic.getItems().addAll(model.topics());
            topic.setValue(cur == null ? ANY : cur);
        };
        model.topics().addListener((javafx.collections.ListChangeListener<String>) c -> fillTopics.run());
        fillTopics.run();
        topic.valueProperty().addListener((o, a, b) -> model.topicProperty().set(b == null || b.equals(ANY) ? null : b));
        ComboBox<String> status = enumBox("dataset-status-filter", ExampleStatus.values(), s -> model.statusProperty().set(s == null ? null : ExampleStatus.valueOf(s)));
        ComboBox<String> source = enumBox("dataset-source-filter", ExampleSource.values(), s -> model.sourceProperty().set(s == null ? null : ExampleSource.valueOf(s)));
        ComboBox<String> flag = enumBox("dataset-flag-filter", Flag.values(), s -> model.flagProperty().set(s == null ? null : Flag.valueOf(s)));
        TextField min = wordsField("dataset-min-words", "min words", model.minWordsProperty());
        TextField max = wordsField("dataset-max-words", "max words", model.maxWordsProperty());
        TextField search = new TextField();
        search.setId("dataset-search");
        search.setPromptText("search prompt and response");
        search.textProperty().bindBidirectional(model.searchProperty());
        HBox.setHgrow(search, Priority.ALWAYS);
        Label hint = new Label();
        hint.setId("dataset-search-hint");
        hint.setStyle("-fx-opacity: 0.75;");
        hint.textProperty().bind(model.searchHintProperty());
        hint.managedProperty().bind(hint.textProperty().isNotEmpty());
        Label count = new Label();
        count.setId("dataset-count");
        count.textProperty().bind(Bindings.format("%,d examples", model.rowCountProperty()));
        HBox box = new HBox(6, topic, status, source, flag, min, max, search, hint, count);
        box.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        return box;
    }

    private static <E extends Enum<E>> ComboBox<String> enumBox(String id, E[] values, java.util.function.Consumer<String> onPick) {
        ComboBox<String> box = new ComboBox<>();
        box.setId(id);
        box.getItems().add(ANY);
        for (E v : values) box.getItems().add(v.name());
        box.setValue(ANY);
        box.valueProperty().addListener((o, a, b) -> onPick.accept(b == null || b.equals(ANY) ? null : b));
        return box;
    }

    private static TextField wordsField(String id, String prompt, javafx.beans.property.ObjectProperty<Integer> target) {
        TextField f = new TextField();
        f.setId(id);
        f.setPromptText(prompt);
        f.setPrefColumnCount(6);
        Runnable apply = () -> {
            String t = f.getText().strip();
            try {
                target.set(t.isEmpty() ? null : Integer.parseInt(t));
                f.setStyle("");
            } catch (NumberFormatException ex) {
                f.setStyle("-fx-border-color: #c0392b;");
            }
        };
        f.setOnAction(e -> apply.run());
        f.focusedProperty().addListener((o, a, focused) -> { if (!focused) apply.run(); });
        return f;
    }

    // ---------------------------------------------------------------- table

    private Node tablePane() {
        table.setId("dataset-table");
        // every row is one line high: a fixed cell size spares the virtual flow measuring each new row's
        // cells on every scroll step (the cells' preferred height was 24 already)
        table.setFixedCellSize(24);
        table.setItems(model.rows());
        table.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.setPlaceholder(new Label("No examples match. Import JSONL or run the synth jobs."));
        table.getColumns().setAll(List.of(
                column("#", 60, e -> Long.toString(e.id()), false),
                column("Topic", 110, Example::topic, false),
                column("Status", 80, e -> e.status().dbName(), false),
                column("Flags", 110, e -> flagText(e), false),
                column("Prompt", 260, Example::prompt, true),
                column("Response", 360, e -> e.response() == null ? "(no answer yet)" : e.response(), true),
                column("Words", 60, e -> Integer.toString(e.responseWords()), false)));
        table.getSelectionModel().selectedItemProperty().addListener((o, a, row) -> selectRow(row));
        HBox bulk = new HBox(6, new Label("Selection:"),
                bulkButton("Approve", "dataset-bulk-approve-selected", ExampleStatus.APPROVED, false),
                bulkButton("Reject", "dataset-bulk-reject-selected", ExampleStatus.REJECTED, false),
                bulkButton("Needs edit", "dataset-bulk-needs-edit-selected", ExampleStatus.NEEDS_EDIT, false),
                new Separator(), new Label("All matching the filter:"),
                bulkButton("Approve", "dataset-bulk-approve-filter", ExampleStatus.APPROVED, true),
                bulkButton("Reject", "dataset-bulk-reject-filter", ExampleStatus.REJECTED, true),
                bulkButton("Needs edit", "dataset-bulk-needs-edit-filter", ExampleStatus.NEEDS_EDIT, true));
        bulk.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        VBox box = new VBox(4, table, bulk);
        VBox.setVgrow(table, Priority.ALWAYS);
        return box;
    }

    private static String flagText(Example e) {
        StringBuilder sb = new StringBuilder();
        for (Flag f : e.flags().toSet()) sb.append(sb.isEmpty() ? "" : ", ").append(f.label);
        return sb.toString();
    }

    private void selectRow(DatasetViewModel.Row row) {
        if (row == null) return;
        if (row.exampleProperty().get() != null) { model.select(row.exampleProperty().get()); return; }
        model.ensureLoaded(row);
        row.exampleProperty().addListener(new javafx.beans.value.ChangeListener<>() {
            @Override public void changed(javafx.beans.value.ObservableValue<? extends Example> o, Example a, Example b) {
                row.exampleProperty().removeListener(this);
                if (table.getSelectionModel().getSelectedItem() == row) model.select(b);
            }
        });
    }

    private Button bulkButton(String text, String id, ExampleStatus status, boolean onFilter) {
        Button b = button(text, id, onFilter ? "Set every example matching the current filter to " + status.dbName()
                : "Set the selected rows to " + status.dbName());
        b.setOnAction(e -> {
            if (onFilter) model.setStatusOfFilter(status);
            else model.setStatus(List.copyOf(table.getSelectionModel().getSelectedItems()), status);
        });
        return b;
    }

    private TableColumn<DatasetViewModel.Row, Example> column(String title, double width, Function<Example, String> text, boolean highlight) {
        TableColumn<DatasetViewModel.Row, Example> c = new TableColumn<>(title);
        c.setPrefWidth(width);
        c.setSortable(false);
        c.setCellValueFactory(cd -> {
            model.ensureLoaded(cd.getValue());
            return cd.getValue().exampleProperty();
        });
        c.setCellFactory(col -> new HighlightCell(text, highlight));
        return c;
    }

    /** A cell that shows one line of the example's text, with the search words highlighted. */
    private final class HighlightCell extends javafx.scene.control.TableCell<DatasetViewModel.Row, Example> {
        private final Function<Example, String> text;
        private final boolean highlight;

        HighlightCell(Function<Example, String> text, boolean highlight) {
            this.text = text;
            this.highlight = highlight;
            setPrefHeight(24);
        }

        @Override protected void updateItem(Example e, boolean empty) {
            super.updateItem(e, empty);
            setText(null);
            setGraphic(null);
            if (empty) return;
            if (e == null) { setText("..."); return; }
            String t = CellText.oneLine(text.apply(e), 240);
            List<String> terms = highlight ? model.searchTerms() : List.of();
            if (terms.isEmpty()) { setText(t); return; }
            setGraphic(Highlighter.flow(t, terms));
        }
    }


    // ---------------------------------------------------------------- detail

    private Node detail() {
        TextArea prompt = new TextArea();
        prompt.setId("dataset-prompt");
        prompt.setWrapText(true);
        prompt.setPrefRowCount(3);
        prompt.textProperty().bindBidirectional(model.editPromptProperty());
        TextArea response = new TextArea();
        response.setId("dataset-response");
        response.setWrapText(true);
        response.setPrefRowCount(10);
        response.textProperty().bindBidirectional(model.editResponseProperty());
        Label header = new Label("Select an example.");
        header.setId("dataset-detail-header");
        Label flags = new Label();
        flags.setId("dataset-flags");
        flags.setWrapText(true);
        Label meta = new Label();
        meta.setWrapText(true);
        meta.setStyle("-fx-opacity: 0.75;");
        model.selectedProperty().addListener((o, a, e) -> {
            if (e == null) { header.setText("Select an example."); flags.setText(""); meta.setText(""); return; }
            header.setText("#" + e.id() + "  " + e.topic() + "  " + e.status().dbName() + "  v" + e.version() + "  " + e.source().dbName());
            StringBuilder sb = new StringBuilder();
            for (var n : e.flagNotes().entrySet()) {
                Flag f = Flag.valueOf(n.getKey());
                sb.append(f.label).append(": ").append(n.getValue()).append("  (").append(f.meaning).append(")\n");
            }
            flags.setText(sb.isEmpty() ? "No automatic flags." : sb.toString().strip());
            meta.setText(e.metadata().isEmpty() ? "" : "metadata: " + e.metadata());
        });
        TextFlow diff = new TextFlow();
        diff.setId("dataset-diff");
        model.responseDiff().addListener((javafx.collections.ListChangeListener<bitnut.dataset.WordDiff.Piece>) c -> Highlighter.showDiff(diff, model.responseDiff()));
        ScrollPane diffScroll = new ScrollPane(diff);
        diffScroll.setFitToWidth(true);
        diffScroll.setPrefViewportHeight(120);
        Button save = button("Save edit", "dataset-save", "Save prompt and response (undoable)");
        save.setOnAction(e -> model.saveEdit());
        Button approve = button("Approve", "dataset-approve", "Mark approved (goes into the finetuning export)");
        approve.setOnAction(e -> model.setStatus(ExampleStatus.APPROVED));
        Button reject = button("Reject", "dataset-reject", "Mark rejected");
        reject.setOnAction(e -> model.setStatus(ExampleStatus.REJECTED));
        Button needsEdit = button("Needs edit", "dataset-needs-edit", "Mark as needing an edit");
        needsEdit.setOnAction(e -> model.setStatus(ExampleStatus.NEEDS_EDIT));
        for (Button b : List.of(save, approve, reject, needsEdit)) b.disableProperty().bind(model.selectedProperty().isNull());
        VBox edit = new VBox(6, header, flags, new Label("Prompt"), prompt, new Label("Response"), response,
                new HBox(6, save, approve, reject, needsEdit),
                new Label("Response vs the generated original (red: removed, green: added)"), diffScroll, meta);
        VBox.setVgrow(response, Priority.ALWAYS);
        edit.setPadding(new Insets(6));

        ListView<Revision> history = new ListView<>(model.history());
        history.setId("dataset-history");
        history.setCellFactory(l -> new ListCell<>() {
            @Override protected void updateItem(Revision r, boolean empty) {
                super.updateItem(r, empty);
                setText(empty || r == null ? null : "v" + r.version() + "  " + r.action() + "  " + r.status().dbName() + "  "
                        + TIME.format(Instant.ofEpochMilli(r.createdMillis())) + "\n" + CellText.oneLine(r.response() == null ? "(no answer)" : r.response(), 120));
            }
        });
        Button restore = button("Restore this version", "dataset-restore", "Bring the example back to the selected version (undoable)");
        restore.disableProperty().bind(history.getSelectionModel().selectedItemProperty().isNull());
        restore.setOnAction(e -> model.restore(history.getSelectionModel().getSelectedItem()));
        VBox hist = new VBox(6, history, restore);
        VBox.setVgrow(history, Priority.ALWAYS);
        hist.setPadding(new Insets(6));

        Tab chartsTab = new Tab("Charts", charts.node());
        chartsTab.setId("dataset-charts-tab");
        chartsTab.setOnSelectionChanged(e -> { if (chartsTab.isSelected()) charts.build(); });
        TabPane tabs = new TabPane(new Tab("Example", new ScrollPane(fit(edit))), new Tab("History", hist), chartsTab);
        tabs.setId("dataset-detail-tabs");
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        return tabs;
    }

    private static Node fit(VBox box) {
        box.setFillWidth(true);
        return box;
    }

    private static Button button(String text, String id, String tip) {
        Button b = new Button(text);
        b.setId(id);
        b.setTooltip(new Tooltip(tip));
        return b;
    }

    private static final class Separator extends Region {
        Separator() { setPrefWidth(12); }
    }

    static String pct(long n, long total) { return total == 0 ? "0%" : String.format(Locale.ROOT, "%.1f%%", 100.0 * n / total); }

}
