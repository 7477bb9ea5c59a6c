package bitnut.ui.synth;

import bitnut.synth.SynthInputs;
import bitnut.ui.CellText;
import bitnut.ui.FxJob;
import bitnut.ui.WorkbenchTab;
import javafx.beans.binding.Bindings;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.TitledPane;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.beans.property.ReadOnlyStringWrapper;

/**
 * The Prompts / Voice tab (Synth stage): left, the teacher, sampling and the two jobs with their
 * progress, cancel and the list of runs to resume; right, editors for the workspace's topics,
 * question styles and templates and BitNut's persona, and the newest generated rows. The API key
 * never appears here: only the name of the variable that holds it and whether it was found.
 */
public final class SynthView implements WorkbenchTab {
    private final SynthViewModel vm;
    private final SplitPane root = new SplitPane();

    public SynthView(SynthViewModel vm) {
        this.vm = vm;
        root.setId("synth-view");
        root.getItems().addAll(controls(), editors());
        root.setDividerPositions(0.38);
    }

    @Override public String title() { return "Prompts / Voice"; }   // the product brief's name for stage 5

    @Override public Node content() { return root; }

    @Override public void dispose() { vm.dispose(); }

    // ---- left: teacher, sampling, jobs ----

    private Node controls() {
        GridPane teacher = grid();
        row(teacher, 0, "Base URL", text("synth-base-url", vm.baseUrlProperty(), "OpenAI-compatible, e.g. http://127.0.0.1:8080/v1"));
        row(teacher, 1, "Model", text("synth-model", vm.modelProperty(), "model name sent with each request"));
        row(teacher, 2, "API key variable", text("synth-key-env", vm.apiKeyEnvProperty(),
                "NAME of the environment variable (or keychain account) holding the key, e.g. OPENAI_API_KEY. The key itself is never shown or saved."));
        Label keyStatus = new Label();
        keyStatus.setId("synth-key-status");
        keyStatus.textProperty().bind(vm.keyStatusProperty());
        keyStatus.setWrapText(true);
        teacher.add(keyStatus, 1, 3);
        row(teacher, 4, "Concurrency", intSpinner("synth-concurrency", vm.concurrencyProperty(), 1, 256));
        row(teacher, 5, "Timeout (s)", intSpinner("synth-timeout", vm.timeoutSecondsProperty(), 1, 3600));
        row(teacher, 6, "Retries", intSpinner("synth-retries", vm.maxRetriesProperty(), 0, 50));
        Button saveTeacher = button("synth-save-teacher", "Save teacher settings", vm::saveTeacher);
        teacher.add(saveTeacher, 1, 7);
        row(teacher, 8, "Or local checkpoint", text("synth-local-checkpoint", vm.localCheckpointProperty(),
                "A BitNet checkpoint folder (config.json + model.safetensors + tokenizer.json): the project's own engine answers in process, no server. Leave blank to use the URL above."));

        GridPane sampling = grid();
        row(sampling, 0, "Temperature", doubleSpinner("synth-temperature", vm.temperatureProperty(), 0, 5, 0.05));
        row(sampling, 1, "Top-p", doubleSpinner("synth-top-p", vm.topPProperty(), 0.01, 1, 0.01));
        row(sampling, 2, "Top-k (0 = off)", intSpinner("synth-top-k", vm.topKProperty(), 0, 1000));
        row(sampling, 3, "Max new tokens", intSpinner("synth-max-tokens", vm.maxTokensProperty(), 1, 32768));

        GridPane questions = grid();
        row(questions, 0, "Requests per topic", intSpinner("synth-per-topic", vm.requestsPerTopicProperty(), 1, 1000));
        row(questions, 1, "Questions per request", intSpinner("synth-per-request", vm.questionsPerRequestProperty(), 1, 100));
        row(questions, 2, "First N topics (0 = all)", intSpinner("synth-topic-limit", vm.topicLimitProperty(), 0, 100_000));
        row(questions, 3, "Near-duplicate threshold", doubleSpinner("synth-near-dup", vm.nearDuplicateThresholdProperty(), 0.05, 1, 0.05));
        Button runQuestions = button("synth-run-questions", "Generate questions", vm::runQuestions);
        runQuestions.disableProperty().bind(vm.busyProperty());
        questions.add(runQuestions, 1, 4);

        GridPane voice = grid();
        row(voice, 0, "Answer at most (0 = all)", intSpinner("synth-voice-limit", vm.voiceLimitProperty(), 0, 10_000_000));
        row(voice, 1, "Only topic (blank = all)", text("synth-voice-topic", vm.voiceTopicProperty(), "answer only this topic's questions"));
        Button runVoice = button("synth-run-voice", "Answer as BitNut", vm::runVoice);
        runVoice.disableProperty().bind(vm.busyProperty());
        voice.add(runVoice, 1, 2);

        ProgressBar progress = new ProgressBar(0);
        progress.setId("synth-progress");
        progress.setMaxWidth(Double.MAX_VALUE);
        Label phase = new Label();
        phase.setId("synth-phase");
        Label throughput = new Label();
        throughput.setId("synth-throughput");
        vm.currentJobProperty().addListener((o, old, job) -> bindJob(job, progress, phase, throughput));
        Button cancel = button("synth-cancel", "Cancel", vm::cancel);
        cancel.disableProperty().bind(vm.busyProperty().not());

        ListView<SynthViewModel.RunInfo> runs = new ListView<>(vm.runs());
        runs.setId("synth-runs");
        runs.setPrefHeight(120);
        runs.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> vm.selectedRunProperty().set(b));
        vm.selectedRunProperty().addListener((o, a, b) -> { if (b != null && b != runs.getSelectionModel().getSelectedItem()) runs.getSelectionModel().select(b); });
        Button resume = button("synth-resume", "Resume selected run", vm::resumeSelected);
        resume.disableProperty().bind(vm.busyProperty().or(vm.selectedRunProperty().isNull()));

        Label message = new Label();
        message.setId("synth-message");
        message.setWrapText(true);
        message.textProperty().bind(vm.messageProperty());

        VBox box = new VBox(8,
                titled("Teacher", teacher), titled("Sampling", sampling, false), titled("Questions", questions), titled("Voice", voice),
                progress, new HBox(12, phase, throughput), cancel,
                new Label("Runs (newest first)"), runs, resume, message);
        box.setPadding(new Insets(8));
        ScrollPane scroll = new ScrollPane(box);
        scroll.setFitToWidth(true);
        return scroll;
    }

    private static void bindJob(FxJob job, ProgressBar progress, Label phase, Label throughput) {
        progress.progressProperty().unbind();
        phase.textProperty().unbind();
        throughput.textProperty().unbind();
        if (job == null) return;
        progress.progressProperty().bind(job.progressProperty());
        phase.textProperty().bind(job.messageProperty());
        throughput.textProperty().bind(job.throughputProperty());
    }

    // ---- right: editors and recent rows ----

    private Node editors() {
        TabPane tabs = new TabPane();
        tabs.setId("synth-editors");
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        for (String file : SynthInputs.FILES) {
            String stem = file.replace(".txt", "");
            TextArea area = new TextArea();
            area.setId("synth-text-" + stem);
            area.setWrapText(true);
            area.textProperty().bindBidirectional(vm.textProperty(file));
            Button save = button("synth-save-" + stem, "Save", () -> vm.saveInput(file));
            save.disableProperty().bind(vm.dirtyProperty(file).not());
            Button reset = button("synth-reset-" + stem, "Reset to default", () -> vm.resetInput(file));
            VBox.setVgrow(area, Priority.ALWAYS);
            Tab tab = new Tab(file, new VBox(6, area, new HBox(8, save, reset)));
            tab.textProperty().bind(Bindings.when(vm.dirtyProperty(file)).then(file + " *").otherwise(file));
            tabs.getTabs().add(tab);
        }

        TableView<SynthViewModel.RecentItem> recent = new TableView<>(vm.recent());
        recent.setId("synth-recent");
        recent.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        recent.getColumns().add(column("Topic", SynthViewModel.RecentItem::topic, 110));
        recent.getColumns().add(column("Question", SynthViewModel.RecentItem::prompt, 240));
        recent.getColumns().add(column("BitNut's answer", r -> r.response() == null ? "(not answered yet)" : r.response(), 320));
        recent.setPlaceholder(new Label("Nothing generated yet"));
        Button refresh = button("synth-refresh-recent", "Refresh", vm::refreshRecent);

        VBox.setVgrow(tabs, Priority.ALWAYS);
        VBox.setVgrow(recent, Priority.ALWAYS);
        VBox box = new VBox(6, tabs, new HBox(8, new Label("Recently generated"), refresh), recent);
        box.setPadding(new Insets(8));
        return box;
    }

    // ---- small builders ----

    private static TableColumn<SynthViewModel.RecentItem, String> column(String title,
            java.util.function.Function<SynthViewModel.RecentItem, String> value, double width) {
        TableColumn<SynthViewModel.RecentItem, String> c = new TableColumn<>(title);
        c.setCellValueFactory(cd -> new ReadOnlyStringWrapper(CellText.oneLine(value.apply(cd.getValue()), 240)));
        c.setPrefWidth(width);
        return c;
    }

    private static GridPane grid() {
        GridPane g = new GridPane();
        g.setHgap(8);
        g.setVgap(6);
        return g;
    }

    private static void row(GridPane g, int row, String label, Node field) {
        Label l = new Label(label);
        l.setMinWidth(Region.USE_PREF_SIZE);   // the growing fields must not squeeze the labels to "..."
        g.add(l, 0, row);
        g.add(field, 1, row);
        GridPane.setHgrow(field, Priority.ALWAYS);
    }

    private static TitledPane titled(String title, Node content) { return titled(title, content, true); }

    private static TitledPane titled(String title, Node content, boolean expanded) {
        TitledPane p = new TitledPane(title, content);
        p.setCollapsible(true);
        p.setExpanded(expanded);
        return p;
    }

    private static TextField text(String id, javafx.beans.property.StringProperty p, String tip) {
        TextField f = new TextField();
        f.setId(id);
        f.textProperty().bindBidirectional(p);
        f.setTooltip(new Tooltip(tip));
        return f;
    }

    private static Button button(String id, String text, Runnable action) {
        Button b = new Button(text);
        b.setId(id);
        b.setMnemonicParsing(false);
        b.setOnAction(e -> action.run());
        return b;
    }

    private static Spinner<Integer> intSpinner(String id, IntegerProperty p, int min, int max) {
        Spinner<Integer> s = new Spinner<>(new SpinnerValueFactory.IntegerSpinnerValueFactory(min, max, p.get()));
        s.setId(id);
        s.setEditable(true);
        ObjectProperty<Integer> boxed = p.asObject();
        s.getValueFactory().valueProperty().bindBidirectional(boxed);
        s.getProperties().put("model", boxed); // keep the boxed property reachable for the binding
        return s;
    }

    private static Spinner<Double> doubleSpinner(String id, DoubleProperty p, double min, double max, double step) {
        Spinner<Double> s = new Spinner<>(new SpinnerValueFactory.DoubleSpinnerValueFactory(min, max, p.get(), step));
        s.setId(id);
        s.setEditable(true);
        ObjectProperty<Double> boxed = p.asObject();
        s.getValueFactory().valueProperty().bindBidirectional(boxed);
        s.getProperties().put("model", boxed);
        return s;
    }
}
