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
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code bitnut corpus bench}: the corpus stage's performance figures, measured side by side in
 * one run (docs/benchmarks.md, "## Corpus"):
 * <ol>
 *   <li>raw DJL batch encoding of the text held in memory, N threads with one tokenizer each
 *   (ids-only native path, and DJL's {@code Encoding} path for reference);</li>
 *   <li>the full shard build ({@link ShardBuilder}) of the same inputs with N threads: reading,
 *   encoding, writing, fsync; the ratio build / raw says whether the pipeline is the bottleneck;</li>
 *   <li>random {@code B x (T+1)} window reads from a memory-mapped shard, warm;</li>
 *   <li>heap peak and process peak RSS over the run.</li>
 * </ol>
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
            long shardMegabytes,   // size of the synthetic shard for window reads (typ. 256)
            int batchSize,         // B for window reads (typ. 64)
            int context,           // T for window reads (typ. 1024)
            double readSeconds) {  // duration of the timed window-read phase
    }

    private CorpusBench() { }

    public static void run(Options o, PrintStream out) throws Exception {
        HeapPeak heap = new HeapPeak();
        heap.start();
        CorpusTokenizer tok = CorpusTokenizer.load(o.tokenizer());
        out.printf("tokenizer %s (vocab %,d), threads %d, cores %d%n", tok.file(), tok.vocabSize(), o.threads(),
                Runtime.getRuntime().availableProcessors());

        // 1. raw encoding of the same text, from memory
        List<String> docs = new ArrayList<>();
        long bytes = 0;
        CorpusBuildConfig cfg = new CorpusBuildConfig(o.inputs(), o.tokenizer(), o.workDir().resolve("shards"),
                CorpusBuildConfig.DEFAULT_VAL_FRACTION, CorpusBuildConfig.DEFAULT_SHARD_TOKENS, 1337, o.field(), false,
                o.maxDocuments(), o.threads());
        try (DocumentStream ds = TextSources.open(o.inputs(), cfg.textOptions())) {
            for (Document d : ds) {
                if (d.text().isBlank()) continue;
                docs.add(d.text());
                bytes += ShardBuilder.utf8Length(d.text());
            }
        }
        out.printf("text: %,d documents, %.1f MB%n", docs.size(), bytes / 1e6);
        List<String[]> batches = batches(docs);
        encodeAll(tok, batches, o.threads(), false);      // warm-up: native load, page cache, JIT
        double rawIds = bytes / 1e6 / encodeAll(tok, batches, o.threads(), false);
        double rawEnc = bytes / 1e6 / encodeAll(tok, batches, o.threads(), true);
        docs = null;
        batches = null;
        out.printf("raw DJL batch encode, ids-only path : %8.2f MB/s%n", rawIds);
        out.printf("raw DJL batch encode, Encoding path : %8.2f MB/s%n", rawEnc);

        // 2. the full shard build of the same inputs
        AtomicFiles.deleteTree(cfg.outDir());
        System.gc();
        long heapBeforeBuild = heap.peak;
        heap.peak = 0;
        long t0 = System.nanoTime();
        new ShardBuilder(cfg).run(new DirectJobContext());
        double buildSecs = (System.nanoTime() - t0) / 1e9;
        CorpusIndex idx = CorpusIndex.read(cfg.outDir());
        double build = idx.textBytes() / 1e6 / buildSecs;
        out.printf("shard build (read+encode+write+fsync): %8.2f MB/s (%.1f s, %,d tokens)%n", build, buildSecs,
                idx.train().tokens() + idx.val().tokens());
        out.printf("heap peak during the streaming build: %.0f MB%n", heap.peak / 1e6);
        heap.peak = Math.max(heap.peak, heapBeforeBuild);
        out.printf("ratio build / raw ids-only = %.2f, build / raw Encoding = %.2f%n", build / rawIds, build / rawEnc);

        // 3. random window reads from a mapped shard, warm
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
        heap.finish();
        out.printf("memory: heap peak %.0f MB (max heap %.0f MB), process peak RSS %s%n", heap.peak / 1e6,
                Runtime.getRuntime().maxMemory() / 1e6, peakRss());
        AtomicFiles.deleteTree(o.workDir());
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

    /** Seconds to encode all batches on {@code threads} threads, one tokenizer each. */
    private static double encodeAll(CorpusTokenizer tok, List<String[]> batches, int threads, boolean viaEncoding) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<CorpusTokenizer.Encoder> encs = new ArrayList<>();
            for (int t = 0; t < threads; t++) encs.add(tok.newEncoder());
            long t0 = System.nanoTime();
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int me = t;
                fs.add(pool.submit(() -> {
                    for (int i = me; i < batches.size(); i += threads) {
                        if (viaEncoding) encs.get(me).encodeViaEncoding(batches.get(i)); else encs.get(me).encode(batches.get(i));
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get();
            double s = (System.nanoTime() - t0) / 1e9;
            encs.forEach(CorpusTokenizer.Encoder::close);
            return s;
        } finally {
            pool.shutdownNow();
        }
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
