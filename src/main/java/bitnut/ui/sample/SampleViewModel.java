package bitnut.ui.sample;

import bitnut.infer.CheckpointCatalog;
import bitnut.infer.EngineCache;
import bitnut.infer.GenerateJob;
import bitnut.infer.GenerationResult;
import bitnut.infer.InferenceEngine;
import bitnut.infer.SamplingSettings;
import bitnut.infer.kernel.DenseMatrix;
import bitnut.ui.AppServices;
import bitnut.ui.FxJob;
import bitnut.workspace.Workspace;
import javafx.application.Platform;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * State and commands of the Sample tab (base-model completion, as the original run-pretrain.py):
 * properties first (checkpoints, prompt, settings, one output per sample, status), then commands
 * (refresh checkpoints, generate, stop). Generation runs as a GenerateJob through the executor;
 * streamed text arrives on the FX thread. Use on the FX thread.
 */
public final class SampleViewModel {
    public static final int MAX_SAMPLES = 4;

    /** One sample column: its seed, the text so far and a speed line. */
    public static final class Output {
        public final long seed;
        public final StringProperty text = new SimpleStringProperty("");
        public final StringProperty stats = new SimpleStringProperty("");
        Output(long seed) { this.seed = seed; }
    }

    private final AppServices services;
    private final EngineCache engines;

    // ---- properties ----
    private final ObservableList<Path> checkpoints = FXCollections.observableArrayList();
    private final ObjectProperty<Path> checkpoint = new SimpleObjectProperty<>();
    private final StringProperty prompt = new SimpleStringProperty("The squirrels in the park");
    private final IntegerProperty maxTokens = new SimpleIntegerProperty(64);
    private final StringProperty temperature = new SimpleStringProperty("0.8");
    private final IntegerProperty topK = new SimpleIntegerProperty(40);
    private final StringProperty topP = new SimpleStringProperty("0.95");
    private final StringProperty seed = new SimpleStringProperty("42");
    private final IntegerProperty samples = new SimpleIntegerProperty(2);
    private final ObjectProperty<DenseMatrix.Precision> head = new SimpleObjectProperty<>(InferenceEngine.Options.defaults().headPrecision());
    private final ObservableList<Output> outputs = FXCollections.observableArrayList();
    private final BooleanProperty running = new SimpleBooleanProperty(false);
    private final StringProperty status = new SimpleStringProperty("");
    private FxJob job;

    public SampleViewModel(AppServices services) {
        this.services = services;
        Workspace ws = services.workspace();
        this.engines = new EngineCache(2, InferenceEngine.Options.defaults(), workspaceTokenizer(ws));
        refreshCheckpoints();
    }

    public ObservableList<Path> checkpoints() { return checkpoints; }
    public ObjectProperty<Path> checkpointProperty() { return checkpoint; }
    public StringProperty promptProperty() { return prompt; }
    public IntegerProperty maxTokensProperty() { return maxTokens; }
    public StringProperty temperatureProperty() { return temperature; }
    public IntegerProperty topKProperty() { return topK; }
    public StringProperty topPProperty() { return topP; }
    public StringProperty seedProperty() { return seed; }
    public IntegerProperty samplesProperty() { return samples; }
    /** Embeddings / lm_head precision of the engine the samples run on (f32 exact; bf16, int8 smaller and faster). */
    public ObjectProperty<DenseMatrix.Precision> headProperty() { return head; }
    public ObservableList<Output> outputs() { return outputs; }
    public BooleanProperty runningProperty() { return running; }
    public StringProperty statusProperty() { return status; }

    // ---- commands ----

    /** Re-scans the workspace's pretrain/ and finetune/ runs; keeps the selection, else picks the newest. */
    public void refreshCheckpoints() {
        Workspace ws = services.workspace();
        List<Path> found = new ArrayList<>();
        for (CheckpointCatalog.Entry e : CheckpointCatalog.list(ws.pretrainDir(), ws.finetuneDir())) found.add(e.dir());
        Path keep = checkpoint.get();
        checkpoints.setAll(found);
        if (keep != null && !found.contains(keep)) checkpoints.add(keep);
        if (keep == null && !found.isEmpty()) checkpoint.set(found.getFirst());
        if (found.isEmpty() && keep == null) status.set("No checkpoint in this workspace yet: train one in the Pretrain tab, or pick a folder.");
    }

    /** Starts one generation per sample column (seeds seed, seed+1, ...). */
    public void generate() {
        if (running.get()) return;
        Path ckpt = checkpoint.get();
        if (ckpt == null) { status.set("Pick a checkpoint first."); return; }
        SamplingSettings base;
        long s0;
        try {
            s0 = Long.parseLong(seed.get().strip());
            base = new SamplingSettings(maxTokens.get(), Float.parseFloat(temperature.get().strip()), topK.get(),
                    Float.parseFloat(topP.get().strip()), 0.05f, 1.1f, s0, List.of(), true, List.of());
        } catch (IllegalArgumentException e) {
            status.set("Bad setting: " + e.getMessage());
            return;
        }
        int n = Math.max(1, Math.min(MAX_SAMPLES, samples.get()));
        outputs.clear();
        List<Path> ckpts = new ArrayList<>();
        List<GenerateJob.Request> requests = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            outputs.add(new Output(s0 + i));
            ckpts.add(ckpt);
            requests.add(GenerateJob.Request.sample(prompt.get(), base.withSeed(s0 + i)));
        }
        List<Output> outs = List.copyOf(outputs);
        DenseMatrix.Precision precision = head.get();
        GenerateJob.Sink sink = new GenerateJob.Sink() {
            @Override public void text(int index, String delta) { Platform.runLater(() -> outs.get(index).text.set(outs.get(index).text.get() + delta)); }
            @Override public void done(int index, GenerationResult r) { Platform.runLater(() -> outs.get(index).stats.set(r.speedLine(precision))); }
        };
        running.set(true);
        status.set("Generating " + n + " sample" + (n > 1 ? "s" : "") + " with " + ckpt.getFileName() + " ...");
        job = services.jobs().submit(new GenerateJob("Sample " + n + "x from " + ckpt.getFileName(), engines, precision, ckpts, requests, sink));
        job.onFinished(j -> {
            running.set(false);
            String err = j.errorProperty().get();
            status.set(err != null && !err.isBlank() ? "Failed: " + err : String.format(Locale.ROOT, "%s: %s", j.getJobState(), j.getValue() == null ? "" : j.getValue()));
        });
    }

    public void stop() {
        if (job != null) job.handle().cancel();
    }

    public void dispose() {
        stop();
        engines.close();
    }

    static Path workspaceTokenizer(Workspace ws) {
        if (!Files.isDirectory(ws.tokenizerDir())) return null;
        try (Stream<Path> s = Files.walk(ws.tokenizerDir(), 3)) {
            return s.filter(p -> p.getFileName().toString().equals("tokenizer.json")).findFirst().map(Path::getParent).orElse(null);
        } catch (java.io.IOException e) {
            return null;
        }
    }
}
