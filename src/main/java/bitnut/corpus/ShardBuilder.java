package bitnut.corpus;

import bitnut.common.AtomicFiles;
import bitnut.common.Job;
import bitnut.common.JobCancelledException;
import bitnut.common.JobContext;
import bitnut.common.JobKinds;
import bitnut.common.Json;
import bitnut.common.Lane;
import bitnut.text.Document;
import bitnut.text.DocumentStream;
import bitnut.text.SourceReport;
import bitnut.text.TextSources;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Corpus stage, main step: text files -> token shards. Documents stream from {@link TextSources} in
 * a fixed order and get a global index; each goes to the validation split when a hash of (index,
 * seed) says so, is encoded by the workspace tokenizer on a worker thread (one native tokenizer per
 * thread, all cores), and is appended with {@code <eos>} to the current shard of its split. A shard
 * is closed at the first document end past {@code shardTokens}, written temp + fsync + rename.
 *
 * <p>Threads: a reader thread parses the inputs and submits batches of ~256 K chars to the encoder
 * pool, queueing the futures in document order (at most {@link #IN_FLIGHT_PER_THREAD} per encoder,
 * which bounds memory); the job's thread takes them in that order and writes the shards. Reading,
 * encoding and writing overlap, so the build runs at the tokenizer's speed (bench corpus measures
 * it against raw batch encoding of the same text).
 *
 * <p>Resume: every shard header records the document index after its last document. A restarted
 * build re-reads the inputs (cheap next to tokenizing), skips documents already inside committed
 * shards and continues each split at its first missing shard, so an interrupted build ends with the
 * same bytes as an uninterrupted one. {@code build.json} pins the settings and the tokenizer hash;
 * {@code index.json} is written last and marks the folder complete.
 */
public final class ShardBuilder implements Job {
    public static final String KIND = "corpus.build";
    public static final String BUILD_FILE = "build.json";
    /** Characters of text per encode batch: big enough to amortize JNI, small enough to bound memory. */
    static final int BATCH_CHARS = 256 * 1024;
    /** Encode batches queued or running per encoder thread: enough that an encoder never waits for the reader. */
    static final int IN_FLIGHT_PER_THREAD = 3;
    /** Marks the end of the reader's batches in the queue. */
    private static final Future<Batch> END = CompletableFuture.completedFuture(null);

    static {
        JobKinds.register(KIND, (root, spec) -> new ShardBuilder(fromSpec(spec)));
    }

    private final CorpusBuildConfig config;

    public ShardBuilder(CorpusBuildConfig config) { this.config = config; }

    @Override public String kind() { return KIND; }
    @Override public String title() { return "Build token shards in " + config.outDir().getFileName(); }
    @Override public Lane lane() { return Lane.CPU; }
    @Override public boolean pausable() { return true; }

    @Override public Map<String, Object> spec() {
        Map<String, Object> m = new LinkedHashMap<>(config.contentKey());
        m.put("tokenizer", config.tokenizer().toString());
        m.put("out", config.outDir().toString());
        m.put("threads", config.threads());
        return m;
    }

    @SuppressWarnings("unchecked")
    static CorpusBuildConfig fromSpec(Map<String, Object> s) {
        return new CorpusBuildConfig((List<String>) s.get("inputs"), Path.of((String) s.get("tokenizer")), Path.of((String) s.get("out")),
                ((Number) s.get("valFraction")).doubleValue(), ((Number) s.get("shardTokens")).longValue(),
                ((Number) s.get("seed")).longValue(), (String) s.get("field"), (Boolean) s.get("txtLines"),
                ((Number) s.get("maxDocuments")).longValue(), ((Number) s.getOrDefault("threads", 0)).intValue());
    }

    /** Makes sure the resumer is registered (class initialization). */
    public static void register() { }

    @Override public String run(JobContext ctx) throws Exception {
        CorpusTokenizer tok = CorpusTokenizer.load(config.tokenizer());
        Path out = config.outDir();
        Files.createDirectories(out);
        if (Files.isRegularFile(out.resolve(CorpusIndex.FILE))) {
            checkBuildFile(out, tok);
            CorpusIndex idx = CorpusIndex.read(out);
            return "Already complete: " + summary(idx) + " (delete " + out.resolve(CorpusIndex.FILE) + " to rebuild)";
        }
        checkBuildFile(out, tok);
        Map<String, Object> build = new LinkedHashMap<>();
        build.put("format", "bitnut-corpus-build");
        build.put("tokenizerSha256", tok.hashHex());
        build.put("settings", config.contentKey());
        AtomicFiles.writeJson(out.resolve(BUILD_FILE), build);
        deleteTemps(out);

        SplitWriter train = new SplitWriter(CorpusIndex.TRAIN, TokenShardHeader.SPLIT_TRAIN, tok, out, ctx);
        SplitWriter val = new SplitWriter(CorpusIndex.VAL, TokenShardHeader.SPLIT_VAL, tok, out, ctx);
        if (train.nextShard > 0 || val.nextShard > 0) {
            ctx.log("resuming: " + train.nextShard + " train and " + val.nextShard + " val shards already complete");
        }

        int threads = config.effectiveThreads();
        List<CorpusTokenizer.Encoder> encoders = Collections.synchronizedList(new ArrayList<>());
        ThreadLocal<CorpusTokenizer.Encoder> encoder = new ThreadLocal<>();
        AtomicInteger threadNo = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "corpus-encode-" + threadNo.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        // reader thread -> [encode futures, in document order] -> this thread writes the shards
        BlockingQueue<Future<Batch>> inflight = new ArrayBlockingQueue<>(IN_FLIGHT_PER_THREAD * threads);
        Throughput rate = new Throughput(ctx);
        Reader reader;
        try (DocumentStream docs = TextSources.open(config.inputs(), config.textOptions())) {
            reader = new Reader(docs, train, val, inflight, pool, tok, encoder, encoders, ctx);
            Thread readThread = new Thread(reader, "corpus-read");
            readThread.setDaemon(true);
            readThread.start();
            try {
                while (true) {
                    ctx.checkpoint();
                    Future<Batch> f = inflight.poll(250, TimeUnit.MILLISECONDS);
                    if (f == END) break;
                    if (f != null) write(f, rate);
                    rate.maybeReport(docs.report().fraction(), train, val);
                }
                readThread.join();
                if (reader.failure instanceof Error e) throw e;
                if (reader.failure != null) throw (Exception) reader.failure;
                train.finish(reader.documents);
                val.finish(reader.documents);
            } finally {
                // on failure or cancel: stop the reader (blocked in put, or reading) before the stream closes
                readThread.interrupt();
                readThread.join(TimeUnit.MINUTES.toMillis(5));
            }
        } finally {
            for (Future<Batch> f : inflight) f.cancel(true);
            pool.shutdownNow();
            // a worker may be inside a native encode call (not interruptible): wait for it before
            // freeing the native tokenizers, or the call would run on freed memory
            boolean stopped = pool.awaitTermination(5, TimeUnit.MINUTES);
            train.abort();
            val.abort();
            if (stopped) for (CorpusTokenizer.Encoder e : encoders) e.close();
        }
        Stats stats = reader.stats;
        SourceReport report = reader.docs.report();
        CorpusIndex idx = index(out, tok, stats, report);
        AtomicFiles.writeJson(out.resolve(CorpusIndex.FILE), idx);
        ctx.progress(1, "done");
        for (CorpusIndex.SkippedFile s : idx.skipped()) ctx.log("skipped " + s.path() + ": " + s.reason());
        return summary(idx);
    }

    static String summary(CorpusIndex idx) {
        return String.format("%,d documents (%,d empty skipped), %.1f MB of text -> %,d train tokens in %d shards, %,d val tokens in %d shards%s",
                idx.documents(), idx.emptyDocuments(), idx.textBytes() / 1e6, idx.train().tokens(), idx.train().shards().size(),
                idx.val().tokens(), idx.val().shards().size(),
                idx.skipped().isEmpty() ? "" : ", " + idx.skipped().size() + " file(s) skipped");
    }

    private static void write(Future<Batch> f, Throughput rate) throws IOException, InterruptedException {
        Batch b;
        try {
            b = f.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) throw io;
            if (c instanceof RuntimeException re) throw re;
            throw new IOException("encoding failed: " + c, c);
        }
        for (int k = 0; k < b.ids.length; k++) b.writers.get(k).add(b.indices[k], b.ids[k]);
        rate.encoded(b.chars8);
    }

    /**
     * Reads the documents on its own thread, so that reading and parsing overlap with encoding and
     * writing: gives each its global index and split, packs them into batches of
     * {@link #BATCH_CHARS} and submits each batch to the encoder pool, queueing the futures in
     * document order for the writer. The bounded queue is what bounds memory: when the encoders
     * fall behind, {@code put} blocks and reading waits.
     */
    private final class Reader implements Runnable {
        final DocumentStream docs;
        final SplitWriter train;
        final SplitWriter val;
        final BlockingQueue<Future<Batch>> inflight;
        final ExecutorService pool;
        final CorpusTokenizer tok;
        final ThreadLocal<CorpusTokenizer.Encoder> encoder;
        final List<CorpusTokenizer.Encoder> encoders;
        final JobContext ctx;
        final Stats stats = new Stats();
        long documents;          // documents in the stream; read by the writer after join()
        Throwable failure;       // the same

        Reader(DocumentStream docs, SplitWriter train, SplitWriter val, BlockingQueue<Future<Batch>> inflight, ExecutorService pool,
               CorpusTokenizer tok, ThreadLocal<CorpusTokenizer.Encoder> encoder, List<CorpusTokenizer.Encoder> encoders, JobContext ctx) {
            this.ctx = ctx;
            this.docs = docs;
            this.train = train;
            this.val = val;
            this.inflight = inflight;
            this.pool = pool;
            this.tok = tok;
            this.encoder = encoder;
            this.encoders = encoders;
        }

        @Override public void run() {
            try {
                long index = 0;
                Batch batch = new Batch();
                for (Document d : docs) {
                    // cancel stops reading at once; pause is the writer's checkpoint (the full queue then blocks us)
                    if (ctx.cancelRequested()) throw new JobCancelledException();
                    long i = index++;
                    String text = d.text();
                    long bytes = stats.add(d.source(), text);
                    if (text.isBlank()) { stats.empty++; continue; }
                    SplitWriter w = config.isValidation(i) ? val : train;
                    if (i < w.resumeEnd) continue;            // already inside a committed shard
                    batch.add(i, w, text, bytes);
                    if (batch.chars >= BATCH_CHARS) {
                        inflight.put(submit(batch));
                        batch = new Batch();
                    }
                }
                if (batch.size() > 0) inflight.put(submit(batch));
                documents = index;
                stats.documents = index;
            } catch (InterruptedException e) {
                return;                                       // the writer stopped: it has its own reason
            } catch (Throwable e) {
                failure = e;
            }
            try {
                inflight.put(END);
            } catch (InterruptedException e) {
                // the writer stopped meanwhile
            }
        }

        private Future<Batch> submit(Batch b) {
            return pool.submit(() -> {
                CorpusTokenizer.Encoder e = encoder.get();
                if (e == null) {
                    e = tok.newEncoder();
                    encoder.set(e);
                    encoders.add(e);
                }
                b.ids = e.encode(b.texts.toArray(new String[0]));
                b.texts = null;      // free the text as soon as it is encoded
                return b;
            });
        }
    }

    // ---- compatibility -------------------------------------------------------------------------

    /** Refuses a folder built with another tokenizer or other settings, with the reason and a fix. */
    private void checkBuildFile(Path out, CorpusTokenizer tok) throws IOException {
        Path f = out.resolve(BUILD_FILE);
        if (Files.isRegularFile(f)) {
            JsonNode b = Json.MAPPER.readTree(f.toFile());
            String hash = b.path("tokenizerSha256").asText();
            if (!hash.equals(tok.hashHex())) throw refusedTokenizer(out, hash, tok);
            JsonNode want = Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(config.contentKey()));   // same number types as the file
            if (!want.equals(b.path("settings"))) {
                throw new IOException(out + " holds shards built with other settings (" + b.path("settings") + "; now " + want
                        + "). HINT: use the same inputs and options to resume, or another --out folder for a new build.");
            }
            return;
        }
        for (String split : List.of(CorpusIndex.TRAIN, CorpusIndex.VAL)) {
            for (Path p : CorpusIndex.shardFiles(out, split)) {
                TokenShardHeader h = TokenShardReader.readHeader(p);
                if (!h.tokenizerHashHex().equals(tok.hashHex())) throw refusedTokenizer(out, h.tokenizerHashHex(), tok);
                throw new IOException(out + " already holds shards (" + p.getFileName() + ") but no " + BUILD_FILE
                        + ". HINT: build into an empty folder.");
            }
        }
    }

    private static IOException refusedTokenizer(Path out, String existing, CorpusTokenizer tok) {
        return new IOException("Refusing to build: the shards in " + out + " were made with another tokenizer (sha256 "
                + existing.substring(0, Math.min(12, existing.length())) + "..., this one is " + tok.hashHex().substring(0, 12)
                + "... from " + tok.file() + "). Token ids from two vocabularies must not be mixed. "
                + "HINT: choose another --out folder, or delete " + out + " to rebuild it with this tokenizer.");
    }

    private static void deleteTemps(Path out) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(out, "*.tmp")) {
            for (Path p : ds) Files.deleteIfExists(p);
        }
    }

    // ---- index -----------------------------------------------------------------------------------

    private CorpusIndex index(Path out, CorpusTokenizer tok, Stats stats, SourceReport report) throws IOException {
        List<CorpusIndex.SourceStats> sources = new ArrayList<>();
        stats.perSource.forEach((path, v) -> sources.add(new CorpusIndex.SourceStats(path, v[0], v[1])));
        List<CorpusIndex.SkippedFile> skipped = report.skipped().stream()
                .map(s -> new CorpusIndex.SkippedFile(s.path(), s.reason())).toList();
        return new CorpusIndex(CorpusIndex.FORMAT, CorpusIndex.VERSION,
                new CorpusIndex.TokenizerInfo(tok.file().toString(), tok.hashHex(), tok.vocabSize(), tok.eosId()),
                config.contentKey(), sources, stats.documents, stats.empty, stats.bytes, stats.histogram,
                splitInfo(out, CorpusIndex.TRAIN), splitInfo(out, CorpusIndex.VAL), skipped,
                report.badLines(), report.badLineExamples(), report.nullValues(), report.invalidUtf8(), Instant.now().toString());
    }

    private static CorpusIndex.SplitInfo splitInfo(Path out, String split) throws IOException {
        List<CorpusIndex.ShardInfo> shards = new ArrayList<>();
        long docs = 0;
        long tokens = 0;
        for (Path p : CorpusIndex.shardFiles(out, split)) {
            TokenShardHeader h = TokenShardReader.readHeader(p);
            shards.add(new CorpusIndex.ShardInfo(p.getFileName().toString(), h.tokenCount(), h.documentCount()));
            docs += h.documentCount();
            tokens += h.tokenCount();
        }
        return new CorpusIndex.SplitInfo(docs, tokens, shards);
    }

    // ---- pieces ----------------------------------------------------------------------------------

    /** Documents on their way to a worker and back. */
    private static final class Batch {
        List<String> texts = new ArrayList<>();
        final List<SplitWriter> writers = new ArrayList<>();
        long[] indices = new long[64];
        int[][] ids;
        long chars;
        long chars8;     // UTF-8 bytes, for MB/s

        int size() { return writers.size(); }

        void add(long index, SplitWriter w, String text, long utf8Bytes) {
            if (writers.size() == indices.length) indices = java.util.Arrays.copyOf(indices, indices.length * 2);
            indices[writers.size()] = index;
            writers.add(w);
            texts.add(text);
            chars += text.length();
            chars8 += utf8Bytes;
        }
    }

    /** The open shard of one split, plus where a resumed build continues. */
    private final class SplitWriter {
        final String name;
        final int split;
        final CorpusTokenizer tok;
        final Path out;
        final JobContext ctx;
        int nextShard;
        long resumeEnd;          // documents below this index are already in committed shards
        TokenShardWriter open;

        SplitWriter(String name, int split, CorpusTokenizer tok, Path out, JobContext ctx) throws IOException {
            this.name = name;
            this.split = split;
            this.tok = tok;
            this.out = out;
            this.ctx = ctx;
            // the committed shards form a prefix 0..k-1; a damaged one (and all after it) is rebuilt
            List<Path> files = CorpusIndex.shardFiles(out, name);
            for (int k = 0; k < files.size(); k++) {
                Path p = files.get(k);
                boolean good = p.getFileName().toString().equals(CorpusIndex.shardName(name, k));
                TokenShardHeader h = null;
                if (good) {
                    try {
                        h = TokenShardReader.readHeader(p);
                        good = h.shardIndex() == k && h.split() == split && h.tokenizerHashHex().equals(tok.hashHex());
                    } catch (ShardFormatException e) {
                        ctx.log("discarding damaged shard: " + e.getMessage());
                        good = false;
                    }
                }
                if (!good) {
                    for (Path q : files.subList(k, files.size())) Files.deleteIfExists(q);
                    break;
                }
                nextShard = k + 1;
                resumeEnd = h.endDocument();
            }
        }

        void add(long index, int[] ids) throws IOException {
            if (open == null) {
                TokenShardHeader t = new TokenShardHeader(TokenShardWriter.needsWideTokens(tok.vocabSize()), 0, tok.vocabSize(),
                        tok.eosId(), 0, tok.hash(), split, nextShard, index, index);
                open = new TokenShardWriter(out.resolve(CorpusIndex.shardName(name, nextShard)), t);
            }
            open.writeDocument(ids, tok.eosId());
            if (open.tokens() >= config.shardTokens()) commit(index + 1);
        }

        void finish(long endDocument) throws IOException {
            if (open != null && open.tokens() > 0) commit(endDocument);
        }

        private void commit(long endDocument) throws IOException {
            TokenShardHeader h = open.commit(endDocument);
            ctx.log(String.format("wrote %s (%,d tokens, %,d documents)", open.target().getFileName(), h.tokenCount(), h.documentCount()));
            open = null;
            nextShard++;
        }

        void abort() throws IOException {
            if (open != null) open.close();
            open = null;
        }
    }

    /** Document statistics over the whole stream (resumed or not). */
    private static final class Stats {
        final Map<String, long[]> perSource = new LinkedHashMap<>();
        final long[] histogram = new long[40];
        long documents;
        long empty;
        long bytes;

        /** Counts one document; returns its UTF-8 length. */
        long add(String source, String text) {
            long n = utf8Length(text);
            bytes += n;
            long[] s = perSource.computeIfAbsent(source, k -> new long[2]);
            s[0]++;
            s[1] += n;
            histogram[n <= 1 ? 0 : Math.min(histogram.length - 1, 63 - Long.numberOfLeadingZeros(n))]++;
            return n;
        }
    }

    static long utf8Length(String s) {
        long n = 0;
        for (int i = 0, len = s.length(); i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) n++;
            else if (c < 0x800) n += 2;
            else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) { n += 4; i++; }
            else n += 3;
        }
        return n;
    }

    /** Progress (by input bytes read) and MB/s of text encoded, at most 4 times a second. */
    private static final class Throughput {
        final JobContext ctx;
        final long start = System.nanoTime();
        long last = start;
        long total;
        long windowBytes;

        Throughput(JobContext ctx) { this.ctx = ctx; }

        void encoded(long bytes) { total += bytes; windowBytes += bytes; }

        void maybeReport(double fraction, SplitWriter train, SplitWriter val) {
            long now = System.nanoTime();
            if (now - last < 250_000_000L) return;
            ctx.throughput(windowBytes / 1e6 / ((now - last) / 1e9), "MB/s");
            ctx.progress(fraction, "encoding: train shard " + train.nextShard + ", val shard " + val.nextShard);
            last = now;
            windowBytes = 0;
        }
    }
}
