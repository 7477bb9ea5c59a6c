package bitnut.ui.dataset;

import bitnut.common.Job;
import bitnut.dataset.DatasetExportJob;
import bitnut.dataset.DatasetFormat;
import bitnut.dataset.DatasetImportJob;
import bitnut.dataset.DatasetStats;
import bitnut.dataset.DatasetStore;
import bitnut.dataset.Example;
import bitnut.dataset.ExampleFilter;
import bitnut.dataset.ExampleSource;
import bitnut.dataset.ExampleStatus;
import bitnut.dataset.Flag;
import bitnut.dataset.FlagConfig;
import bitnut.dataset.FlagJob;
import bitnut.dataset.FullTextQuery;
import bitnut.dataset.Revision;
import bitnut.dataset.VersionConflictException;
import bitnut.dataset.WordDiff;
import bitnut.ui.AppServices;
import bitnut.ui.FxJob;
import javafx.animation.PauseTransition;
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
import javafx.util.Duration;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The Dataset tab's state and commands (properties first, then commands). The table holds one
 * light {@link Row} per matching example; the example behind a row is loaded in pages of
 * {@link #PAGE} from SQLite on a background thread when the row first becomes visible, so 100k rows
 * cost 100k small objects and a few page queries. Every change goes through an undoable
 * {@link DatasetCommand}. Reads never run on the FX thread; results are applied with runLater and
 * dropped when a newer query superseded them (generation counter).
 */
public final class DatasetViewModel {
    public static final int PAGE = 200;

    /** One table row: its position and, once loaded, its example. */
    public static final class Row {
        final int index;
        final ObjectProperty<Example> example = new SimpleObjectProperty<>();

        Row(int index) { this.index = index; }

        public int index() { return index; }

        public ObjectProperty<Example> exampleProperty() { return example; }
    }

    /** One step of opening the tab as the view-model timed it: thread, start since construction, wall, CPU of that thread. */
    public record OpenStep(String name, String thread, double startMillis, double wallMillis, double cpuMillis) { }

    private final AppServices services;
    /**
     * Opened by the first task of the reader thread, never on the FX thread (creating the SQLite connection and
     * checking the schema version costs 70 ms of CPU, 150-260 ms wall on the shared 2-core machine). Every later
     * read queues behind it on that thread; user commands come after the rows have shown.
     */
    private final CompletableFuture<DatasetStore> storeOpening;
    private final long created = System.nanoTime();
    private final List<OpenStep> openSteps = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** True until the first charts' counts are shown: only the opening is timed step by step. */
    private volatile boolean opening = true;
    /** Set by {@link #dispose()} (FX thread): background work asked for afterwards is not started. */
    private boolean disposed;
    private final ExecutorService reader = readerThread("dataset-ui-reader");
    /** The charts' counts scan more than the table needs: their own thread, so pages never queue behind them. */
    private final ExecutorService chartsReader = readerThread("dataset-ui-charts");
    private final UndoStack undo = new UndoStack();

    // ---- filter properties
    private final ObjectProperty<String> topic = new SimpleObjectProperty<>();
    private final ObjectProperty<ExampleStatus> status = new SimpleObjectProperty<>();
    private final ObjectProperty<ExampleSource> source = new SimpleObjectProperty<>();
    private final ObjectProperty<Flag> flag = new SimpleObjectProperty<>();
    private final ObjectProperty<Integer> minWords = new SimpleObjectProperty<>();
    private final ObjectProperty<Integer> maxWords = new SimpleObjectProperty<>();
    private final StringProperty search = new SimpleStringProperty("");
    /** Says why the last word typed is not searched yet (one character); empty otherwise. */
    private final StringProperty searchHint = new SimpleStringProperty("");
    // ---- results
    private final ObservableList<Row> rows = FXCollections.observableArrayList();
    private final IntegerProperty rowCount = new SimpleIntegerProperty();
    private final ObservableList<String> topics = FXCollections.observableArrayList();
    private final ObjectProperty<DatasetStats> stats = new SimpleObjectProperty<>();
    // ---- the selected example
    private final ObjectProperty<Example> selected = new SimpleObjectProperty<>();
    private final StringProperty editPrompt = new SimpleStringProperty("");
    private final StringProperty editResponse = new SimpleStringProperty("");
    private final ObservableList<WordDiff.Piece> responseDiff = FXCollections.observableArrayList();
    private final ObservableList<Revision> history = FXCollections.observableArrayList();
    // ---- status line and undo state
    private final StringProperty message = new SimpleStringProperty("");
    private final BooleanProperty canUndo = new SimpleBooleanProperty();
    private final BooleanProperty canRedo = new SimpleBooleanProperty();
    private final StringProperty undoText = new SimpleStringProperty("Undo");
    private final StringProperty redoText = new SimpleStringProperty("Redo");
    private final BooleanProperty busy = new SimpleBooleanProperty();
    /** Milliseconds from the last refresh() to its rows being in the table (shown in the count label). */
    private final javafx.beans.property.DoubleProperty lastQueryMillis = new javafx.beans.property.SimpleDoubleProperty();
    /** Milliseconds the FX thread spent applying the last refresh's rows (the runnable, before the next pulse lays them out). */
    private final javafx.beans.property.DoubleProperty lastApplyMillis = new javafx.beans.property.SimpleDoubleProperty();

    private long[] ids = new long[0];
    private ExampleFilter shownFilter = ExampleFilter.ALL;
    /** Bumped (on the FX thread) by every refresh; reader threads read it to skip superseded work. */
    private volatile int generation;
    private final Set<Integer> requestedPages = new HashSet<>();
    /** The last row a table cell asked for: where the user is looking (a refresh preloads that page). */
    private int lastLookedAt;
    private final PauseTransition searchDebounce = new PauseTransition(Duration.millis(250));

    public DatasetViewModel(AppServices services) {
        this.services = services;
        storeOpening = CompletableFuture.supplyAsync(() -> step("store open", () -> {
            try {
                return DatasetStore.open(services.workspace());
            } catch (java.sql.SQLException e) {
                throw new bitnut.dataset.DatasetException("cannot open the dataset: " + e.getMessage(), e);
            }
        }), reader);
        searchDebounce.setOnFinished(e -> refresh());
        search.addListener((o, a, b) -> searchDebounce.playFromStart());
        for (var p : List.of(topic, status, source, flag, minWords, maxWords)) p.addListener((o, a, b) -> refresh());
        editResponse.addListener((o, a, b) -> updateDiff());
        refresh();
    }

    // ---------------------------------------------------------------- properties
    public ObjectProperty<String> topicProperty() { return topic; }
    public ObjectProperty<ExampleStatus> statusProperty() { return status; }
    public ObjectProperty<ExampleSource> sourceProperty() { return source; }
    public ObjectProperty<Flag> flagProperty() { return flag; }
    public ObjectProperty<Integer> minWordsProperty() { return minWords; }
    public ObjectProperty<Integer> maxWordsProperty() { return maxWords; }
    public StringProperty searchProperty() { return search; }
    public StringProperty searchHintProperty() { return searchHint; }
    public ObservableList<Row> rows() { return rows; }
    public IntegerProperty rowCountProperty() { return rowCount; }
    public ObservableList<String> topics() { return topics; }
    public ObjectProperty<DatasetStats> statsProperty() { return stats; }
    public ObjectProperty<Example> selectedProperty() { return selected; }
    public StringProperty editPromptProperty() { return editPrompt; }
    public StringProperty editResponseProperty() { return editResponse; }
    public ObservableList<WordDiff.Piece> responseDiff() { return responseDiff; }
    public ObservableList<Revision> history() { return history; }
    public StringProperty messageProperty() { return message; }
    public BooleanProperty canUndoProperty() { return canUndo; }
    public BooleanProperty canRedoProperty() { return canRedo; }
    public StringProperty undoTextProperty() { return undoText; }
    public StringProperty redoTextProperty() { return redoText; }
    public BooleanProperty busyProperty() { return busy; }
    public javafx.beans.property.ReadOnlyDoubleProperty lastQueryMillisProperty() { return lastQueryMillis; }
    public javafx.beans.property.ReadOnlyDoubleProperty lastApplyMillisProperty() { return lastApplyMillis; }
    /** The open store; waits for the opening (started by the constructor on the reader thread) if it is not done. */
    public DatasetStore store() { return storeOpening.join(); }

    /** The words to highlight in the table: those of the current search. */
    public List<String> searchTerms() { return FullTextQuery.terms(shownFilter.search()); }

    public ExampleFilter filter() {
        String live = liveSearch(search.get());
        searchHint.set(Objects.equals(live, search.get()) ? "" : "type 2+ letters: a 1-letter word is not searched");
        return ExampleFilter.ALL.withTopic(topic.get()).withStatus(status.get()).withSource(source.get()).withFlag(flag.get())
                .withWords(minWords.get(), maxWords.get()).withSearch(live);
    }

    /**
     * The search as the tab runs it: a last word of ONE character is left out until a second one is typed. The last
     * word is a prefix (results update while typing), and a 1-letter prefix matches almost everything (s*: 96k of
     * 100k rows, 1.7x the CPU of a 2-letter prefix in FTS5, then a table of 96k rows to swap in) for a word the user
     * has not finished; from 2 letters on, the cost is the size of the match set (sq* costs what squirrel costs).
     */
    static String liveSearch(String typed) {
        List<String> t = FullTextQuery.terms(typed);
        if (t.isEmpty() || t.getLast().length() >= 2) return typed;
        return String.join(" ", t.subList(0, t.size() - 1));
    }

    // ---------------------------------------------------------------- commands

    /**
     * Re-runs the query for the current filter; keeps loaded rows when the selection did not change.
     * The table comes first: one background read gets the ids, builds the light Row objects and already
     * loads the page(s) the table will show (the top, and where the user last looked), so the new rows
     * appear with one FX pulse instead of a pulse, a page query and another pulse. The charts' counts and
     * the topic list are read after that, on their own thread, so they never compete with the rows on a
     * 2-core machine nor hold back a page. Work for a filter that was superseded before it started is skipped.
     */
    public void refresh() {
        ExampleFilter f = filter();
        int gen = ++generation;
        busy.set(true);
        long started = System.nanoTime();
        int lookedAt = lastLookedAt;
        background(reader, () -> {
            if (gen != generation) return null;
            long[] newIds = step("ids of the selection", () -> store().ids(f));
            List<Row> fresh = step("rows built", () -> {
                List<Row> list = new ArrayList<>(newIds.length);
                for (int i = 0; i < newIds.length; i++) list.add(new Row(i));
                return list;
            });
            Set<Integer> pages = new HashSet<>();
            if (newIds.length > 0) {
                pages.add(0);
                pages.add(Math.min(lookedAt, newIds.length - 1) / PAGE);
            }
            for (int page : pages) {
                int from = page * PAGE, to = Math.min(newIds.length, from + PAGE), j = 0;
                List<Example> list = step("page " + page + " loaded", () -> store().load(newIds, from, to));
                // the rows are not in the table yet: filling them here, off the FX thread, is safe
                for (int i = from; i < to && j < list.size(); i++) {
                    if (list.get(j).id() == newIds[i]) fresh.get(i).example.set(list.get(j++));
                }
            }
            return new Result(newIds, fresh, pages);
        }, r -> {
            if (r == null || gen != generation) return;
            step("rows applied", () -> { applyRows(f, r, started); return null; });
            background(chartsReader, () -> gen != generation ? null
                    : new Object[] {step("topic list", () -> store().topics()), step("charts' counts", () -> store().stats(f))}, c -> {
                if (c == null || gen != generation) return;
                step("charts' counts applied", () -> {
                    @SuppressWarnings("unchecked") List<String> t = (List<String>) c[0];
                    if (!t.equals(topics)) topics.setAll(t);
                    stats.set((DatasetStats) c[1]);
                    return null;
                });
                opening = false;
            });
        });
    }

    /** FX thread: swaps in a refresh's ids and rows. */
    private void applyRows(ExampleFilter f, Result r, long started) {
        long applyStart = System.nanoTime();
        busy.set(false);
        boolean same = Arrays.equals(r.ids, ids);
        shownFilter = f;
        ids = r.ids;
        if (same) {
            reloadLoadedPages();
        } else {
            requestedPages.clear();
            requestedPages.addAll(r.loadedPages);
            rows.setAll(r.rows);
        }
        rowCount.set(r.ids.length);
        lastApplyMillis.set((System.nanoTime() - applyStart) / 1e6);
        lastQueryMillis.set((System.nanoTime() - started) / 1e6);
        Example sel = selected.get();
        if (sel != null) reloadSelected(sel.id());
    }

    /** Runs {@code work}; while the tab opens, records it as a step of {@link #openTimeline()}. */
    private <T> T step(String name, Supplier<T> work) {
        if (!opening) return work.get();
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long w0 = System.nanoTime(), c0 = mx.getCurrentThreadCpuTime();
        try {
            return work.get();
        } finally {
            openSteps.add(new OpenStep(name, Thread.currentThread().getName(), (w0 - created) / 1e6,
                    (System.nanoTime() - w0) / 1e6, (mx.getCurrentThreadCpuTime() - c0) / 1e6));
        }
    }

    /** The steps of opening the tab, in the order they finished (the benchmark prints them). */
    public List<OpenStep> openTimeline() { return List.copyOf(openSteps); }

    private record Result(long[] ids, List<Row> rows, Set<Integer> loadedPages) { }

    /** Called by table cells for visible rows: loads the row's page once. */
    public void ensureLoaded(Row row) {
        lastLookedAt = row.index;
        int page = row.index / PAGE;
        // scrolling down: fetch the next page while the last quarter of this one is on screen
        if (row.index % PAGE >= PAGE * 3 / 4 && (page + 1) * PAGE < ids.length && requestedPages.add(page + 1)) loadPage(page + 1);
        if (row.example.get() != null || !requestedPages.add(page)) return;
        loadPage(page);
    }

    private void loadPage(int page) {
        long[] snapshot = ids;
        int gen = generation;
        int from = page * PAGE, to = Math.min(snapshot.length, from + PAGE);
        if (from >= to) return;
        background(() -> store().load(snapshot, from, to), list -> {
            if (gen != generation || snapshot != ids) return;
            int j = 0;
            for (int i = from; i < to && j < list.size(); i++) {
                if (list.get(j).id() == snapshot[i]) rows.get(i).example.set(list.get(j++));
            }
        });
    }

    private void reloadLoadedPages() {
        for (int p : List.copyOf(requestedPages)) loadPage(p);
    }

    /** Shows an example in the editor, with its diff and history. */
    public void select(Example e) {
        selected.set(e);
        if (e == null) {
            editPrompt.set("");
            editResponse.set("");
            history.clear();
            responseDiff.clear();
            return;
        }
        editPrompt.set(e.prompt());
        editResponse.set(e.response() == null ? "" : e.response());
        updateDiff();
        background(() -> store().history(e.id()), h -> {
            if (selected.get() != null && selected.get().id() == e.id()) history.setAll(h);
        });
    }

    private void reloadSelected(long id) {
        background(() -> store().get(id).orElse(null), e -> {
            Example cur = selected.get();
            if (cur == null || cur.id() != id) return;
            boolean dirty = !editPrompt.get().equals(cur.prompt()) || !editResponse.get().equals(cur.response() == null ? "" : cur.response());
            if (e == null) { select(null); return; }
            selected.set(e);
            if (!dirty) { editPrompt.set(e.prompt()); editResponse.set(e.response() == null ? "" : e.response()); }
            updateDiff();
            background(() -> store().history(id), h -> { if (selected.get() != null && selected.get().id() == id) history.setAll(h); });
        });
    }

    private void updateDiff() {
        Example e = selected.get();
        if (e == null) { responseDiff.clear(); return; }
        String original = e.originalResponse() == null ? "" : e.originalResponse();
        responseDiff.setAll(WordDiff.diff(original, editResponse.get()));
    }

    /** True when the editor holds text that differs from the stored example. */
    public boolean editorDirty() {
        Example e = selected.get();
        return e != null && (!editPrompt.get().equals(e.prompt()) || !editResponse.get().equals(e.response() == null ? "" : e.response()));
    }

    /** Saves the editor's prompt and response as an undoable edit. */
    public CompletableFuture<Void> saveEdit() {
        Example e = selected.get();
        if (e == null || !editorDirty()) return CompletableFuture.completedFuture(null);
        if (editPrompt.get().isBlank()) { message.set("The prompt cannot be empty."); return CompletableFuture.completedFuture(null); }
        String resp = editResponse.get().isEmpty() && e.response() == null ? null : editResponse.get();
        return run(new DatasetCommand.Edit(e, editPrompt.get(), resp));
    }

    /** Sets the status of the selected example. */
    public CompletableFuture<Void> setStatus(ExampleStatus s) {
        Example e = selected.get();
        if (e == null) return CompletableFuture.completedFuture(null);
        return run(new DatasetCommand.SetStatus(List.of(e.id()), s));
    }

    /** Sets the status of the given table rows (a multi-selection). */
    public CompletableFuture<Void> setStatus(List<Row> selection, ExampleStatus s) {
        List<Long> sel = new ArrayList<>();
        for (Row r : selection) if (r.index < ids.length) sel.add(ids[r.index]);
        if (sel.isEmpty()) { message.set("Nothing selected."); return CompletableFuture.completedFuture(null); }
        return run(new DatasetCommand.SetStatus(sel, s));
    }

    /** Sets the status of every example matching the current filter. */
    public CompletableFuture<Void> setStatusOfFilter(ExampleStatus s) {
        return run(new DatasetCommand.SetStatus(shownFilter, s, ids.length));
    }

    /** Brings the selected example back to an earlier version. */
    public CompletableFuture<Void> restore(Revision r) {
        Example e = selected.get();
        if (e == null || r == null) return CompletableFuture.completedFuture(null);
        return run(new DatasetCommand.Restore(e, r.version()));
    }

    public CompletableFuture<Void> undo() {
        return after(undo.undo(store()), c -> { if (c != null) { undo.undone(c); message.set("Undone: " + c.description()); } });
    }

    public CompletableFuture<Void> redo() {
        return after(undo.redo(store()), c -> { if (c != null) { undo.redone(c); message.set("Redone: " + c.description()); } });
    }

    private CompletableFuture<Void> run(DatasetCommand c) {
        return after(c.execute(store()).thenApply(x -> c), done -> {
            undo.pushDone(done);
            message.set(done.description() + (done instanceof DatasetCommand.SetStatus s ? " (" + s.changed() + " changed)" : ""));
        });
    }

    /** Completes on the FX thread after {@code f}: applies {@code ok}, refreshes; a conflict is explained. */
    private <T> CompletableFuture<Void> after(CompletableFuture<T> f, java.util.function.Consumer<T> ok) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        f.whenComplete((v, err) -> Platform.runLater(() -> {
            try {
                if (err == null) {
                    ok.accept(v);
                } else {
                    Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
                    message.set(cause instanceof VersionConflictException
                            ? "Changed meanwhile (by another window, the CLI or a job): reloaded. Apply your edit again."
                            : "Failed: " + cause.getMessage());
                }
                updateUndoState();
                refresh();
            } finally {
                done.complete(null);
            }
        }));
        return done;
    }

    private void updateUndoState() {
        canUndo.set(undo.peekUndo().isPresent());
        canRedo.set(undo.peekRedo().isPresent());
        undoText.set(undo.peekUndo().map(c -> "Undo " + c.description()).orElse("Undo"));
        redoText.set(undo.peekRedo().map(c -> "Redo " + c.description()).orElse("Redo"));
    }

    // ---- jobs (run on the task executor; the tab refreshes when they finish)

    public FxJob importFiles(List<Path> files, DatasetFormat format) { return submit(new DatasetImportJob(store(), files, format)); }

    public FxJob export(Path target, DatasetFormat format) { return submit(new DatasetExportJob(store(), target, format, filter())); }

    public FxJob runFlags(double nearDuplicateThreshold) {
        return submit(new FlagJob(store(), FlagConfig.DEFAULT.withNearDuplicateThreshold(nearDuplicateThreshold)));
    }

    private FxJob submit(Job job) {
        FxJob j = services.jobs().submit(job);
        j.onFinished(x -> {
            message.set(x.getJobState() + ": " + (x.getValue() != null ? x.getValue() : x.errorProperty().get()));
            refresh();
        });
        return j;
    }

    public void dispose() {
        disposed = true;
        reader.shutdownNow();
        chartsReader.shutdownNow();
        storeOpening.thenAccept(DatasetStore::close);   // an opening still running closes when done; one never started opened nothing
    }

    private <T> void background(Supplier<T> work, java.util.function.Consumer<T> onFx) { background(reader, work, onFx); }

    private <T> void background(ExecutorService on, Supplier<T> work, java.util.function.Consumer<T> onFx) {
        if (disposed) return;   // a cell or a late result asking for more after the tab closed: nothing to read into
        CompletableFuture.supplyAsync(work, on).whenComplete((v, err) -> Platform.runLater(() -> {
            if (err != null) {
                busy.set(false);
                message.set("Read failed: " + (err.getCause() != null ? err.getCause().getMessage() : err.getMessage()));
            } else {
                onFx.accept(v);
            }
        }));
    }

    private static ExecutorService readerThread(String name) {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }
}
