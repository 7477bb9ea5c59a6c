/*
 * PretrainViewModel — the Pretrain tab's state and commands, testable without a window: the run form
 * (model preset + overrides with a live parameter count, shards, schedule, batch, budget, cadences),
 * the running bitnut.pretrain.PretrainJob (start, pause, stop-and-save, resume), and what the charts and
 * side panels show (metric points, tokens seen, samples, checkpoints). Follows FinetuneViewModel.
 */
package bitnut.ui.pretrain;

import bitnut.common.JobState;
import bitnut.model.BitNetConfig;
import bitnut.model.ModelPresets;
import bitnut.pretrain.ShardTokenizer;
import bitnut.pretrain.PretrainJob;
import bitnut.pretrain.PretrainRun;
import bitnut.train.Checkpoints;
import bitnut.train.TrainConfig;
import bitnut.ui.AppServices;
import bitnut.ui.FxJob;
import javafx.beans.property.*;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

public final class PretrainViewModel {
    /** Prefix of the overlay series: an earlier run's metric "train_loss" is drawn as "earlier_train_loss". */
    public static final String OVERLAY = "earlier_";
    /** Points per metric drawn when a whole history is (re)drawn; longer histories are thinned (notes/javafx.md). */
    public static final int DISPLAY_POINTS = 4000;

    private final AppServices services;

    // ---- model form
    private final StringProperty preset = new SimpleStringProperty(ModelPresets.NAMES.getFirst());
    private final IntegerProperty hidden = new SimpleIntegerProperty();
    private final IntegerProperty layers = new SimpleIntegerProperty();
    private final IntegerProperty heads = new SimpleIntegerProperty();
    private final IntegerProperty kvHeads = new SimpleIntegerProperty();
    private final IntegerProperty intermediate = new SimpleIntegerProperty();
    private final IntegerProperty vocab = new SimpleIntegerProperty();
    private final BooleanProperty tied = new SimpleBooleanProperty(true);
    private final StringProperty precision = new SimpleStringProperty("ternary");
    private final StringProperty parameterText = new SimpleStringProperty("");
    private final StringProperty budgetText = new SimpleStringProperty("");
    private BitNetConfig presetConfig;

    // ---- training form
    private final StringProperty shards = new SimpleStringProperty("");
    private final StringProperty runName = new SimpleStringProperty("");
    private final StringProperty schedule = new SimpleStringProperty(TrainConfig.TWO_STAGE);
    private final DoubleProperty lr = new SimpleDoubleProperty();
    private final DoubleProperty weightDecay = new SimpleDoubleProperty();
    private final IntegerProperty microBatch = new SimpleIntegerProperty();
    private final IntegerProperty seqLen = new SimpleIntegerProperty();
    private final IntegerProperty accumulation = new SimpleIntegerProperty();
    private final IntegerProperty steps = new SimpleIntegerProperty(2000);
    private final StringProperty tokenBudget = new SimpleStringProperty("");
    private final IntegerProperty warmup = new SimpleIntegerProperty();
    private final IntegerProperty logEvery = new SimpleIntegerProperty();
    private final IntegerProperty evalEvery = new SimpleIntegerProperty();
    private final IntegerProperty sampleEvery = new SimpleIntegerProperty();
    private final IntegerProperty checkpointEvery = new SimpleIntegerProperty();

    // ---- the run
    private final ReadOnlyObjectWrapper<FxJob> job = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<Path> runDir = new ReadOnlyObjectWrapper<>();
    private final StringProperty status = new SimpleStringProperty("Build shards in the Corpus tab, pick a preset, press Start.");
    private final StringProperty progressText = new SimpleStringProperty("");
    private final ObservableList<String> samples = FXCollections.observableArrayList();
    private final ObservableList<Path> checkpoints = FXCollections.observableArrayList();
    private final ObservableList<Path> runs = FXCollections.observableArrayList();
    private final BooleanProperty smooth = new SimpleBooleanProperty(false);
    private final DoubleProperty smoothing = new SimpleDoubleProperty(0.9);
    private final List<FxJob.Metric> history = new ArrayList<>();
    private final List<FxJob.Metric> overlay = new ArrayList<>();
    private final List<Consumer<List<FxJob.Metric>>> chartListeners = new ArrayList<>();
    private final List<Runnable> chartResets = new ArrayList<>();
    private double emaTrain = Double.NaN, emaOverlay = Double.NaN;
    private long tokensSeen;
    private int drawnAtReplay;
    private long runParameters;
    private Consumer<Path> sampleHandler;

    public PretrainViewModel(AppServices services) {
        this.services = services;
        PretrainJob.register();
        applyTrainDefaults();
        applyPreset();
        shards.addListener((o, a, dir) -> vocabFromShards());
        shards.set(services.workspace().corpusDir().resolve("shards").toString());
        for (var p : List.of(hidden, layers, heads, kvHeads, intermediate, vocab)) p.addListener((o, a, b) -> updateCount());
        tied.addListener((o, a, b) -> updateCount());
        precision.addListener((o, a, b) -> updateCount());
        smooth.addListener((o, a, b) -> replay());
        for (var p : List.of(microBatch, seqLen, accumulation, steps)) p.addListener((o, a, b) -> updateBudget());
        tokenBudget.addListener((o, a, b) -> updateBudget());
        updateBudget();
        refreshRuns();
    }

    public StringProperty presetProperty() { return preset; }
    public IntegerProperty hiddenProperty() { return hidden; }
    public IntegerProperty layersProperty() { return layers; }
    public IntegerProperty headsProperty() { return heads; }
    public IntegerProperty kvHeadsProperty() { return kvHeads; }
    public IntegerProperty intermediateProperty() { return intermediate; }
    public IntegerProperty vocabProperty() { return vocab; }
    public BooleanProperty tiedProperty() { return tied; }
    public StringProperty precisionProperty() { return precision; }
    /** "12,345,678 parameters (…)" for the form as it stands, or why the form is not a valid model. */
    public StringProperty parameterTextProperty() { return parameterText; }
    /** Tokens per optimizer step and the run's length in steps and tokens, or why the settings are not valid. */
    public StringProperty budgetTextProperty() { return budgetText; }
    public StringProperty shardsProperty() { return shards; }
    public StringProperty runNameProperty() { return runName; }
    public StringProperty scheduleProperty() { return schedule; }
    public DoubleProperty lrProperty() { return lr; }
    public DoubleProperty weightDecayProperty() { return weightDecay; }
    public IntegerProperty microBatchProperty() { return microBatch; }
    public IntegerProperty seqLenProperty() { return seqLen; }
    public IntegerProperty accumulationProperty() { return accumulation; }
    public IntegerProperty stepsProperty() { return steps; }
    /** Token budget; when not blank it replaces the step count (steps = tokens / tokens per step). */
    public StringProperty tokenBudgetProperty() { return tokenBudget; }
    public IntegerProperty warmupProperty() { return warmup; }
    public IntegerProperty logEveryProperty() { return logEvery; }
    public IntegerProperty evalEveryProperty() { return evalEvery; }
    public IntegerProperty sampleEveryProperty() { return sampleEvery; }
    public IntegerProperty checkpointEveryProperty() { return checkpointEvery; }
    public ReadOnlyObjectProperty<FxJob> jobProperty() { return job.getReadOnlyProperty(); }
    public ReadOnlyObjectProperty<Path> runDirProperty() { return runDir.getReadOnlyProperty(); }
    public StringProperty statusProperty() { return status; }
    /** Tokens seen, tokens per parameter and the ETA of the shown run. */
    public StringProperty progressTextProperty() { return progressText; }
    public ObservableList<String> samples() { return samples; }
    /** Checkpoint folders of the shown run, newest first. */
    public ObservableList<Path> checkpoints() { return checkpoints; }
    /** Run folders under workspace/pretrain/. */
    public ObservableList<Path> runs() { return runs; }
    /** EMA smoothing of the train loss curves (display only; metrics.jsonl keeps the raw values). */
    public BooleanProperty smoothProperty() { return smooth; }
    public long tokensSeen() { return tokensSeen; }

    /** Charts subscribe here: points (name, tokens, value) of the live job, an opened run and the overlay. */
    public void onMetrics(Consumer<List<FxJob.Metric>> listener) { chartListeners.add(listener); }
    public void onChartsReset(Runnable reset) { chartResets.add(reset); }
    /** What "Sample from this checkpoint" does (MainWindow wires it to the Sample tab). */
    public void setSampleHandler(Consumer<Path> handler) { this.sampleHandler = handler; }

    // ---------------------------------------------------------------------------------- form

    /** Fills the model fields from the selected preset. */
    public void applyPreset() {
        try {
            presetConfig = ModelPresets.load(preset.get());
        } catch (IOException | RuntimeException e) {
            status.set("Preset " + preset.get() + ": " + e.getMessage());
            return;
        }
        hidden.set(presetConfig.hiddenSize());
        layers.set(presetConfig.numHiddenLayers());
        heads.set(presetConfig.numAttentionHeads());
        kvHeads.set(presetConfig.numKeyValueHeads());
        intermediate.set(presetConfig.intermediateSize());
        vocab.set(presetConfig.vocabSize());
        vocabFromShards();
        tied.set(presetConfig.tieWordEmbeddings());
        precision.set(presetConfig.precision().id());
        updateCount();
    }

    /** A built shard folder fixes the vocabulary: its index.json records the tokenizer's size (the run uses it). */
    private void vocabFromShards() {
        try {
            int v = bitnut.corpus.CorpusIndex.read(Path.of(shards.get().strip())).tokenizer().vocabSize();
            if (v > 0) vocab.set(v);
        } catch (IOException | RuntimeException e) {
            // no complete shard folder there (yet): keep the form's value
        }
    }

    private void applyTrainDefaults() {
        TrainConfig d = TrainConfig.defaults(steps.get());
        schedule.set(d.schedule());
        lr.set(d.lr());
        weightDecay.set(d.weightDecay());
        microBatch.set(d.microBatch());
        seqLen.set(d.seqLen());
        accumulation.set(d.gradAccum());
        warmup.set((int) d.warmupSteps());
        logEvery.set(d.logEvery());
        evalEvery.set(d.evalEvery());
        sampleEvery.set(d.sampleEvery());
        checkpointEvery.set(d.checkpointEvery());
    }

    /** The model the form describes; IllegalArgumentException with the reason when it is not valid. */
    public BitNetConfig modelConfig() {
        if (presetConfig == null) throw new IllegalArgumentException("No preset loaded.");
        // all overrides in one config.json object, validated once (one at a time, a valid end state such as
        // heads 4 -> 6 with kv heads 4 -> 2 would fail half-way)
        com.fasterxml.jackson.databind.node.ObjectNode n = presetConfig.toJson();
        n.put("hidden_size", hidden.get());
        n.put("num_hidden_layers", layers.get());
        n.put("num_attention_heads", heads.get());
        n.put("num_key_value_heads", kvHeads.get());
        n.put("intermediate_size", intermediate.get());
        n.put("vocab_size", vocab.get());
        n.put("tie_word_embeddings", tied.get());
        return BitNetConfig.fromJson(n, "model form").withPrecision(BitNetConfig.Precision.parse(precision.get()));
    }

    private void updateCount() {
        try {
            BitNetConfig m = modelConfig();
            parameterText.set(String.format(Locale.ROOT, "%,d parameters (%,d ternary)", m.parameterCount(),
                    m.ternary() ? m.ternaryParameterCount() : 0));
        } catch (IllegalArgumentException e) {
            parameterText.set("invalid: " + e.getMessage());
        }
        updateBudget();
    }

    private void updateBudget() {
        try {
            TrainConfig t = trainConfig();
            String perParam;
            try {
                perParam = String.format(Locale.ROOT, " (%.1f per parameter)",
                        t.tokensPerStep() * (double) t.maxSteps() / modelConfig().parameterCount());
            } catch (IllegalArgumentException e) {
                perParam = "";
            }
            budgetText.set(String.format(Locale.ROOT, "%,d tokens/step × %,d steps = %,d tokens%s", t.tokensPerStep(),
                    t.maxSteps(), t.tokensPerStep() * t.maxSteps(), perParam));
        } catch (IllegalArgumentException e) {
            budgetText.set("invalid: " + e.getMessage());
        }
    }

    /** The training settings the form describes. */
    public TrainConfig trainConfig() {
        TrainConfig t = TrainConfig.defaults(Math.max(1, steps.get()))
                .with("schedule", schedule.get()).with("lr", Double.toString(lr.get()))
                .with("lr2", Double.toString(lr.get() * 2 / 3)).with("min_lr", Double.toString(lr.get() / 10))
                .with("weight_decay", Double.toString(weightDecay.get()))
                .with("micro_batch", Integer.toString(microBatch.get())).with("seq_len", Integer.toString(seqLen.get()))
                .with("grad_accum", Integer.toString(accumulation.get())).with("warmup_steps", Integer.toString(warmup.get()))
                .with("log_every", Integer.toString(logEvery.get())).with("eval_every", Integer.toString(evalEvery.get()))
                .with("sample_every", Integer.toString(sampleEvery.get()))
                .with("checkpoint_every", Integer.toString(checkpointEvery.get()));
        String budget = tokenBudget.get() == null ? "" : tokenBudget.get().strip().replace(",", "").replace("_", "");
        if (!budget.isEmpty()) {
            long tokens;
            try {
                tokens = (long) Double.parseDouble(budget);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("token budget needs a number, got '" + tokenBudget.get() + "'");
            }
            t = t.with("max_steps", Long.toString(Math.max(1, tokens / t.tokensPerStep())));
        }
        return t;
    }

    // ---------------------------------------------------------------------------------- commands

    /** Creates a new run folder from the form and starts it. */
    public FxJob start() {
        Path run;
        PretrainRun manifest;
        try {
            Path sh = Path.of(shards.get().strip());
            if (!Files.isDirectory(sh)) throw new IllegalArgumentException("No shards folder " + sh + ": build it in the Corpus tab.");
            BitNetConfig model = modelConfig();
            Path tokDir = ShardTokenizer.folderOf(sh);
            model = ShardTokenizer.match(model, sh, tokDir);
            String name = runName.get().isBlank() ? preset.get() + "-"
                    + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) : runName.get().strip();
            run = services.workspace().pretrainDir().resolve(name);
            manifest = PretrainRun.of(model, trainConfig(), sh, tokDir, preset.get());
            PretrainJob.create(run, manifest);
        } catch (IllegalArgumentException | IOException e) {
            status.set(e.getMessage());
            return null;
        }
        return launch(run, manifest);
    }

    /** Continues an earlier run folder from its newest checkpoint (its own settings, not the form's). */
    public FxJob resume(Path run) {
        PretrainRun manifest;
        try {
            manifest = PretrainRun.read(run);
        } catch (IOException e) {
            status.set(e.getMessage());
            return null;
        }
        return launch(run, manifest);
    }

    private FxJob launch(Path run, PretrainRun manifest) {
        FxJob running = job.get();
        if (running != null && !running.getJobState().finished()) {
            status.set("A pretraining run is already going: stop it first.");
            return null;
        }
        show(run, manifest);
        FxJob j = services.jobs().submit(new PretrainJob(run));
        job.set(j);
        status.set("Queued: " + run.getFileName());
        j.onMetrics(this::live);
        j.onLog(lines -> {
            boolean saved = false;
            for (String l : lines) {
                if (l.startsWith("sample @ ")) samples.addFirst(l);
                if (l.startsWith("checkpoint ") || l.startsWith("stopped; saved")) saved = true;
            }
            if (saved) refreshCheckpoints();
        });
        j.messageProperty().addListener((o, a, m) -> updateProgress());
        j.onFinished(done -> {
            refreshCheckpoints();
            refreshRuns();
            updateProgress();
            status.set(done.getJobState() == JobState.SUCCEEDED ? done.getValue()
                    : done.getJobState() + (done.getException() != null ? ": " + done.getException().getMessage() : ""));
        });
        return j;
    }

    /** Pauses or continues the running job (between optimizer steps). */
    public void togglePause() {
        FxJob j = job.get();
        if (j == null || j.getJobState().finished()) return;
        if (j.getJobState() == JobState.PAUSED) j.handle().resume(); else j.handle().pause();
    }

    /** Stops the run; PretrainJob saves a checkpoint first, so Resume continues from there. */
    public void stop() {
        FxJob j = job.get();
        if (j != null) j.cancel();
    }

    /** Shows an earlier run (charts from its metrics.jsonl, samples, checkpoints) without running it. */
    public void openRun(Path run) {
        try {
            show(run, PretrainRun.read(run));
            status.set("Showing " + run.getFileName() + ": Resume continues it.");
        } catch (IOException e) {
            status.set(e.getMessage());
        }
    }

    private void show(Path run, PretrainRun manifest) {
        runDir.set(run);
        runParameters = manifest.modelConfig().parameterCount();
        history.clear();
        samples.clear();
        tokensSeen = 0;
        try {
            for (Map<String, Object> m : PretrainJob.readMetrics(run)) {
                double x = num(m.get("tokens"));
                for (var e : m.entrySet()) {
                    if (e.getValue() instanceof Number n && !e.getKey().equals("tokens") && !e.getKey().equals("step")) {
                        history.add(new FxJob.Metric(e.getKey(), x, n.doubleValue()));
                    }
                    if (e.getKey().equals("sample")) samples.addFirst("sample @ step " + m.get("step") + ": " + e.getValue());
                }
                tokensSeen = Math.max(tokensSeen, (long) x);
            }
        } catch (IOException e) {
            status.set("metrics of " + run.getFileName() + ": " + e.getMessage());
        }
        refreshCheckpoints();
        replay();
        updateProgress();
    }

    /** Draws an earlier run's curves next to the current ones (null clears the overlay). */
    public void overlay(Path run) {
        overlay.clear();
        if (run != null) {
            try {
                for (Map<String, Object> m : PretrainJob.readMetrics(run)) {
                    double x = num(m.get("tokens"));
                    for (String k : List.of("train_loss", "val_loss")) {
                        if (m.get(k) instanceof Number n) overlay.add(new FxJob.Metric(OVERLAY + k, x, n.doubleValue()));
                    }
                }
            } catch (IOException e) {
                status.set("overlay: " + e.getMessage());
            }
        }
        replay();
    }

    /** Hands a checkpoint to the Sample tab (or, without one, puts its path in the status line). */
    public void sampleFrom(Path checkpoint) {
        if (checkpoint == null) return;
        if (sampleHandler != null) sampleHandler.accept(checkpoint);
        else status.set("Checkpoint: " + checkpoint);
    }

    public void refreshCheckpoints() {
        Path run = runDir.get();
        List<Path> found = new ArrayList<>();
        if (run != null) {
            try {
                for (Checkpoints.Entry e : new Checkpoints(run).list()) found.add(e.dir());
            } catch (IOException e) {
                // no checkpoints folder yet
            }
        }
        found.sort(java.util.Comparator.comparing((Path p) -> p.getFileName().toString()).reversed());
        checkpoints.setAll(found);
    }

    public void refreshRuns() {
        List<Path> found = new ArrayList<>();
        try (var s = Files.list(services.workspace().pretrainDir())) {
            s.filter(d -> Files.isRegularFile(d.resolve(PretrainRun.FILE))).sorted().forEach(found::add);
        } catch (IOException e) {
            // no pretrain folder yet
        }
        runs.setAll(found);
    }

    // ---------------------------------------------------------------------------------- chart feed

    private void live(List<FxJob.Metric> points) {
        history.addAll(points);
        for (FxJob.Metric p : points) tokensSeen = Math.max(tokensSeen, (long) p.x());
        // a long live run: redraw thinned once the history has doubled since the last full draw
        if (history.size() > 2 * Math.max(drawnAtReplay, 6 * DISPLAY_POINTS)) replay(); else publish(points);
        updateProgress();
    }

    /** Clears the charts and draws the whole history and overlay again (smoothing changed, run opened). */
    private void replay() {
        chartResets.forEach(Runnable::run);
        emaTrain = Double.NaN;
        emaOverlay = Double.NaN;
        publish(decimate(history));
        publish(decimate(overlay));
        drawnAtReplay = history.size();
    }

    /** Every k-th point of each metric so that none has more than DISPLAY_POINTS (the last point always kept). */
    static List<FxJob.Metric> decimate(List<FxJob.Metric> points) {
        Map<String, Integer> count = new java.util.HashMap<>();
        for (FxJob.Metric p : points) count.merge(p.name(), 1, Integer::sum);
        if (count.values().stream().allMatch(n -> n <= DISPLAY_POINTS)) return points;
        Map<String, Integer> seen = new java.util.HashMap<>();
        List<FxJob.Metric> out = new ArrayList<>();
        for (FxJob.Metric p : points) {
            int n = count.get(p.name()), i = seen.merge(p.name(), 1, Integer::sum) - 1;
            int stride = (n + DISPLAY_POINTS - 1) / DISPLAY_POINTS;
            if (i % stride == 0 || i == n - 1) out.add(p);
        }
        return out;
    }

    private void publish(List<FxJob.Metric> points) {
        List<FxJob.Metric> out = points;
        if (smooth.get()) {
            out = new ArrayList<>(points.size());
            double a = smoothing.get();
            for (FxJob.Metric p : points) {
                if (p.name().equals("train_loss") && Double.isFinite(p.y())) {
                    emaTrain = Double.isNaN(emaTrain) ? p.y() : a * emaTrain + (1 - a) * p.y();
                    p = new FxJob.Metric(p.name(), p.x(), emaTrain);
                } else if (p.name().equals(OVERLAY + "train_loss") && Double.isFinite(p.y())) {
                    emaOverlay = Double.isNaN(emaOverlay) ? p.y() : a * emaOverlay + (1 - a) * p.y();
                    p = new FxJob.Metric(p.name(), p.x(), emaOverlay);
                }
                out.add(p);
            }
        }
        List<FxJob.Metric> batch = out;
        chartListeners.forEach(l -> l.accept(batch));
    }

    private void updateProgress() {
        FxJob j = job.get();
        String eta = j != null && !j.getJobState().finished() && j.etaProperty().get() != null ? j.etaProperty().get() : "";
        String perParam = runParameters > 0 ? String.format(Locale.ROOT, "%.3f tokens/parameter", tokensSeen / (double) runParameters) : "";
        // the job's phase reads "step 40/2000, ETA 812 s": keep the step, show the executor's formatted ETA instead
        String phase = j != null && j.getMessage() != null && !j.getJobState().finished() ? j.getMessage().replaceAll(", ETA .*$", "") : "";
        progressText.set(String.format(Locale.ROOT, "%,d tokens seen   %s%s%s", tokensSeen, perParam,
                phase.isBlank() ? "" : "   " + phase, eta.isBlank() ? "" : "   ETA " + eta));
    }

    private static double num(Object o) { return o instanceof Number n ? n.doubleValue() : 0; }
}
