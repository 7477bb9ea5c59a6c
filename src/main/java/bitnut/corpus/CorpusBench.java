package bitnut.corpus;

import bitnut.common.AtomicFiles;
import bitnut.common.DirectJobContext;
import bitnut.text.Document;
import bitnut.text.DocumentStream;
import bitnut.text.TextSources;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code bitnut bench corpus}: the corpus stage's performance figures, measured side by side in one
 * run (docs/benchmarks.md, "## Corpus"):
 * <ol>
 *   <li>reading alone: the inputs parsed to documents (JSONL/Parquet/text readers), one thread;</li>
 *   <li>raw DJL batch encoding of exactly the build's documents, held in memory, on N threads with
 *   one tokenizer each, through the same ids-only native path the build uses
 *   ({@link CorpusTokenizer.Encoder#encode}), the same 256 K-char batches, and the tokenizers
 *   created inside the timed span as the build must;</li>
 *   <li>the full shard build ({@link ShardBuilder}) of the same inputs with N threads: reading,
 *   encoding, writing, fsync. The ratio build / raw says whether the pipeline is the bottleneck.</li>
 * </ol>
 * Both get the same warm-up (a raw pass and a build over the first {@code warmupMegabytes}), then
 * {@code rounds} rounds alternate their order (raw first, then build first, ...) so that a drift of
 * the machine's load hits both alike; the summary gives the medians and the median of the per-round
 * ratios. Then random {@code B x (T+1)} window reads from a memory-mapped shard, warm, and the heap
 * peak and process peak RSS over the run.
 */
public final class CorpusBench {
    /** Bench settings. */
    public record Options(
            List<String> inputs,   // text to tokenize (same readers as the build)
            String field,          // JSONL field / Parquet column
            Path tokenizer,        // folder with tokenizer.json
            Path workDir,          // scratch folder (deleted afterwards)
            int threads,           // encoder threads (typ. 2)
            long maxDocuments,     // cap on documents read (0 = all)
            int rounds,            // timed raw + build rounds (typ. 3)
            double warmupMegabytes, // text encoded and built once, untimed, before the rounds (typ. 8)
            long shardMegabytes,   // size of the synthetic shard for window reads (typ. 256; 0 = skip)
            int batchSize,         // B for window reads (typ. 64)
            int context,           // T for window reads (typ. 1024)
            double readSeconds) {  // duration of the timed window-read phase
    }

    /** Wall and process CPU seconds of one timed phase. */
    record Span(double wall, double cpu) { }

    /**
     * One timed round: MB/s of wall time, and MB per process CPU second (all threads, native ones
     * included) -- the CPU figure is what a loaded shared machine distorts least.
     */
    record Round(double readMBs, double rawMBs, double buildMBs, double rawPerCpu, double buildPerCpu,
                 double loadBefore, double loadAfter) {
        double ratio() { return buildMBs / rawMBs; }
        double cpuRatio() { return buildPerCpu / rawPerCpu; }
    }

    private CorpusBench() { }

    public static void run(Options o, PrintStream out) throws Exception {
        HeapPeak heap = new HeapPeak();
        heap.start();
        CorpusTokenizer tok = CorpusTokenizer.load(o.tokenizer());
        out.printf("tokenizer %s (vocab %,d), threads %d, cores %d, max heap %.0f MB%n", tok.file(), tok.vocabSize(), o.threads(),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() / 1e6);

        // the build's documents, in memory for the raw passes (blank ones are skipped by both)
        CorpusBuildConfig cfg = new CorpusBuildConfig(o.inputs(), o.tokenizer(), o.workDir().resolve("shards"),
                CorpusBuildConfig.DEFAULT_VAL_FRACTION, CorpusBuildConfig.DEFAULT_SHARD_TOKENS, 1337, o.field(), false,
                o.maxDocuments(), o.threads());
        List<String> docs = new ArrayList<>();
        long bytes = 0;
        long warmupDocs = 0;
        long streamDocs = 0;
        try (DocumentStream ds = TextSources.open(o.inputs(), cfg.textOptions())) {
            for (Document d : ds) {
                streamDocs++;
                if (d.text().isBlank()) continue;
                docs.add(d.text());
                bytes += ShardBuilder.utf8Length(d.text());
                if (bytes < o.warmupMegabytes() * 1e6) warmupDocs = streamDocs;
            }
        }
        if (docs.isEmpty()) throw new IOException("no documents in " + o.inputs() + " (field \"" + o.field() + "\")");
        double mb = bytes / 1e6;
        out.printf("text: %,d documents, %.1f MB (UTF-8)%n", docs.size(), mb);
        List<String[]> batches = batches(docs);
        docs = null;

        // equal warm-up: native library, tokenizer files, JIT, page cache
        long t0 = System.nanoTime();
        List<String[]> warm = new ArrayList<>();
        for (long c = 0; warm.size() < batches.size() && c < o.warmupMegabytes() * 1e6; c += chars(batches.get(warm.size()))) {
            warm.add(batches.get(warm.size()));
        }
        encodeAll(tok, warm, o.threads());
        build(cfg.withMaxDocuments(Math.max(1, warmupDocs)));
        out.printf("warm-up: raw encode + build of the first %.0f MB, %.1f s%n", o.warmupMegabytes(), (System.nanoTime() - t0) / 1e9);

        List<Round> rounds = new ArrayList<>();
        out.println("| round | load 1-min before/after | read only MB/s (1 thread) | raw DJL ids-only MB/s | shard build MB/s | build / raw "
                + "| raw MB per CPU-s | build MB per CPU-s | build / raw per CPU-s |");
        out.println("|---|---|---|---|---|---|---|---|---|");
        for (int r = 1; r <= o.rounds(); r++) {
            double loadBefore = loadAverage();
            double read = mb / readOnly(cfg).wall();
            Span raw;
            Span built;
            if (r % 2 == 1) {
                raw = encodeAll(tok, batches, o.threads());
                built = build(cfg);
            } else {
                built = build(cfg);
                raw = encodeAll(tok, batches, o.threads());
            }
            Round round = new Round(read, mb / raw.wall(), mb / built.wall(), mb / raw.cpu(), mb / built.cpu(), loadBefore, loadAverage());
            rounds.add(round);
            out.printf("| %d%s | %.2f / %.2f | %.1f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |%n", r, r % 2 == 1 ? " (raw first)" : " (build first)",
                    round.loadBefore(), round.loadAfter(), read, round.rawMBs(), round.buildMBs(), round.ratio(),
                    round.rawPerCpu(), round.buildPerCpu(), round.cpuRatio());
        }
        batches = null;
        double rawMed = median(rounds.stream().mapToDouble(Round::rawMBs).toArray());
        double buildMed = median(rounds.stream().mapToDouble(Round::buildMBs).toArray());
        double ratioMed = median(rounds.stream().mapToDouble(Round::ratio).toArray());
        double cpuRatioMed = median(rounds.stream().mapToDouble(Round::cpuRatio).toArray());
        out.printf("SUMMARY corpus: %.1f MB, %d threads, %d rounds: raw DJL ids-only %.2f MB/s, shard build %.2f MB/s (medians), "
                        + "build/raw median %.2f (rounds %s), per CPU-second %.2f, load %.1f-%.1f%n",
                mb, o.threads(), rounds.size(), rawMed, buildMed, ratioMed,
                String.join(" ", rounds.stream().map(x -> String.format("%.2f", x.ratio())).toList()), cpuRatioMed,
                rounds.stream().mapToDouble(x -> Math.min(x.loadBefore(), x.loadAfter())).min().orElse(0),
                rounds.stream().mapToDouble(x -> Math.max(x.loadBefore(), x.loadAfter())).max().orElse(0));
        out.printf("heap peak so far %.0f MB (includes the %.0f MB of text held for the raw passes)%n", heap.peak / 1e6, mb);

        // random window reads from a mapped shard, warm
        if (o.shardMegabytes() > 0 && o.readSeconds() > 0) {
            Path shard = o.workDir().resolve("bench_shard.bin");
            long tokens = o.shardMegabytes() * 1_000_000L / 2;
            writeRandomShard(shard, tokens, tok.vocabSize() > 65536 ? 65536 : tok.vocabSize());
            try (TokenWindows w = TokenWindows.random(List.of(shard), o.batchSize(), o.context(), 7)) {
                int[] batch = new int[w.batchLength()];
                long warmEnd = System.nanoTime() + 1_000_000_000L;
                while (System.nanoTime() < warmEnd) w.nextBatch(batch);
                long n = 0;
                long start = System.nanoTime();
                long end = start + (long) (o.readSeconds() * 1e9);
                while (System.nanoTime() < end) { w.nextBatch(batch); n++; }
                double secs = (System.nanoTime() - start) / 1e9;
                double tokPerS = n * (double) w.batchLength() / secs;
                out.printf("random windows B=%d T=%d from a %d MB shard: %,.0f batches/s, %.0f M tokens/s, %.2f GB/s of shard bytes (uint16), %.2f GB/s delivered as int32%n",
                        o.batchSize(), o.context(), o.shardMegabytes(), n / secs, tokPerS / 1e6, tokPerS * 2 / 1e9, tokPerS * 4 / 1e9);
            }
        }
        heap.finish();
        out.printf("memory: heap peak %.0f MB (max heap %.0f MB), process peak RSS %s%n", heap.peak / 1e6,
                Runtime.getRuntime().maxMemory() / 1e6, peakRss());
        AtomicFiles.deleteTree(o.workDir());
    }

    /** A full shard build into a fresh folder (deleted afterwards). */
    private static Span build(CorpusBuildConfig cfg) throws Exception {
        AtomicFiles.deleteTree(cfg.outDir());
        System.gc();
        Clock c = new Clock();
        new ShardBuilder(cfg).run(new DirectJobContext());
        Span s = c.stop();
        AtomicFiles.deleteTree(cfg.outDir());
        return s;
    }

    /** Reading and parsing the inputs to documents, nothing else. */
    private static Span readOnly(CorpusBuildConfig cfg) throws IOException {
        Clock c = new Clock();
        long n = 0;
        try (DocumentStream ds = TextSources.open(cfg.inputs(), cfg.textOptions())) {
            for (Document d : ds) n += d.text().length();
        }
        if (n < 0) throw new IllegalStateException();        // keeps the loop from being optimized away
        return c.stop();
    }

    /** Wall clock and process CPU time (every thread of the process, the tokenizer's native ones too). */
    private static final class Clock {
        final long wall0 = System.nanoTime();
        final long cpu0 = processCpuNanos();

        Span stop() { return new Span((System.nanoTime() - wall0) / 1e9, (processCpuNanos() - cpu0) / 1e9); }

        static long processCpuNanos() {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                return os.getProcessCpuTime();
            }
            return System.nanoTime();          // no CPU clock: the CPU figures then equal the wall ones
        }
    }

    private static List<String[]> batches(List<String> docs) {
        List<String[]> out = new ArrayList<>();
        List<String> cur = new ArrayList<>();
        long chars = 0;
        for (String d : docs) {
            cur.add(d);
            chars += d.length();
            if (chars >= ShardBuilder.BATCH_CHARS) { out.add(cur.toArray(new String[0])); cur.clear(); chars = 0; }
        }
        if (!cur.isEmpty()) out.add(cur.toArray(new String[0]));
        return out;
    }

    private static long chars(String[] batch) {
        long n = 0;
        for (String s : batch) n += s.length();
        return n;
    }

    /**
     * Encodes all batches on {@code threads} threads, one tokenizer each, created inside
     * the timed span; the threads take batches from a shared counter, as the build's pool does.
     */
    static Span encodeAll(CorpusTokenizer tok, List<String[]> batches, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<CorpusTokenizer.Encoder> encs = java.util.Collections.synchronizedList(new ArrayList<>());
        try {
            AtomicInteger next = new AtomicInteger();
            Clock c = new Clock();
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                fs.add(pool.submit(() -> {
                    CorpusTokenizer.Encoder e = tok.newEncoder();
                    encs.add(e);
                    for (int i; (i = next.getAndIncrement()) < batches.size(); ) e.encode(batches.get(i));
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get();
            return c.stop();
        } finally {
            pool.shutdown();
            pool.awaitTermination(1, TimeUnit.MINUTES);
            encs.forEach(CorpusTokenizer.Encoder::close);
        }
    }

    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length == 0 ? Double.NaN : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** The 1-minute load average (Linux), or -1. */
    static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static void writeRandomShard(Path file, long tokens, int vocab) throws IOException {
        byte[] hash = new byte[32];
        TokenShardHeader t = new TokenShardHeader(false, 0, vocab, 0, 0, hash, TokenShardHeader.SPLIT_TRAIN, 0, 0, 0);
        SplittableRandom r = new SplittableRandom(1);
        try (TokenShardWriter w = new TokenShardWriter(file, t)) {
            int[] doc = new int[1 << 16];
            for (long done = 0; done < tokens; done += doc.length) {
                int n = (int) Math.min(doc.length, tokens - done);
                for (int i = 0; i < n; i++) doc[i] = r.nextInt(vocab);
                w.writeDocument(doc, 0, n);
            }
            w.commit(1);
        }
    }

    static String peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return line.substring(6).trim();
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux: no RSS figure
        }
        return "n/a";
    }

    /** Samples used heap every 50 ms. */
    private static final class HeapPeak extends Thread {
        volatile long peak;
        volatile boolean done;

        HeapPeak() { super("heap-peak"); setDaemon(true); }

        @Override public void run() {
            while (!done) {
                long used = 0;
                for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
                    if (p.getType() == MemoryType.HEAP) used += p.getUsage().getUsed();
                }
                peak = Math.max(peak, used);
                try { Thread.sleep(50); } catch (InterruptedException e) { return; }
            }
        }

        void finish() { done = true; }
    }
}
