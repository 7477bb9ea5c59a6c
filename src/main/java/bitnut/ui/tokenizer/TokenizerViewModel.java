package bitnut.ui.tokenizer;

import bitnut.common.Json;
import bitnut.text.SequenceUnit;
import bitnut.tokenizer.BpeEncoder;
import bitnut.tokenizer.TokenizerConfig;
import bitnut.tokenizer.TokenizerFiles;
import bitnut.tokenizer.TrainTokenizerJob;
import bitnut.tokenizer.WorkspaceTokenizer;
import bitnut.ui.AppServices;
import bitnut.ui.FxJob;
import com.fasterxml.jackson.databind.JsonNode;
import javafx.application.Platform;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * The Tokenizer tab's model: the training form and its job, the tokenizers of the workspace (plus
 * any added by hand), and three tools over them — a comparison on the same sample text, a live
 * playground and a vocab browser. Properties first, then commands. Loading and encoding run on one
 * background thread; results come back on the FX thread. Testable without a window.
 */
public final class TokenizerViewModel implements AutoCloseable {
    /** A row of the comparison table. */
    public record Comparison(String name, int vocabSize, int tokens, int bytes, double bytesPerToken) { }

    /** One token of the playground: its id, its text (whitespace made visible) and its bytes. */
    public record Piece(int id, String text, int bytes) { }

    /** A vocab entry: id, merge rank (-1 for specials and the alphabet), shown text, hex bytes. */
    public record VocabEntry(int id, int rank, String piece, String bytes) { }

    private final AppServices services;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "tokenizer-tab");
        t.setDaemon(true);
        return t;
    });
    private final Map<Path, WorkspaceTokenizer> loaded = new HashMap<>();

    // ---- training form ----
    private final StringProperty inputs = new SimpleStringProperty(this, "inputs", "");
    private final IntegerProperty vocabSize = new SimpleIntegerProperty(this, "vocabSize", 32768);
    private final IntegerProperty minFrequency = new SimpleIntegerProperty(this, "minFrequency", 2);
    private final ObjectProperty<SequenceUnit> sequences = new SimpleObjectProperty<>(this, "sequences", SequenceUnit.DOCUMENTS);
    private final StringProperty field = new SimpleStringProperty(this, "field", "text");
    private final LongProperty maxDocuments = new SimpleLongProperty(this, "maxDocuments", 0);
    private final BooleanProperty byteAlphabet = new SimpleBooleanProperty(this, "byteAlphabet", true);
    private final StringProperty name = new SimpleStringProperty(this, "name", "bitnut-32k");
    private final ReadOnlyObjectWrapper<FxJob> job = new ReadOnlyObjectWrapper<>(this, "job");
    private final ReadOnlyStringWrapper merges = new ReadOnlyStringWrapper(this, "merges", "");
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper(this, "error", "");

    // ---- tokenizers and tools ----
    private final ObservableList<Path> tokenizers = FXCollections.observableArrayList();
    private final ObjectProperty<Path> selected = new SimpleObjectProperty<>(this, "selected");
    private final ReadOnlyStringWrapper stats = new ReadOnlyStringWrapper(this, "stats", "");
    private final StringProperty sampleText = new SimpleStringProperty(this, "sampleText",
            "The squirrels have been meeting in the old oak tree every night. I don't trust them! "
                    + "They've collected 1,024 acorns, and that's just the beginning.\n");
    private final ObservableList<Comparison> comparison = FXCollections.observableArrayList();
    private final StringProperty playgroundText = new SimpleStringProperty(this, "playgroundText", "");
    private final ObservableList<Piece> pieces = FXCollections.observableArrayList();
    private final ObservableList<VocabEntry> vocab = FXCollections.observableArrayList();
    private final FilteredList<VocabEntry> vocabFiltered = new FilteredList<>(vocab, e -> true);
    private final StringProperty vocabFilter = new SimpleStringProperty(this, "vocabFilter", "");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(this, "busy");
    private int pending;

    public TokenizerViewModel(AppServices services) {
        this.services = services;
        vocabSize.addListener((o, a, b) -> {
            if (name.get().matches("bitnut-\\d+k?")) name.set("bitnut-" + (b.intValue() % 1024 == 0 ? b.intValue() / 1024 + "k" : b));
        });
        selected.addListener((o, a, b) -> loadSelected());
        playgroundText.addListener((o, a, b) -> encodePlayground());
        vocabFilter.addListener((o, a, b) -> applyFilter());
        refreshTokenizers();
    }

    // ---- properties ----
    /** Corpus paths, folders or globs, one per line. */
    public StringProperty inputsProperty() { return inputs; }
    public IntegerProperty vocabSizeProperty() { return vocabSize; }
    public IntegerProperty minFrequencyProperty() { return minFrequency; }
    public ObjectProperty<SequenceUnit> sequencesProperty() { return sequences; }
    public StringProperty fieldProperty() { return field; }
    public LongProperty maxDocumentsProperty() { return maxDocuments; }
    public BooleanProperty byteAlphabetProperty() { return byteAlphabet; }
    /** Folder name under workspace/tokenizer/. */
    public StringProperty nameProperty() { return name; }
    /** The training job of this tab (null before the first one). */
    public ReadOnlyObjectProperty<FxJob> jobProperty() { return job.getReadOnlyProperty(); }
    /** "1,234 merges (best pair seen 5,678 times)" while training. */
    public ReadOnlyStringProperty mergesProperty() { return merges.getReadOnlyProperty(); }
    /** The last problem with the form or a tool, "" when none. */
    public ReadOnlyStringProperty errorProperty() { return error.getReadOnlyProperty(); }
    /** Tokenizer folders: the workspace's, then the ones added by hand. */
    public ObservableList<Path> tokenizers() { return tokenizers; }
    public ObjectProperty<Path> selectedProperty() { return selected; }
    /** The selected tokenizer's training report, formatted. */
    public ReadOnlyStringProperty statsProperty() { return stats.getReadOnlyProperty(); }
    public StringProperty sampleTextProperty() { return sampleText; }
    public ObservableList<Comparison> comparison() { return comparison; }
    public StringProperty playgroundTextProperty() { return playgroundText; }
    public ObservableList<Piece> pieces() { return pieces; }
    public ObservableList<VocabEntry> vocab() { return vocabFiltered; }
    public StringProperty vocabFilterProperty() { return vocabFilter; }
    /** True while the background thread loads or encodes. */
    public ReadOnlyBooleanProperty busyProperty() { return busy.getReadOnlyProperty(); }

    // ---- commands ----

    /** Starts training with the form's values; returns the job, or null when the form is invalid (see error). */
    public FxJob train() {
        List<String> in = inputs.get().lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
        String dirName = name.get() == null ? "" : name.get().strip();
        if (in.isEmpty()) { error.set("Pick a corpus: files, folders or globs, one per line."); return null; }
        if (!dirName.matches("[A-Za-z0-9._-]+")) { error.set("Name the tokenizer with letters, digits, '.', '_' or '-'."); return null; }
        if (job.get() != null && job.get().isRunning()) { error.set("A training run is already going."); return null; }
        TokenizerConfig cfg;
        try {
            cfg = new TokenizerConfig(vocabSize.get(), minFrequency.get(), TokenizerConfig.DEFAULT_SPECIALS, byteAlphabet.get(),
                    sequences.get(), field.get(), maxDocuments.get(), 0, 100);
        } catch (IllegalArgumentException e) {
            error.set(e.getMessage());
            return null;
        }
        error.set("");
        Path out = services.workspace().tokenizerDir().resolve(dirName);
        FxJob j = services.jobs().submit(new TrainTokenizerJob(in, cfg, out));
        job.set(j);
        merges.set("");
        j.onMetrics(batch -> {
            FxJob.Metric last = batch.get(batch.size() - 1);
            if (last.name().equals("merges")) merges.set(String.format("%,d merges (best pair seen %,d times)", (long) last.x(), (long) last.y()));
        });
        j.onFinished(done -> {
            if (done.getState() == javafx.concurrent.Worker.State.SUCCEEDED) {
                forget(out);
                refreshTokenizers();
                selected.set(null);
                selected.set(out);
            } else if (done.getState() == javafx.concurrent.Worker.State.FAILED) {
                error.set(done.errorProperty().get() == null ? "training failed" : done.errorProperty().get());
            }
        });
        return j;
    }

    /** Cancels the running training job. */
    public void cancel() {
        FxJob j = job.get();
        if (j != null && j.isRunning()) j.cancel();
    }

    /** Re-reads workspace/tokenizer/ (keeps tokenizers added by hand). */
    public void refreshTokenizers() {
        List<Path> found = new ArrayList<>();
        Path root = services.workspace().tokenizerDir();
        if (Files.isDirectory(root)) {
            try (Stream<Path> s = Files.list(root)) {
                s.filter(p -> Files.isRegularFile(p.resolve(TokenizerFiles.TOKENIZER_JSON))).sorted().forEach(found::add);
            } catch (IOException e) {
                error.set("Cannot list " + root + ": " + e.getMessage());
            }
        }
        for (Path p : tokenizers) if (!p.startsWith(root) && !found.contains(p)) found.add(p);
        Path keep = selected.get();
        tokenizers.setAll(found);
        if (keep != null && found.contains(keep)) selected.set(keep);
        else if (keep == null && !found.isEmpty()) selected.set(found.get(0));
    }

    /** Adds a tokenizer folder (or tokenizer.json) from elsewhere, e.g. GPT-2's, for comparison. */
    public void addTokenizer(Path path) {
        Path dir = Files.isRegularFile(path) ? path.toAbsolutePath().getParent() : path.toAbsolutePath();
        if (!Files.isRegularFile(dir.resolve(TokenizerFiles.TOKENIZER_JSON))) {
            error.set("No tokenizer.json in " + dir);
            return;
        }
        if (!tokenizers.contains(dir)) tokenizers.add(dir);
        selected.set(dir);
    }

    /** Encodes the sample text with every listed tokenizer (tokens, bytes/token). */
    public void compare() {
        List<Path> all = List.copyOf(tokenizers);
        String text = sampleText.get();
        background(() -> {
            List<Comparison> rows = new ArrayList<>();
            int bytes = text.getBytes(StandardCharsets.UTF_8).length;
            for (Path p : all) {
                WorkspaceTokenizer t = tokenizer(p);
                int n = t.encode(text).length;
                rows.add(new Comparison(p.getFileName().toString(), t.vocabSize(), n, bytes, n == 0 ? 0 : (double) bytes / n));
            }
            Platform.runLater(() -> comparison.setAll(rows));
        });
    }

    // ---- internals ----

    private void loadSelected() {
        Path p = selected.get();
        vocab.clear();
        pieces.clear();
        stats.set("");
        if (p == null) return;
        background(() -> {
            WorkspaceTokenizer t = tokenizer(p);
            BpeEncoder ref = t.reference();
            List<VocabEntry> rows = new ArrayList<>(ref.vocabSize());
            for (int id = 0; id < ref.vocabSize(); id++) {
                byte[] b = ref.tokenBytes(id);
                rows.add(new VocabEntry(id, ref.rankOf(id), display(b), HexFormat.ofDelimiter(" ").formatHex(b)));
            }
            String report = readStats(p, t);
            Platform.runLater(() -> {
                if (!p.equals(selected.get())) return;
                vocab.setAll(rows);
                stats.set(report);
                encodePlayground();
            });
        });
    }

    private void encodePlayground() {
        Path p = selected.get();
        String text = playgroundText.get();
        if (p == null || text == null || text.isEmpty()) { pieces.clear(); return; }
        background(() -> {
            WorkspaceTokenizer t = tokenizer(p);
            int[] ids = t.encode(text);
            List<Piece> out = new ArrayList<>(ids.length);
            for (int id : ids) {
                byte[] b = t.reference().tokenBytes(id);
                out.add(new Piece(id, display(b), b.length));
            }
            Platform.runLater(() -> {
                if (p.equals(selected.get()) && text.equals(playgroundText.get())) pieces.setAll(out);
            });
        });
    }

    private void applyFilter() {
        String f = vocabFilter.get() == null ? "" : vocabFilter.get().strip().toLowerCase(Locale.ROOT);
        if (f.isEmpty()) { vocabFiltered.setPredicate(e -> true); return; }
        vocabFiltered.setPredicate(e -> e.piece().toLowerCase(Locale.ROOT).contains(f) || Integer.toString(e.id()).equals(f)
                || e.bytes().equals(f));
    }

    private static String readStats(Path dir, WorkspaceTokenizer t) {
        Path rep = dir.resolve(TrainTokenizerJob.REPORT_JSON);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%s — vocab %,d (%,d merges)%n", dir.getFileName(), t.vocabSize(), t.reference().mergeCount()));
        if (!Files.isRegularFile(rep)) return sb.append("no training report (not trained here)").toString();
        try {
            JsonNode r = Json.MAPPER.readTree(rep.toFile());
            sb.append(String.format("corpus: %.1f MB, %,d sequences (%s), %,d distinct words, alphabet %d%n",
                    r.path("bytes").asLong() / 1e6, r.path("sequences").asLong(), r.path("config").path("sequences").asText().toLowerCase(Locale.ROOT),
                    r.path("distinctWords").asLong(), r.path("alphabetSize").asInt()));
            sb.append(String.format("bytes/token: %.3f on %s (%,d bytes)%n", r.path("bytesPerToken").asDouble(),
                    r.path("bytesPerTokenSlice").asText(), r.path("sliceBytes").asLong()));
            for (JsonNode ph : r.path("phases")) {
                sb.append(String.format("  %-18s %7.2f s wall %7.2f s CPU  heap peak %5.0f MB  RSS peak %5.0f MB%n", ph.path("name").asText(),
                        ph.path("seconds").asDouble(), ph.path("cpuSeconds").asDouble(), ph.path("heapPeakBytes").asLong() / 1e6,
                        ph.path("rssPeakBytes").asLong() / 1e6));
            }
            sb.append(String.format("files read %d, skipped %d, bad lines %d, invalid UTF-8 %d", r.path("filesRead").asLong(),
                    r.path("skippedFiles").size(), r.path("badLines").asLong(), r.path("invalidUtf8").asLong()));
        } catch (IOException e) {
            sb.append("unreadable report: ").append(e.getMessage());
        }
        return sb.toString();
    }

    /** A token's bytes as text: whitespace made visible, bytes that are not whole UTF-8 as hex. */
    public static String display(byte[] b) {
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
            return s.replace(" ", "␣").replace("\n", "↵").replace("\t", "⇥").replace("\r", "␍");
        } catch (CharacterCodingException e) {
            return "<" + HexFormat.ofDelimiter(" ").withUpperCase().formatHex(b) + ">";
        }
    }

    private synchronized WorkspaceTokenizer tokenizer(Path p) throws IOException {
        WorkspaceTokenizer t = loaded.get(p);
        if (t == null) { t = WorkspaceTokenizer.load(p); loaded.put(p, t); }
        return t;
    }

    private synchronized void forget(Path p) {
        WorkspaceTokenizer t = loaded.remove(p);
        if (t != null) worker.execute(t::close);
    }

    private interface Task { void run() throws Exception; }

    private void background(Task task) {
        pending++;
        busy.set(true);
        worker.execute(() -> {
            try {
                task.run();
            } catch (Exception e) {
                Platform.runLater(() -> error.set(e.getMessage() == null ? e.toString() : e.getMessage()));
            } finally {
                Platform.runLater(() -> { if (--pending == 0) busy.set(false); });
            }
        });
    }

    @Override
    public synchronized void close() {
        worker.shutdownNow();
        for (WorkspaceTokenizer t : loaded.values()) t.close();
        loaded.clear();
    }
}
