package bitnut.corpus;

import bitnut.common.AtomicFiles;
import bitnut.common.Job;
import bitnut.common.JobContext;
import bitnut.common.JobKinds;
import bitnut.common.Json;
import bitnut.common.Lane;
import com.fasterxml.jackson.core.type.TypeReference;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Corpus stage, step 0: downloads the parquet files of a Hub dataset split into
 * {@code workspace/corpus/hub/<owner>/<name>/<path>}, pinned to one commit. Completed files are
 * recorded in {@code hub.json} beside them and reused by later runs; an interrupted file resumes
 * from its {@code .part}. Re-running the job is the resume.
 */
public final class HubDownloadJob implements Job {
    public static final String KIND = "corpus.download";
    public static final String MANIFEST = "hub.json";

    /** What to download. */
    public record Config(
            HubDataset dataset,  // repo/config/split@revision
            Path outDir,         // folder the repo paths are created under
            int maxFiles,        // 0 = every file of the split
            URI baseUrl) {       // Hub host (tests: a loopback server)
        public Config {
            Objects.requireNonNull(dataset);
            Objects.requireNonNull(outDir);
            if (maxFiles < 0) throw new IllegalArgumentException("maxFiles must be >= 0");
            if (baseUrl == null) baseUrl = HubClient.DEFAULT_BASE;
        }
        /** The default download folder for a dataset inside a workspace's corpus folder. */
        public static Path defaultOutDir(Path corpusDir, HubDataset ds) {
            return corpusDir.resolve("hub").resolve(ds.repo());
        }
    }

    /** One verified file in hub.json. */
    public record FileEntry(String path, long size, String sha256, String commit) { }

    static {
        JobKinds.register(KIND, (root, spec) -> new HubDownloadJob(new Config(
                new HubDataset((String) spec.get("repo"), (String) spec.get("config"), (String) spec.get("split"),
                        (String) spec.get("revision")),
                Path.of((String) spec.get("out")), ((Number) spec.get("maxFiles")).intValue(),
                URI.create((String) spec.get("baseUrl"))), HubClient.Settings.defaults()));
    }

    private final Config config;
    private final HubClient.Settings settings;

    public HubDownloadJob(Config config, HubClient.Settings settings) {
        this.config = config;
        this.settings = settings.withBase(config.baseUrl());
    }

    /** Makes sure the resumer is registered (class initialization). */
    public static void register() { }

    @Override public String kind() { return KIND; }
    @Override public String title() { return "Download " + config.dataset() + (config.maxFiles() > 0 ? " (" + config.maxFiles() + " files)" : ""); }
    @Override public Lane lane() { return Lane.CPU; }

    @Override public Map<String, Object> spec() {
        HubDataset d = config.dataset();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("repo", d.repo());
        m.put("config", d.config());
        m.put("split", d.split());
        m.put("revision", d.revision());
        m.put("out", config.outDir().toString());
        m.put("maxFiles", config.maxFiles());
        m.put("baseUrl", config.baseUrl().toString());
        return m;
    }

    @Override public String run(JobContext ctx) throws Exception {
        HubClient client = new HubClient(settings);
        HubDataset ds = config.dataset();
        ctx.progress(-1, "listing " + ds);
        List<HubClient.RemoteFile> files = client.listParquet(ds);
        if (files.isEmpty()) {
            throw new HubException("No parquet files for " + ds + ". HINT: check the config (folder) and split names on the dataset page.");
        }
        String commit = client.pinCommit(ds, files.getFirst().path());
        HubDataset pinned = ds.withRevision(commit);
        if (!commit.equals(ds.revision())) files = client.listParquet(pinned);   // the listing of exactly that commit
        if (config.maxFiles() > 0 && files.size() > config.maxFiles()) files = files.subList(0, config.maxFiles());
        ctx.log("dataset " + ds.repo() + " pinned to commit " + commit + ": " + files.size() + " parquet files, "
                + mb(files.stream().mapToLong(HubClient.RemoteFile::size).sum()) + " MB");

        Path out = config.outDir();
        Files.createDirectories(out);
        Map<String, FileEntry> manifest = readManifest(out);
        long total = files.stream().mapToLong(HubClient.RemoteFile::size).sum();
        Rate rate = new Rate(ctx, total);
        int reused = 0;
        int fetched = 0;
        for (HubClient.RemoteFile f : files) {
            ctx.checkpoint();
            Path target = out.resolve(f.path()).normalize();
            if (!target.startsWith(out.normalize())) throw new HubException("unsafe path in listing: " + f.path());
            FileEntry known = manifest.get(f.path());
            if (Files.isRegularFile(target) && Files.size(target) == f.size() && known != null
                    && known.sha256().equalsIgnoreCase(f.etag())) {
                reused++;
                rate.done(f.size());
                continue;
            }
            rate.phase = "downloading " + f.path();
            ctx.log("downloading " + f.path() + " (" + mb(f.size()) + " MB)");
            String hash = client.download(pinned, f.path(), target, rate);
            manifest.put(f.path(), new FileEntry(f.path(), Files.size(target), hash, commit));
            AtomicFiles.writeJson(out.resolve(MANIFEST), Map.of(
                    "repo", ds.repo(), "config", ds.config(), "split", ds.split(), "commit", commit,
                    "files", new TreeMap<>(manifest)));
            fetched++;
        }
        ctx.progress(1, "done");
        return "Downloaded " + fetched + " and reused " + reused + " parquet files of " + ds.repo() + "@" + commit.substring(0, Math.min(12, commit.length()))
                + " into " + out + " (" + mb(total) + " MB)";
    }

    private static Map<String, FileEntry> readManifest(Path out) throws IOException {
        Path m = out.resolve(MANIFEST);
        Map<String, FileEntry> entries = new TreeMap<>();
        if (!Files.isRegularFile(m)) return entries;
        var node = Json.MAPPER.readTree(m.toFile()).path("files");
        if (node.isObject()) entries.putAll(Json.MAPPER.convertValue(node, new TypeReference<Map<String, FileEntry>>() { }));
        return entries;
    }

    private static String mb(long bytes) { return String.format("%.1f", bytes / 1e6); }

    /** Progress and MB/s over the job's byte stream (reported at most every 250 ms). */
    private static final class Rate implements HubClient.Listener {
        private final JobContext ctx;
        private final long total;
        private long done;
        private long windowBytes;
        private long windowStart = System.nanoTime();
        String phase = "downloading";

        Rate(JobContext ctx, long total) { this.ctx = ctx; this.total = Math.max(1, total); }

        void done(long bytes) { done += bytes; ctx.progress((double) done / total, phase); }

        @Override public void bytes(long count) {
            done += count;
            windowBytes += count;
            long now = System.nanoTime();
            if (now - windowStart > 250_000_000L) {
                ctx.throughput(windowBytes / 1e6 / ((now - windowStart) / 1e9), "MB/s");
                ctx.progress(Math.min(1.0, (double) done / total), phase);
                windowBytes = 0;
                windowStart = now;
            }
        }

        @Override public void retry(String reason) { ctx.log("retry: " + reason); }

        @Override public void checkpoint() throws InterruptedException { ctx.checkpoint(); }
    }
}
