package bitnut.cli;

import bitnut.infer.BatchedDecodeBench;
import bitnut.infer.BitNetModel;
import bitnut.infer.ChatReuseBench;
import bitnut.infer.CheckpointCatalog;
import bitnut.infer.InferBench;
import bitnut.infer.ModelLoader;
import bitnut.infer.Sampler;
import bitnut.infer.kernel.DenseMatrix;
import bitnut.infer.kernel.MemoryBandwidth;
import bitnut.model.BitNetConfig;
import bitnut.model.ModelPresets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code bitnut bench infer}: prefill / decode tok/s and time to first token of the ternary engine,
 * side by side with the DJL fp32 KV-cache forward of the same model and with the physical floor
 * (memory bandwidth / bytes per decoded token), for each thread count; then the speed and quality
 * cost of each embeddings/lm_head precision. With --batch 1,4,8: batched decode instead (aggregate
 * decode tok/s of B sequences stepping together, side by side). With --chat-turns N: time to first token
 * of each chat turn with prefix reuse vs a full prefill (ChatReuseBench). Figures go to docs/benchmarks.md (## Inference).
 */
@Command(name = "infer", mixinStandardHelpOptions = true,
        description = "Benchmark the inference engine vs DJL fp32 and vs the memory-bandwidth floor.")
public final class BenchInferCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", paramLabel = "DIR", description = "Checkpoint (or run) folder to benchmark.")
    Path checkpoint;
    @Option(names = "--preset", defaultValue = "bitnut-133m", description = "Preset for --random-weights (default: ${DEFAULT-VALUE}).")
    String preset;
    @Option(names = "--random-weights", description = "Use random ternary weights of --preset instead of a checkpoint.")
    boolean random;
    @Option(names = "--threads", split = ",", defaultValue = "1,2", description = "Thread counts to measure (default: ${DEFAULT-VALUE}).")
    List<Integer> threads;
    @Option(names = "--prompt-tokens", defaultValue = "64", description = "Prompt length (default: ${DEFAULT-VALUE}).")
    int promptTokens;
    @Option(names = "--new-tokens", defaultValue = "128", description = "Tokens to decode (default: ${DEFAULT-VALUE}).")
    int newTokens;
    @Option(names = "--repeat", defaultValue = "3", description = "Measured runs per setting, best kept (default: ${DEFAULT-VALUE}).")
    int repeat;
    @Option(names = "--head-precision", defaultValue = "f32", description = "Embeddings/lm_head precision of the main runs (default: ${DEFAULT-VALUE}).")
    String headPrecision;
    @Option(names = "--no-djl", description = "Skip the DJL fp32 baseline.")
    boolean noDjl;
    @Option(names = "--no-precisions", description = "Skip the f32/bf16/int8 head comparison.")
    boolean noPrecisions;
    @Option(names = "--profile", description = "Also profile one decoded token per thread count: time per phase vs its bytes / bandwidth.")
    boolean profile;
    @Option(names = "--eval-shard", paramLabel = "FILE",
            description = "Held-out token shard (corpus val_*.bin) to measure the head precisions' quality on real text (needs --checkpoint).")
    Path evalShard;
    @Option(names = "--eval-tokens", defaultValue = "8192", description = "Tokens of --eval-shard to use (default: ${DEFAULT-VALUE}).")
    int evalTokens;
    @Option(names = "--bandwidth-passes", defaultValue = "5", description = "Timed passes of the bandwidth probe, best kept (default: ${DEFAULT-VALUE}).")
    int bandwidthPasses;
    @Option(names = "--batch", split = ",", paramLabel = "B", description = "Batched decode instead of the tables: aggregate decode tok/s of B sequences decoding together, each B side by side (e.g. 1,4,8).")
    List<Integer> batch;
    @Option(names = "--chat-turns", defaultValue = "0", paramLabel = "N",
            description = "Chat prefix reuse instead of the tables: time to first token of each of N turns of a synthetic conversation, with and without reuse (first prompt --prompt-tokens, answers --new-tokens).")
    int chatTurns;
    @Option(names = "--message-tokens", defaultValue = "32", description = "With --chat-turns: tokens of each later human message (default: ${DEFAULT-VALUE}).")
    int messageTokens;

    /** Whether the JVM backs its heap (weights, and the probe's buffer) with THP: it changes both sides of decode / floor. */
    static String hugePages() {
        try {
            var bean = java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            return bean.getVMOption("UseTransparentHugePages").getValue();
        } catch (RuntimeException e) {
            return "unknown";
        }
    }

    @Override public Integer call() throws Exception {
        if (checkpoint == null && !random) throw new IllegalArgumentException("give --checkpoint DIR or --preset NAME --random-weights");
        if (evalShard != null) return evalQuality();
        DenseMatrix.Precision main = DenseMatrix.Precision.parse(headPrecision);
        BitNetModel model = load(main);
        BitNetConfig c = model.config;
        int ctx = promptTokens + newTokens / 2;              // mean context length while decoding
        System.out.printf(Locale.ROOT, "model %s | %s%n", model.source, c.summary());
        System.out.printf(Locale.ROOT, "prompt %d tokens, %d new tokens, head %s, %d cores, load %s, heap on transparent huge pages: %s%n",
                promptTokens, newTokens, main, Runtime.getRuntime().availableProcessors(), loadAverage(), hugePages());
        long bytes = InferBench.bytesPerToken(model, ctx);
        System.out.printf(Locale.ROOT, "bytes per decoded token: %.1f MB (ternary %.1f MB + head %.1f MB + KV %.1f MB at ctx %d)%n",
                bytes / 1e6, model.ternaryBytes() / 1e6, model.lmHead.bytes() / 1e6,
                (bytes - model.bytesPerDecodedToken()) / 1e6, ctx);
        if (batch != null && !batch.isEmpty()) return batched(model);
        if (chatTurns > 0) return chatReuse(model);
        MemoryBandwidth probe = MemoryBandwidth.standard();
        System.out.printf(Locale.ROOT, "bandwidth probe: sequential read of a %d MB int[] (L3 %d MB) by the decode's thread count, best (median) of %d passes, run right before and right after the engine's decode%n",
                probe.bufferBytes() >> 20, MemoryBandwidth.lastLevelCacheBytes() >> 20, bandwidthPasses);
        System.out.println();
        System.out.println("| threads | engine prefill tok/s | engine decode tok/s | TTFT ms | DJL fp32 prefill tok/s | DJL fp32 decode tok/s | decode speed-up | bandwidth before GB/s | bandwidth after GB/s | floor tok/s | decode / floor |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        DjlKvBaseline djl = noDjl ? null : new DjlKvBaseline(model);
        try {
            for (int t : threads) {
                MemoryBandwidth.Reading before = probe.measure(t, bandwidthPasses);
                InferBench.Result r = InferBench.run(model, t, promptTokens, newTokens, repeat, 1);
                MemoryBandwidth.Reading after = probe.measure(t, bandwidthPasses);
                double[] d = djl == null ? new double[] {Double.NaN, Double.NaN} : djlRun(djl, model, t);
                double bw = Math.max(before.bestBytesPerSec(), after.bestBytesPerSec());   // the faster one: the stricter floor
                double floor = bw / bytes;
                boolean noBaseline = Double.isNaN(d[1]);             // --no-djl: dashes instead of NaN
                System.out.printf(Locale.ROOT, "| %d | %.0f | %.1f | %.1f | %s | %s | %s | %.1f (%.1f) | %.1f (%.1f) | %.1f | %.2f |%n",
                        t, r.prefillTokPerSec(), r.decodeTokPerSec(), r.ttftMs(),
                        noBaseline ? "-" : String.format(Locale.ROOT, "%.1f", d[0]), noBaseline ? "-" : String.format(Locale.ROOT, "%.2f", d[1]),
                        noBaseline ? "-" : String.format(Locale.ROOT, "%.1fx", r.decodeTokPerSec() / d[1]),
                        before.bestGBs(), before.medianGBs(), after.bestGBs(), after.medianGBs(), floor, r.decodeTokPerSec() / floor);
            }
        } finally {
            if (djl != null) djl.close();
        }
        if (profile) profile(model, probe);
        if (!noPrecisions) precisions(threads.get(threads.size() - 1));
        return 0;
    }

    /** Batched decode: aggregate and per-sequence decode tok/s per batch size, per thread count, vs batch 1. */
    private int batched(BitNetModel model) {
        int[] bs = batch.stream().mapToInt(Integer::intValue).toArray();
        for (int b : bs) if (b < 1) throw new IllegalArgumentException("--batch sizes must be >= 1, got " + b);
        System.out.println();
        System.out.println("| threads | batch | decode step ms | aggregate decode tok/s | per-sequence tok/s | aggregate vs batch " + bs[0]
                + " | with teacher sampling: aggregate tok/s | vs batch " + bs[0] + " |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (int t : threads) {
            List<BatchedDecodeBench.Result> rs = BatchedDecodeBench.run(model, t, bs, promptTokens, newTokens, repeat, 1);
            for (BatchedDecodeBench.Result r : rs) {
                System.out.printf(Locale.ROOT, "| %d | %d | %.1f | %.1f | %.1f | %.2fx | %.1f | %.2fx |%n", t, r.batch(), r.stepMs(),
                        r.aggregateTokPerSec(), r.perSequenceTokPerSec(), r.aggregateTokPerSec() / rs.getFirst().aggregateTokPerSec(),
                        r.sampledAggregateTokPerSec(), r.sampledAggregateTokPerSec() / rs.getFirst().sampledAggregateTokPerSec());
            }
        }
        System.out.printf(Locale.ROOT, "load after: %s%n", loadAverage());
        return 0;
    }

    /** Chat prefix reuse: per thread count, each turn's TTFT with a full prefill and with reuse, side by side. */
    private int chatReuse(BitNetModel model) {
        if (messageTokens < 1) throw new IllegalArgumentException("--message-tokens must be >= 1");
        System.out.printf(Locale.ROOT, "chat: first prompt %d tokens, each later message %d tokens, answers %d greedy tokens, %d turns, best of %d conversations per turn%n",
                promptTokens, messageTokens, newTokens, chatTurns, Math.max(1, repeat));
        for (int t : threads) {
            List<ChatReuseBench.Turn> turns = ChatReuseBench.run(model, t, chatTurns, promptTokens, messageTokens, newTokens, Math.max(1, repeat), 1);
            System.out.println();
            System.out.printf(Locale.ROOT, "%d thread(s), load after %s:%n", t, loadAverage());
            System.out.println("| turn | prompt tokens | prefilled with reuse | TTFT full prefill ms | TTFT with reuse ms | full / reuse | same answer |");
            System.out.println("|---|---|---|---|---|---|---|");
            for (ChatReuseBench.Turn r : turns) {
                System.out.printf(Locale.ROOT, "| %d | %d | %d | %.1f | %.1f | %.1fx | %s |%n", r.turn(), r.promptTokens(), r.prefilled(),
                        r.fullTtftMs(), r.reuseTtftMs(), r.fullTtftMs() / r.reuseTtftMs(), r.sameAnswer() ? "yes" : "NO");
            }
        }
        return 0;
    }

    /** Per thread count: ms per decoded token of each phase against its bytes / measured bandwidth. */
    private void profile(BitNetModel model, MemoryBandwidth probe) {
        for (int t : threads) {
            double bw = probe.measure(t, bandwidthPasses).bestBytesPerSec();
            List<InferBench.PhaseCost> costs = InferBench.profile(model, t, promptTokens, newTokens, 1);
            double handOff = InferBench.handOffNanos(t);
            int regions = InferBench.parallelRegionsPerToken(model);
            double total = costs.stream().mapToDouble(InferBench.PhaseCost::msPerToken).sum();
            System.out.println();
            System.out.printf(Locale.ROOT, "profile, %d thread(s), one decoded token at mean context %d, bandwidth %.1f GB/s, load %s:%n",
                    t, promptTokens + newTokens / 2, bw / 1e9, loadAverage());
            System.out.println("| phase | ms per token | share | MB per token | floor ms (bytes / bandwidth) | time / floor |");
            System.out.println("|---|---|---|---|---|---|");
            for (InferBench.PhaseCost c : costs) {
                double floorMs = c.bytesPerToken() / bw * 1e3;
                System.out.printf(Locale.ROOT, "| %s | %.3f | %.1f%% | %.2f | %.3f | %s |%n", c.phase().name().toLowerCase(Locale.ROOT),
                        c.msPerToken(), 100 * c.msPerToken() / total, c.bytesPerToken() / 1e6, floorMs,
                        floorMs > 0.001 ? String.format(Locale.ROOT, "%.2f", c.msPerToken() / floorMs) : "-");
            }
            long allBytes = costs.stream().mapToLong(InferBench.PhaseCost::bytesPerToken).sum();
            System.out.printf(Locale.ROOT, "| **total** | %.3f | 100%% | %.2f | %.3f | %.2f |%n", total, allBytes / 1e6,
                    allBytes / bw * 1e3, total / (allBytes / bw * 1e3));
            System.out.printf(Locale.ROOT, "thread hand-off (empty forRange): %.2f us x %d parallel regions per token = %.3f ms per token (included in the phases above)%n",
                    handOff / 1e3, regions, handOff * regions / 1e6);
        }
    }

    /** Quality of the bf16 and int8 heads vs f32 on held-out tokens of a trained checkpoint. */
    private int evalQuality() throws Exception {
        if (checkpoint == null) throw new IllegalArgumentException("--eval-shard needs --checkpoint DIR (random weights have no meaningful quality)");
        int[] tokens;
        try (bitnut.corpus.TokenShardReader r = bitnut.corpus.TokenShardReader.open(evalShard)) {
            int n = (int) Math.min(evalTokens, r.tokenCount());
            tokens = new int[n];
            r.read(0, tokens, 0, n, new short[n]);
        }
        BitNetModel ref = load(DenseMatrix.Precision.F32);
        System.out.printf(Locale.ROOT, "model %s | %s%nheld-out tokens: first %d of %s, windows of %d positions, load %s%n",
                ref.source, ref.config.summary(), tokens.length, evalShard, Math.min(256, ref.config.maxPositionEmbeddings()), loadAverage());
        System.out.println();
        System.out.println("| head precision | head MB | positions | top-1 agreement vs f32 | mean KL(f32 || head) nats | perplexity f32 | perplexity head |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (DenseMatrix.Precision p : DenseMatrix.Precision.values()) {
            BitNetModel m = p == DenseMatrix.Precision.F32 ? ref : load(p);
            InferBench.Quality q = InferBench.quality(ref, m, tokens, 256);
            System.out.printf(Locale.ROOT, "| %s | %.1f | %d | %.4f | %.6f | %.3f | %.3f |%n", p.name().toLowerCase(Locale.ROOT),
                    m.lmHead.bytes() / 1e6, q.positions(), q.top1(), q.meanKl(), q.pplReference(), q.pplOther());
        }
        return 0;
    }

    private BitNetModel load(DenseMatrix.Precision p) throws Exception {
        if (checkpoint != null) return ModelLoader.loadAny(CheckpointCatalog.resolve(checkpoint), new ModelLoader.Options(p));
        return BitNetModel.random(ModelPresets.load(preset), p, 1234);
    }

    /** DJL fp32: {prefill tok/s, decode tok/s}, best of repeat after a warm-up. */
    private double[] djlRun(DjlKvBaseline djl, BitNetModel model, int t) {
        DjlKvBaseline.setThreads(t);
        int[] prompt = InferBench.randomPrompt(model.config.vocabSize(), promptTokens, 1);
        double bestPre = 0, bestDec = 0;
        for (int r = 0; r <= repeat; r++) {
            djl.reset();
            long t0 = System.nanoTime();
            float[] logits = djl.forward(prompt, 0);
            long t1 = System.nanoTime();
            int next = Sampler.argmax(logits);
            long t2 = System.nanoTime();
            for (int i = 1; i < newTokens; i++) next = Sampler.argmax(djl.forward(new int[] {next}, promptTokens + i - 1));
            long t3 = System.nanoTime();
            if (r > 0) {
                bestPre = Math.max(bestPre, promptTokens / ((t1 - t0) / 1e9));
                bestDec = Math.max(bestDec, (newTokens - 1) / ((t3 - t2) / 1e9));
            }
        }
        return new double[] {bestPre, bestDec};
    }

    /** Speed and agreement with f32 of each head precision. */
    private void precisions(int t) throws Exception {
        System.out.println();
        System.out.println("| head precision | head MB | decode tok/s (" + t + " threads) | TTFT ms | top-1 agreement vs f32 | max abs logit diff | mean abs logit diff |");
        System.out.println("|---|---|---|---|---|---|---|");
        BitNetModel ref = load(DenseMatrix.Precision.F32);
        List<String> rows = new ArrayList<>();
        for (DenseMatrix.Precision p : DenseMatrix.Precision.values()) {
            BitNetModel m = p == DenseMatrix.Precision.F32 ? ref : load(p);
            InferBench.Result r = InferBench.run(m, t, promptTokens, newTokens, repeat, 1);
            InferBench.Agreement a = InferBench.compare(ref, m, promptTokens, newTokens, 2);
            rows.add(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.4f | %.4f | %.5f |", p.name().toLowerCase(Locale.ROOT),
                    m.lmHead.bytes() / 1e6, r.decodeTokPerSec(), r.ttftMs(), a.top1(), a.maxAbsDiff(), a.meanAbsDiff()));
            System.out.println(rows.getLast());
        }
    }

    static String loadAverage() {
        try {
            return java.nio.file.Files.readString(Path.of("/proc/loadavg")).strip().split(" ")[0];
        } catch (Exception e) {
            return "?";
        }
    }
}
