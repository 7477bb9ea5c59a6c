package bitnut.ui.finetune;

import bitnut.common.Job;
import bitnut.common.JobContext;
import bitnut.common.JobState;
import bitnut.common.Lane;
import bitnut.finetune.FinetuneConfig;
import bitnut.finetune.FinetuneJob;
import bitnut.finetune.FinetuneRun;
import bitnut.finetune.SampleAnswer;
import bitnut.infer.ChatSession;
import bitnut.infer.GenerationResult;
import bitnut.infer.Generator;
import bitnut.infer.HfTokenCodec;
import bitnut.infer.ModelLoader;
import bitnut.infer.SamplingSettings;
import bitnut.infer.Transformer;
import bitnut.train.Checkpoints;
import bitnut.ui.AppServices;
import bitnut.ui.FxJob;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
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
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The Finetune tab's state and commands, testable without a window. Properties first (the run form,
 * the running job, the before/after table, the chat), then commands (apply a preset, start, stop,
 * open a run folder, chat with its latest checkpoint). Metric events of the running job and the
 * metrics.jsonl of an opened run both go to the chart listeners as (name, step, value) points.
 */
public final class FinetuneViewModel {

    /** One held-out prompt with the base checkpoint's answer and the latest finetuned answer. */
    public record Comparison(String prompt, String baseAnswer, boolean baseEos, String tunedAnswer, boolean tunedEos) { }

    private final AppServices services;

    // ---- the run form
    private final StringProperty base = new SimpleStringProperty("");
    private final StringProperty data = new SimpleStringProperty("");
    private final StringProperty runName = new SimpleStringProperty("");
    private final ObjectProperty<FinetuneConfig.Preset> preset = new SimpleObjectProperty<>(FinetuneConfig.Preset.BITNET);
    private final IntegerProperty epochs = new SimpleIntegerProperty();
    private final IntegerProperty batchSize = new SimpleIntegerProperty();
    private final IntegerProperty accumulation = new SimpleIntegerProperty();
    private final IntegerProperty seqLen = new SimpleIntegerProperty();
    private final DoubleProperty lr = new SimpleDoubleProperty();
    private final IntegerProperty warmup = new SimpleIntegerProperty();
    private final DoubleProperty weightDecay = new SimpleDoubleProperty();
    private final ObjectProperty<FinetuneConfig.LossReduction> reduction = new SimpleObjectProperty<>();
    private final DoubleProperty valFraction = new SimpleDoubleProperty();
    private final IntegerProperty evalEvery = new SimpleIntegerProperty();

    // ---- the run
    private final ReadOnlyObjectWrapper<FxJob> job = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<Path> runDir = new ReadOnlyObjectWrapper<>();
    private final StringProperty status = new SimpleStringProperty("Choose a pretrain checkpoint and a JSONL of examples.");
    private final ObservableList<Comparison> comparison = FXCollections.observableArrayList();
    private final StringProperty voiceSummary = new SimpleStringProperty("");
    private final ObservableList<Path> runs = FXCollections.observableArrayList();
    private final List<Consumer<List<FxJob.Metric>>> chartListeners = new ArrayList<>();
    private final List<Runnable> chartResets = new ArrayList<>();

    // ---- chat with the run's latest checkpoint
    private final ObservableList<String> chat = FXCollections.observableArrayList();
    private final BooleanProperty chatBusy = new SimpleBooleanProperty(false);
    private ChatSession chatSession;
    private HfTokenCodec chatCodec;
    private Path chatCheckpoint;

    public FinetuneViewModel(AppServices services) {
        this.services = services;
        FinetuneJob.register();
        applyPreset();
        refreshRuns();
    }

    public StringProperty baseProperty() { return base; }
    public StringProperty dataProperty() { return data; }
    public StringProperty runNameProperty() { return runName; }
    public ObjectProperty<FinetuneConfig.Preset> presetProperty() { return preset; }
    public IntegerProperty epochsProperty() { return epochs; }
    public IntegerProperty batchSizeProperty() { return batchSize; }
    public IntegerProperty accumulationProperty() { return accumulation; }
    public IntegerProperty seqLenProperty() { return seqLen; }
    public DoubleProperty lrProperty() { return lr; }
    public IntegerProperty warmupProperty() { return warmup; }
    public DoubleProperty weightDecayProperty() { return weightDecay; }
    public ObjectProperty<FinetuneConfig.LossReduction> reductionProperty() { return reduction; }
    public DoubleProperty valFractionProperty() { return valFraction; }
    public IntegerProperty evalEveryProperty() { return evalEvery; }
    public ReadOnlyObjectProperty<FxJob> jobProperty() { return job.getReadOnlyProperty(); }
    public ReadOnlyObjectProperty<Path> runDirProperty() { return runDir.getReadOnlyProperty(); }
    public StringProperty statusProperty() { return status; }
    public ObservableList<Comparison> comparison() { return comparison; }
    public StringProperty voiceSummaryProperty() { return voiceSummary; }
    public ObservableList<String> chat() { return chat; }
    /** Run folders under workspace/finetune/, newest name last. */
    public ObservableList<Path> runs() { return runs; }
    public BooleanProperty chatBusyProperty() { return chatBusy; }

    /** Charts subscribe here: points (name, step, value) from the live job or an opened run. */
    public void onMetrics(Consumer<List<FxJob.Metric>> listener) { chartListeners.add(listener); }

    /** Charts clear themselves here when another run is started or opened. */
    public void onChartsReset(Runnable reset) { chartResets.add(reset); }

    // ---------------------------------------------------------------------------------- commands

    /** Fills the form with the selected preset's values. */
    public void applyPreset() {
        FinetuneConfig p = FinetuneConfig.preset(preset.get(), Path.of("."), Path.of("."), Path.of("."));
        epochs.set(p.epochs());
        batchSize.set(p.batchSize());
        accumulation.set(p.accumulation());
        seqLen.set(p.seqLen());
        lr.set(p.lr());
        warmup.set(p.warmupSteps());
        weightDecay.set(p.weightDecay());
        reduction.set(p.reduction());
        valFraction.set(p.valFraction());
        evalEvery.set(p.evalEvery());
    }

    /** The form as a run configuration; throws IllegalArgumentException with a readable message. */
    public FinetuneConfig config() {
        if (base.get().isBlank()) throw new IllegalArgumentException("Choose the pretrain checkpoint to start from.");
        if (data.get().isBlank()) throw new IllegalArgumentException("Choose the JSONL file of examples.");
        Path b = Path.of(base.get().strip());
        if (!Files.isRegularFile(b.resolve(Checkpoints.CONFIG))) {
            try {
                b = new Checkpoints(b).latest().orElseThrow(() -> new IllegalArgumentException(
                        base.get() + " is not a checkpoint folder (config.json) nor a run with checkpoints.")).dir();
            } catch (IOException e) {
                throw new IllegalArgumentException(e.getMessage());
            }
        }
        Path d = Path.of(data.get().strip());
        if (!Files.exists(d)) throw new IllegalArgumentException("No such file or folder: " + d);
        String name = runName.get().isBlank() ? "run-" + System.currentTimeMillis() / 1000 : runName.get().strip();
        Path out = services.workspace().finetuneDir().resolve(name);
        FinetuneConfig p = FinetuneConfig.preset(preset.get(), b.toAbsolutePath(), d.toAbsolutePath(), out);
        return new FinetuneConfig(p.base(), p.data(), p.out(), p.preset(), epochs.get(), batchSize.get(), accumulation.get(),
                seqLen.get(), lr.get(), p.minLrRatio(), warmup.get(), weightDecay.get(), p.gradClip(), reduction.get(),
                valFraction.get(), evalEvery.get(), p.samplePrompts(), p.maxNewTokens(), p.checkpointEvery(), p.seed());
    }

    /** Starts (or, for an existing run folder with the same settings, resumes) the finetune job. */
    public FxJob start() {
        FinetuneConfig c;
        try {
            c = config();
        } catch (IllegalArgumentException e) {
            status.set(e.getMessage());
            return null;
        }
        chartResets.forEach(Runnable::run);
        runDir.set(c.out());
        FxJob j = services.jobs().submit(new FinetuneJob(c));
        job.set(j);
        status.set("Queued: " + c.out().getFileName());
        j.onMetrics(points -> chartListeners.forEach(l -> l.accept(points)));
        j.messageProperty().addListener((o, a, m) -> { if (m != null && !m.isBlank()) status.set(m); });
        j.onMetrics(points -> {
            if (points.stream().anyMatch(p -> p.name().equals("eos_share"))) refreshResults();
        });
        j.onFinished(done -> {
            refreshResults();
            refreshRuns();
            status.set(done.getJobState() == JobState.SUCCEEDED ? done.getValue()
                    : done.getJobState() + (done.getException() != null ? ": " + done.getException().getMessage() : ""));
        });
        return j;
    }

    /** Re-lists the run folders of the workspace. */
    public void refreshRuns() {
        List<Path> found = new ArrayList<>();
        try (var s = Files.list(services.workspace().finetuneDir())) {
            s.filter(d -> new FinetuneRun(d).exists()).sorted().forEach(found::add);
        } catch (IOException e) {
            // no finetune folder yet: nothing to list
        }
        runs.setAll(found);
    }

    public void stop() {
        FxJob j = job.get();
        if (j != null) j.cancel();
    }

    /** Shows an existing run folder: its charts from metrics.jsonl and its latest before/after table. */
    public void openRun(Path dir) {
        FinetuneRun run = new FinetuneRun(dir);
        if (!run.exists()) {
            status.set(dir + " is not a finetune run (no " + FinetuneRun.CONFIG + ").");
            return;
        }
        runDir.set(dir);
        chartResets.forEach(Runnable::run);
        try {
            FinetuneConfig c = run.readConfig();
            base.set(c.base().toString());
            data.set(c.data().toString());
            runName.set(dir.getFileName().toString());
            preset.set(c.preset());
            epochs.set(c.epochs());
            batchSize.set(c.batchSize());
            accumulation.set(c.accumulation());
            seqLen.set(c.seqLen());
            lr.set(c.lr());
            warmup.set(c.warmupSteps());
            weightDecay.set(c.weightDecay());
            reduction.set(c.reduction());
            valFraction.set(c.valFraction());
            evalEvery.set(c.evalEvery());
            List<FxJob.Metric> points = new ArrayList<>();
            for (Map<String, Object> m : run.readMetrics()) {
                double step = ((Number) m.get("step")).doubleValue();
                for (String k : List.of("loss", "lr", "tokens_per_s")) {
                    if (m.get(k) instanceof Number n) points.add(new FxJob.Metric(k.equals("loss") ? "train_loss" : k, step, n.doubleValue()));
                }
            }
            for (FinetuneRun.Evaluation e : run.readEvaluations()) {
                if (e.valLoss() != null) points.add(new FxJob.Metric("val_loss", e.step(), e.valLoss()));
            }
            chartListeners.forEach(l -> l.accept(points));
            refreshResults();
            status.set("Opened " + dir.getFileName());
        } catch (IOException | RuntimeException e) {
            status.set("Cannot read " + dir + ": " + e.getMessage());
        }
    }

    /** Reloads the before/after table from the run folder. */
    public void refreshResults() {
        Path dir = runDir.get();
        if (dir == null) return;
        FinetuneRun run = new FinetuneRun(dir);
        try {
            var before = run.readBaseAnswers();
            List<FinetuneRun.Evaluation> evals = run.readEvaluations();
            FinetuneRun.Evaluation after = evals.isEmpty() ? null : evals.get(evals.size() - 1);
            comparison.setAll(rows(before.map(FinetuneRun.BaseAnswers::answers).orElse(List.of()),
                    after == null ? List.of() : after.answers()));
            voiceSummary.set((before.map(b -> "Base: " + b.voice().describe()).orElse("Base: not answered yet"))
                    + (after == null ? "" : "\nStep " + after.step() + ": " + after.voice().describe()
                    + (after.valLoss() == null ? "" : String.format(" | val loss %.4f", after.valLoss()))));
        } catch (IOException e) {
            status.set("Cannot read results: " + e.getMessage());
        }
    }

    static List<Comparison> rows(List<SampleAnswer> base, List<SampleAnswer> tuned) {
        List<Comparison> out = new ArrayList<>();
        int n = Math.max(base.size(), tuned.size());
        for (int i = 0; i < n; i++) {
            SampleAnswer b = i < base.size() ? base.get(i) : null, t = i < tuned.size() ? tuned.get(i) : null;
            String prompt = b != null ? b.prompt() : t.prompt();
            out.add(new Comparison(prompt, b == null ? "" : b.answer(), b != null && b.endedWithEos(),
                    t == null ? "" : t.answer(), t != null && t.endedWithEos()));
        }
        return out;
    }

    /**
     * Sends {@code message} to the run's latest checkpoint (pure-Java engine, loaded on first use and
     * again when a newer checkpoint appears) as a CPU-lane job; the answer appends to {@link #chat()}.
     */
    public FxJob sendChat(String message) {
        Path dir = runDir.get();
        if (message == null || message.isBlank()) return null;
        if (dir == null) {
            chat.add("(open or start a run first)");
            return null;
        }
        chat.add("human: " + message.strip());
        chatBusy.set(true);
        String[] answer = new String[1];
        Job chatJob = new Job() {
            @Override public String kind() { return "finetune.chat"; }
            @Override public String title() { return "Chat with " + dir.getFileName(); }
            @Override public Lane lane() { return Lane.CPU; }
            @Override public String run(JobContext ctx) throws Exception {
                ChatSession session = session(dir, ctx);
                GenerationResult r = session.send(message, SamplingSettings.DEFAULT, delta -> { }, ctx::cancelRequested);
                answer[0] = r.text().strip();
                return r.speedLine();
            }
        };
        FxJob j = services.jobs().submit(chatJob);
        j.onFinished(done -> {
            chatBusy.set(false);
            chat.add(done.getJobState() == JobState.SUCCEEDED ? "bitnut: " + answer[0]
                    : "(" + done.getJobState() + (done.getException() != null ? ": " + done.getException().getMessage() : "") + ")");
        });
        return j;
    }

    private synchronized ChatSession session(Path runFolder, JobContext ctx) throws IOException {
        Path latest = new Checkpoints(runFolder).latest().orElseThrow(() -> new IOException(
                "no checkpoint in " + runFolder + " yet (the first one is written at the first checkpoint step)")).dir();
        if (chatSession == null || !latest.equals(chatCheckpoint)) {
            ctx.log("loading " + latest);
            var model = ModelLoader.loadAny(latest, ModelLoader.Options.DEFAULT);
            HfTokenCodec codec = HfTokenCodec.load(latest);
            if (chatCodec != null) chatCodec.close();
            chatCodec = codec;
            Transformer tf = new Transformer(model, Math.max(1, Runtime.getRuntime().availableProcessors() / 2), 1);
            chatSession = new ChatSession(new Generator(tf, codec));
            chatCheckpoint = latest;
        }
        return chatSession;
    }
}
