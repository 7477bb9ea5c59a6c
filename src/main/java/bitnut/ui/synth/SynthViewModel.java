package bitnut.ui.synth;

import bitnut.common.JobKinds;
import bitnut.common.JobState;
import bitnut.dataset.DatasetStore;
import bitnut.dataset.Example;
import bitnut.dataset.ExampleFilter;
import bitnut.synth.ApiKeys;
import bitnut.synth.QuestionJob;
import bitnut.synth.QuestionJobConfig;
import bitnut.synth.RunLedger;
import bitnut.synth.Sampling;
import bitnut.synth.SynthInputs;
import bitnut.synth.SynthJobs;
import bitnut.synth.TeacherSettings;
import bitnut.synth.Teachers;
import bitnut.synth.VoiceJob;
import bitnut.synth.VoiceJobConfig;
import bitnut.ui.AppServices;
import bitnut.ui.FxJob;
import javafx.application.Platform;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * The Prompts / Voice tab's model: teacher settings (never the key itself), the editable inputs
 * of workspace/synth/, the question and voice jobs with their progress, the list of runs (resume),
 * and the most recently generated rows. Properties first, then commands. FX thread only; store
 * reads and the keychain lookup run on one background reader thread.
 */
public final class SynthViewModel {
    /** A run folder in workspace/synth/runs/, as the runs list shows it. */
    public record RunInfo(String runId, String kind, String progress) {
        @Override public String toString() { return runId + "  " + progress; }
    }

    /** A recently generated row (question, and answer when the voice job has written one). */
    public record RecentItem(long id, String topic, String prompt, String response) { }

    static final int RECENT = 30;

    private final AppServices services;
    private final Path synthDir;
    private final ExecutorService reader = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name("synth-tab-reader").unstarted(r));
    private SynthInputs inputs;
    private DatasetStore readStore;
    private long lastRecentRefresh;

    // ---- teacher ----
    private final StringProperty baseUrl = new SimpleStringProperty(this, "baseUrl");
    private final StringProperty model = new SimpleStringProperty(this, "model");
    private final StringProperty apiKeyEnv = new SimpleStringProperty(this, "apiKeyEnv");
    private final IntegerProperty concurrency = new SimpleIntegerProperty(this, "concurrency");
    private final IntegerProperty timeoutSeconds = new SimpleIntegerProperty(this, "timeoutSeconds");
    private final IntegerProperty maxRetries = new SimpleIntegerProperty(this, "maxRetries");
    private final ReadOnlyStringWrapper keyStatus = new ReadOnlyStringWrapper(this, "keyStatus", "");
    /** A BitNet checkpoint folder: when set, the in-process engine is the teacher instead of the URL. */
    private final StringProperty localCheckpoint = new SimpleStringProperty(this, "localCheckpoint", "");
    // ---- sampling (both jobs) ----
    private final DoubleProperty temperature = new SimpleDoubleProperty(this, "temperature", Sampling.voice().temperature());
    private final DoubleProperty topP = new SimpleDoubleProperty(this, "topP", Sampling.voice().topP());
    private final IntegerProperty topK = new SimpleIntegerProperty(this, "topK", Sampling.voice().topK());
    private final IntegerProperty maxTokens = new SimpleIntegerProperty(this, "maxTokens", Sampling.voice().maxTokens());
    // ---- question job ----
    private final IntegerProperty requestsPerTopic = new SimpleIntegerProperty(this, "requestsPerTopic", 3);
    private final IntegerProperty questionsPerRequest = new SimpleIntegerProperty(this, "questionsPerRequest", 10);
    private final IntegerProperty topicLimit = new SimpleIntegerProperty(this, "topicLimit", 0);
    private final DoubleProperty nearDuplicateThreshold = new SimpleDoubleProperty(this, "nearDuplicateThreshold", 0.7);
    // ---- voice job ----
    private final IntegerProperty voiceLimit = new SimpleIntegerProperty(this, "voiceLimit", 0);
    private final StringProperty voiceTopic = new SimpleStringProperty(this, "voiceTopic", "");
    // ---- inputs ----
    private final Map<String, StringProperty> texts = new LinkedHashMap<>();
    private final Map<String, BooleanProperty> dirty = new LinkedHashMap<>();
    // ---- jobs, runs, results ----
    private final ReadOnlyObjectWrapper<FxJob> currentJob = new ReadOnlyObjectWrapper<>(this, "currentJob");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(this, "busy");
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper(this, "message", "");
    private final ObservableList<RunInfo> runs = FXCollections.observableArrayList();
    private final ObjectProperty<RunInfo> selectedRun = new SimpleObjectProperty<>(this, "selectedRun");
    private final ObservableList<RecentItem> recent = FXCollections.observableArrayList();

    public SynthViewModel(AppServices services) {
        this.services = services;
        this.synthDir = services.workspace().synthDir();
        SynthJobs.register();
        try {
            inputs = SynthInputs.open(synthDir);
            for (String f : SynthInputs.FILES) {
                StringProperty p = new SimpleStringProperty(this, f, inputs.read(f));
                BooleanProperty d = new SimpleBooleanProperty(this, f + ".dirty");
                p.addListener((o, a, b) -> d.set(true));
                texts.put(f, p);
                dirty.put(f, d);
            }
        } catch (IOException e) {
            message.set("Cannot read " + synthDir + ": " + e.getMessage());
            for (String f : SynthInputs.FILES) { texts.put(f, new SimpleStringProperty(this, f, "")); dirty.put(f, new SimpleBooleanProperty()); }
        }
        TeacherSettings t;
        try {
            t = TeacherSettings.load(synthDir);
        } catch (IOException e) {
            message.set(e.getMessage());
            t = TeacherSettings.defaults();
        }
        showTeacher(t);
        apiKeyEnv.addListener((o, a, b) -> refreshKeyStatus());
        refreshKeyStatus();
        refreshRuns();
        refreshRecent();
    }

    // ---- properties ----
    public StringProperty baseUrlProperty() { return baseUrl; }
    public StringProperty modelProperty() { return model; }
    public StringProperty apiKeyEnvProperty() { return apiKeyEnv; }
    public IntegerProperty concurrencyProperty() { return concurrency; }
    public IntegerProperty timeoutSecondsProperty() { return timeoutSeconds; }
    public IntegerProperty maxRetriesProperty() { return maxRetries; }
    /** Where the key would come from ("environment variable X", "OS keychain", "none") - never the key. */
    public ReadOnlyStringProperty keyStatusProperty() { return keyStatus.getReadOnlyProperty(); }
    public StringProperty localCheckpointProperty() { return localCheckpoint; }
    public DoubleProperty temperatureProperty() { return temperature; }
    public DoubleProperty topPProperty() { return topP; }
    public IntegerProperty topKProperty() { return topK; }
    public IntegerProperty maxTokensProperty() { return maxTokens; }
    public IntegerProperty requestsPerTopicProperty() { return requestsPerTopic; }
    public IntegerProperty questionsPerRequestProperty() { return questionsPerRequest; }
    /** Only the first N topics of topics.txt (0 = all). */
    public IntegerProperty topicLimitProperty() { return topicLimit; }
    public DoubleProperty nearDuplicateThresholdProperty() { return nearDuplicateThreshold; }
    /** Answer at most N questions (0 = all). */
    public IntegerProperty voiceLimitProperty() { return voiceLimit; }
    public StringProperty voiceTopicProperty() { return voiceTopic; }
    /** The text of one input file ({@link SynthInputs#FILES}) as edited. */
    public StringProperty textProperty(String file) { return texts.get(file); }
    /** True while the editor holds changes not saved to the workspace. */
    public BooleanProperty dirtyProperty(String file) { return dirty.get(file); }
    public ReadOnlyObjectProperty<FxJob> currentJobProperty() { return currentJob.getReadOnlyProperty(); }
    public ReadOnlyBooleanProperty busyProperty() { return busy.getReadOnlyProperty(); }
    /** The last outcome or problem, one line. */
    public ReadOnlyStringProperty messageProperty() { return message.getReadOnlyProperty(); }
    public ObservableList<RunInfo> runs() { return runs; }
    public ObjectProperty<RunInfo> selectedRunProperty() { return selectedRun; }
    public ObservableList<RecentItem> recent() { return recent; }

    // ---- commands ----

    /** Saves the teacher settings to workspace/synth/teacher.json (the CLI uses them too). */
    public boolean saveTeacher() {
        TeacherSettings t = teacherOrNull();
        if (t == null) return false;
        try {
            t.save(synthDir);
            message.set("Teacher settings saved to " + synthDir.resolve(TeacherSettings.FILE));
            return true;
        } catch (IOException e) {
            message.set("Cannot save teacher settings: " + e.getMessage());
            return false;
        }
    }

    /** Saves one edited input file (checked first: a bad placeholder is refused with file:line). */
    public boolean saveInput(String file) {
        try {
            inputs.write(file, texts.get(file).get());
            dirty.get(file).set(false);
            message.set("Saved " + file);
            return true;
        } catch (IOException | IllegalArgumentException | NullPointerException e) {
            message.set("Not saved: " + e.getMessage());
            return false;
        }
    }

    /** Puts the bundled default text into the editor (saved only by {@link #saveInput}). */
    public void resetInput(String file) {
        try {
            texts.get(file).set(SynthInputs.bundled(file));
        } catch (IOException e) {
            message.set(e.getMessage());
        }
    }

    /** Saves dirty inputs and the teacher, then starts the question job. */
    public FxJob runQuestions() {
        if (!prepareRun()) return null;
        try {
            List<String> topics = inputs.topics();
            if (topicLimit.get() > 0 && topics.size() > topicLimit.get()) topics = topics.subList(0, topicLimit.get());
            var cfg = new QuestionJobConfig(topics, requestsPerTopic.get(), questionsPerRequest.get(),
                    nearDuplicateThreshold.get(), sampling(), teacherSpec());
            return submit(QuestionJob.start(services.workspace(), cfg, null));
        } catch (IOException | RuntimeException e) {
            message.set("Cannot start: " + e.getMessage());
            return null;
        }
    }

    /** Saves dirty inputs and the teacher, then starts the voice job. */
    public FxJob runVoice() {
        if (!prepareRun()) return null;
        try {
            var cfg = new VoiceJobConfig(voiceLimit.get(), voiceTopic.get(), sampling(), teacherSpec());
            return submit(VoiceJob.start(services.workspace(), cfg, null));
        } catch (RuntimeException e) {
            message.set("Cannot start: " + e.getMessage());
            return null;
        }
    }

    /** Asks the running job to stop; what it committed stays, the rest is picked up by Resume. */
    public void cancel() {
        FxJob j = currentJob.get();
        if (j != null) j.cancel();
    }

    /** Continues the selected run from its saved spec (at most its in-flight requests are redone). */
    public FxJob resumeSelected() {
        RunInfo r = selectedRun.get();
        if (r == null || busy.get()) return null;
        try {
            Map<String, Object> spec = RunLedger.spec(synthDir, r.runId());
            var resumer = JobKinds.resumer(String.valueOf(spec.get("kind")))
                    .orElseThrow(() -> new IOException("unknown run kind " + spec.get("kind")));
            return submit(resumer.apply(services.workspace().root(), spec));
        } catch (IOException | RuntimeException e) {
            message.set("Cannot resume " + r.runId() + ": " + e.getMessage());
            return null;
        }
    }

    /** Re-reads workspace/synth/runs/ (small files: spec and ledger line counts). */
    public void refreshRuns() {
        List<RunInfo> out = new ArrayList<>();
        Path dir = RunLedger.runsDir(synthDir);
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.sorted().toList().reversed()) {
                    String id = p.getFileName().toString();
                    try {
                        Map<String, Object> spec = RunLedger.spec(synthDir, id);
                        int done = RunLedger.entries(synthDir, id).size();
                        String kind = String.valueOf(spec.get("kind"));
                        String progress = QuestionJob.KIND.equals(kind)
                                ? "questions: " + done + "/" + ((List<?>) spec.get("topics")).size() * ((Number) spec.get("requests_per_topic")).intValue() + " requests"
                                : "voice: " + done + " answers";
                        out.add(new RunInfo(id, kind, progress));
                    } catch (IOException | RuntimeException e) {
                        out.add(new RunInfo(id, "?", "unreadable: " + e.getMessage()));
                    }
                }
            } catch (IOException e) {
                message.set("Cannot list runs: " + e.getMessage());
            }
        }
        RunInfo sel = selectedRun.get();
        runs.setAll(out);
        if (sel != null) out.stream().filter(r -> r.runId().equals(sel.runId())).findFirst().ifPresent(selectedRun::set);
    }

    /** Loads the newest rows of the dataset in the background. */
    public void refreshRecent() {
        lastRecentRefresh = System.currentTimeMillis();
        reader.execute(() -> {
            try {
                if (readStore == null) {
                    // nothing generated yet: do not create (and migrate) dataset.db just to list nothing,
                    // which would race the Dataset tab doing the same on a fresh workspace
                    if (!Files.exists(DatasetStore.path(services.workspace()))) return;
                    readStore = DatasetStore.open(services.workspace());
                }
                long[] ids = readStore.ids(ExampleFilter.ALL);
                long[] newest = Arrays.copyOfRange(ids, Math.max(0, ids.length - RECENT), ids.length);
                List<RecentItem> items = new ArrayList<>();
                for (Example e : readStore.load(newest, 0, newest.length).reversed()) {
                    items.add(new RecentItem(e.id(), e.topic(), e.prompt(), e.response()));
                }
                Platform.runLater(() -> recent.setAll(items));
            } catch (Exception e) {
                Platform.runLater(() -> message.set("Cannot read the dataset: " + e.getMessage()));
            }
        });
    }

    public void dispose() {
        reader.execute(() -> { if (readStore != null) readStore.close(); });
        reader.shutdown();
    }

    // ---- internals ----

    private boolean prepareRun() {
        if (busy.get()) {
            message.set("A synth job is already running; cancel it first.");
            return false;
        }
        for (String f : SynthInputs.FILES) if (dirty.get(f).get() && !saveInput(f)) return false;
        return !localCheckpoint.get().isBlank() || saveTeacher();
    }

    private FxJob submit(bitnut.common.Job job) {
        FxJob fx = services.jobs().submit(job);
        currentJob.set(fx);
        busy.set(true);
        message.set("Running: " + job.title());
        fx.onLog(lines -> {
            if (System.currentTimeMillis() - lastRecentRefresh > 1000) refreshRecent();
        });
        fx.onFinished(j -> {
            busy.set(false);
            JobState s = j.getJobState();
            message.set(s == JobState.SUCCEEDED ? j.getValue()
                    : s == JobState.CANCELLED ? "Cancelled; what was stored stays. Select the run and press Resume to continue."
                    : "Failed: " + j.errorProperty().get());
            refreshRuns();
            refreshRecent();
        });
        refreshRuns();
        return fx;
    }

    /** The local engine when a checkpoint folder is given, else the HTTP teacher. */
    private Map<String, Object> teacherSpec() {
        String ckpt = localCheckpoint.get() == null ? "" : localCheckpoint.get().strip();
        if (!ckpt.isEmpty()) {
            Path dir = Path.of(ckpt);
            if (!Files.isRegularFile(dir.resolve("config.json"))) throw new IllegalArgumentException(dir + " is not a checkpoint folder (no config.json)");
            return Teachers.localSpec(dir, Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())));
        }
        return Teachers.spec(teacherOrNull());
    }

    private Sampling sampling() {
        return new Sampling(temperature.get(), topP.get(), topK.get(), maxTokens.get());
    }

    private TeacherSettings teacherOrNull() {
        try {
            TeacherSettings t = new TeacherSettings(baseUrl.get(), model.get(), apiKeyEnv.get(), concurrency.get(),
                    timeoutSeconds.get(), maxRetries.get());
            t.endpoint();
            if (t.model().isEmpty()) throw new IllegalArgumentException("No model name.");
            return t;
        } catch (IllegalArgumentException e) {
            message.set("Teacher settings: " + e.getMessage());
            return null;
        }
    }

    private void showTeacher(TeacherSettings t) {
        baseUrl.set(t.baseUrl());
        model.set(t.model());
        apiKeyEnv.set(t.apiKeyEnv());
        concurrency.set(t.concurrency());
        timeoutSeconds.set(t.timeoutSeconds());
        maxRetries.set(t.maxRetries());
    }

    private void refreshKeyStatus() {
        String name = apiKeyEnv.get();
        reader.execute(() -> {
            String src = ApiKeys.source(name);
            String text = "none".equals(src)
                    ? (name == null || name.isBlank() ? "No API key (fine for a local server)" : "No key found in " + name + " or the keychain (fine for a local server)")
                    : "API key found: " + src;
            Platform.runLater(() -> { if (java.util.Objects.equals(name, apiKeyEnv.get())) keyStatus.set(text); });
        });
    }
}
