package bitnut.ui.corpus;

import bitnut.common.JobState;
import bitnut.corpus.CorpusBuildConfig;
import bitnut.corpus.CorpusIndex;
import bitnut.corpus.CorpusStats;
import bitnut.corpus.CorpusTokenizer;
import bitnut.corpus.HubClient;
import bitnut.corpus.HubDataset;
import bitnut.corpus.HubDownloadJob;
import bitnut.corpus.ShardBuilder;
import bitnut.text.Document;
import bitnut.text.DocumentStream;
import bitnut.text.TextOptions;
import bitnut.text.TextSources;
import bitnut.ui.AppServices;
import bitnut.ui.FxJob;
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

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * State and commands of the Corpus tab, testable without a window. Properties first (sources, Hub
 * form, build settings, preview page, stats, the running job), then commands (add/remove sources,
 * preview pages, download, build, cancel, refresh stats). Disk reads run on a background thread;
 * long work runs as jobs through {@link AppServices#jobs()}. Use on the FX thread.
 */
public final class CorpusViewModel {
    /** Documents per preview page. */
    public static final int PAGE_SIZE = 50;

    /** One document row of the preview table. */
    public record PreviewRow(long index, String where, int chars, String text) { }

    static {
        ShardBuilder.register();          // resumers for the Tasks view's Resume
        HubDownloadJob.register();
    }

    private final AppServices services;
    private final ExecutorService io = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "corpus-tab-io");
        t.setDaemon(true);
        return t;
    });

    // ---- properties: sources ----
    private final ObservableList<String> sources = FXCollections.observableArrayList();
    private final StringProperty field = new SimpleStringProperty("text");
    private final BooleanProperty txtLines = new SimpleBooleanProperty(false);
    // ---- properties: Hub form ----
    private final StringProperty hubRepo = new SimpleStringProperty(HubDataset.DEFAULT.repo());
    private final StringProperty hubConfig = new SimpleStringProperty(HubDataset.DEFAULT.config());
    private final StringProperty hubSplit = new SimpleStringProperty(HubDataset.DEFAULT.split());
    private final StringProperty hubRevision = new SimpleStringProperty(HubDataset.DEFAULT.revision());
    private final IntegerProperty hubMaxFiles = new SimpleIntegerProperty(1);
    // ---- properties: build settings ----
    private final StringProperty tokenizer = new SimpleStringProperty("");
    private final StringProperty outDir = new SimpleStringProperty("");
    private final StringProperty valFraction = new SimpleStringProperty(String.valueOf(CorpusBuildConfig.DEFAULT_VAL_FRACTION));
    private final StringProperty shardTokens = new SimpleStringProperty(String.valueOf(CorpusBuildConfig.DEFAULT_SHARD_TOKENS));
    // ---- properties: preview and stats ----
    private final ObservableList<PreviewRow> preview = FXCollections.observableArrayList();
    private final IntegerProperty page = new SimpleIntegerProperty(0);
    private final BooleanProperty hasNextPage = new SimpleBooleanProperty(false);
    private final StringProperty previewStatus = new SimpleStringProperty("Add sources, then Preview.");
    private final StringProperty statsText = new SimpleStringProperty("No shards built yet.");
    private final ObjectProperty<CorpusIndex> index = new SimpleObjectProperty<>();
    // ---- properties: jobs ----
    private final ObjectProperty<FxJob> buildJob = new SimpleObjectProperty<>();
    private final ObjectProperty<FxJob> downloadJob = new SimpleObjectProperty<>();
    private final StringProperty error = new SimpleStringProperty("");
    private final BooleanProperty building = new SimpleBooleanProperty(false);

    public CorpusViewModel(AppServices services) {
        this.services = services;
        outDir.set(services.workspace().corpusDir().resolve("shards").toString());
        try {
            tokenizer.set(CorpusTokenizer.findIn(services.workspace().tokenizerDir()).toString());
        } catch (java.io.IOException e) {
            tokenizer.set("");   // none trained yet: the field says so through its prompt text
        }
        refreshStats();
    }

    public ObservableList<String> sources() { return sources; }
    public StringProperty fieldProperty() { return field; }
    public BooleanProperty txtLinesProperty() { return txtLines; }
    public StringProperty hubRepoProperty() { return hubRepo; }
    public StringProperty hubConfigProperty() { return hubConfig; }
    public StringProperty hubSplitProperty() { return hubSplit; }
    public StringProperty hubRevisionProperty() { return hubRevision; }
    public IntegerProperty hubMaxFilesProperty() { return hubMaxFiles; }
    public StringProperty tokenizerProperty() { return tokenizer; }
    public StringProperty outDirProperty() { return outDir; }
    public StringProperty valFractionProperty() { return valFraction; }
    public StringProperty shardTokensProperty() { return shardTokens; }
    public ObservableList<PreviewRow> preview() { return preview; }
    public IntegerProperty pageProperty() { return page; }
    public BooleanProperty hasNextPageProperty() { return hasNextPage; }
    public StringProperty previewStatusProperty() { return previewStatus; }
    public StringProperty statsTextProperty() { return statsText; }
    public ObjectProperty<CorpusIndex> indexProperty() { return index; }
    public ObjectProperty<FxJob> buildJobProperty() { return buildJob; }
    public ObjectProperty<FxJob> downloadJobProperty() { return downloadJob; }
    public StringProperty errorProperty() { return error; }

    /** True while a build started from this tab runs (Build disabled, Cancel enabled). */
    public BooleanProperty buildingProperty() { return building; }

    // ---- commands ----

    public void addSource(String pathOrGlob) {
        String s = pathOrGlob == null ? "" : pathOrGlob.strip();
        if (!s.isEmpty() && !sources.contains(s)) sources.add(s);
    }

    public void removeSource(String s) { sources.remove(s); }

    /** Loads preview page {@code p} (0-based) in the background. */
    public CompletableFuture<Void> loadPage(int p) {
        if (sources.isEmpty()) {
            previewStatus.set("Add a file, folder or glob first.");
            return CompletableFuture.completedFuture(null);
        }
        List<String> in = List.copyOf(sources);
        TextOptions opts = textOptions();
        int target = Math.max(0, p);
        previewStatus.set("Reading page " + (target + 1) + " ...");
        return CompletableFuture.supplyAsync(() -> readPage(in, opts, target), io).handle((r, ex) -> {
            Platform.runLater(() -> {
                if (ex != null) {
                    previewStatus.set("Preview failed: " + rootMessage(ex));
                    return;
                }
                preview.setAll(r.rows);
                page.set(target);
                hasNextPage.set(r.more);
                long first = (long) target * PAGE_SIZE + 1;
                previewStatus.set(r.rows.isEmpty() ? "No documents on page " + (target + 1) + ". " + r.note
                        : "Documents " + first + "-" + (first + r.rows.size() - 1) + (r.more ? "" : " (last page)") + r.note);
            });
            return null;
        });
    }

    public CompletableFuture<Void> nextPage() { return loadPage(page.get() + 1); }
    public CompletableFuture<Void> previousPage() { return loadPage(Math.max(0, page.get() - 1)); }

    private record Page(List<PreviewRow> rows, boolean more, String note) { }

    private static Page readPage(List<String> in, TextOptions opts, int p) {
        List<PreviewRow> rows = new ArrayList<>();
        long skip = (long) p * PAGE_SIZE;
        boolean more = false;
        String note = "";
        try (DocumentStream docs = TextSources.open(in, opts)) {
            long i = 0;
            for (Document d : docs) {
                if (i >= skip + PAGE_SIZE) { more = true; break; }
                if (i >= skip) {
                    String t = d.text();
                    String shown = t.length() > 400 ? t.substring(0, 400) + " ..." : t;
                    rows.add(new PreviewRow(i, d.where(), t.length(), shown.replace('\n', ' ')));
                }
                i++;
            }
            if (!docs.report().skipped().isEmpty()) note = " · " + docs.report().skipped().size() + " file(s) skipped: "
                    + docs.report().skipped().getFirst().path() + " (" + docs.report().skipped().getFirst().reason() + ")";
        }
        return new Page(rows, more, note);
    }

    /** Starts a shard build (an interrupted one in the same folder resumes). Returns null on bad settings. */
    public FxJob build() {
        error.set("");
        try {
            if (sources.isEmpty()) throw new IllegalArgumentException("Add at least one source.");
            if (tokenizer.get() == null || tokenizer.get().isBlank()) {
                throw new IllegalArgumentException("No tokenizer: train one in the Tokenizer tab or choose a folder with tokenizer.json.");
            }
            CorpusBuildConfig c = new CorpusBuildConfig(List.copyOf(sources), Path.of(tokenizer.get()), Path.of(outDir.get()),
                    Double.parseDouble(valFraction.get().strip()), Long.parseLong(shardTokens.get().strip().replace("_", "").replace(",", "")),
                    1337, field.get(), txtLines.get(), 0, 0);
            FxJob j = services.jobs().submit(new ShardBuilder(c));
            buildJob.set(j);
            building.set(true);
            j.onFinished(done -> {
                building.set(false);
                if (done.getJobState() != JobState.SUCCEEDED) error.set(done.errorProperty().get() == null ? "" : done.errorProperty().get());
                refreshStats();
            });
            return j;
        } catch (RuntimeException e) {
            error.set(e instanceof NumberFormatException ? "Not a number: " + e.getMessage() : e.getMessage());
            return null;
        }
    }

    /** Cancels the running build; its committed shards stay, and Build resumes from them. */
    public void cancelBuild() {
        FxJob j = buildJob.get();
        if (j != null && !j.getJobState().finished()) j.handle().cancel();
    }

    /** Downloads the Hub dataset of the form; on success its folder becomes a source. */
    public FxJob download() {
        error.set("");
        try {
            HubDataset ds = new HubDataset(hubRepo.get().strip(), hubConfig.get().strip(), hubSplit.get().strip(), hubRevision.get().strip());
            Path dir = HubDownloadJob.Config.defaultOutDir(services.workspace().corpusDir(), ds);
            FxJob j = services.jobs().submit(new HubDownloadJob(new HubDownloadJob.Config(ds, dir, hubMaxFiles.get(),
                    URI.create(System.getProperty("bitnut.hub.endpoint", HubClient.DEFAULT_BASE.toString()))), HubClient.Settings.defaults()));
            downloadJob.set(j);
            j.onFinished(done -> {
                if (done.getJobState() == JobState.SUCCEEDED) {
                    addSource(dir.resolve(ds.config().isEmpty() ? "" : ds.config()).toString());
                } else if (done.errorProperty().get() != null) {
                    error.set(done.errorProperty().get());
                }
            });
            return j;
        } catch (RuntimeException e) {
            error.set(e.getMessage());
            return null;
        }
    }

    /** Re-reads index.json of the output folder (in the background). */
    public CompletableFuture<Void> refreshStats() {
        Path dir = Path.of(outDir.get());
        return CompletableFuture.runAsync(() -> {
            CorpusIndex idx = null;
            String text;
            try {
                if (Files.isRegularFile(dir.resolve(CorpusIndex.FILE))) {
                    idx = CorpusIndex.read(dir);
                    text = CorpusStats.describe(dir);
                } else {
                    int shards = CorpusIndex.shardFiles(dir, CorpusIndex.TRAIN).size() + CorpusIndex.shardFiles(dir, CorpusIndex.VAL).size();
                    text = shards == 0 ? "No shards built yet in " + dir + "."
                            : shards + " shard(s) in " + dir + " from an unfinished build: press Build to resume it.";
                }
            } catch (java.io.IOException | RuntimeException e) {
                text = "Cannot read " + dir + ": " + e.getMessage();
            }
            CorpusIndex fIdx = idx;
            String fText = text;
            Platform.runLater(() -> {
                index.set(fIdx);
                statsText.set(fText);
            });
        }, io);
    }

    private TextOptions textOptions() {
        return TextOptions.defaults().withField(field.get())
                .withTxtDocument(txtLines.get() ? TextOptions.TxtDocument.LINE : TextOptions.TxtDocument.FILE);
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) t = t.getCause();
        return t.getMessage();
    }

    /** Stops the background reader (the tab is closing). */
    public void dispose() { io.shutdownNow(); }
}
