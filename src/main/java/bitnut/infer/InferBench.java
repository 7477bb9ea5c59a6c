package bitnut.infer;

import bitnut.infer.kernel.MemoryBandwidth;
import bitnut.infer.kernel.ThreadTeam;
import bitnut.model.BitNetConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/*
 * The engine's side of `bitnut bench infer`: prefill a prompt of P random token ids, then decode N
 * tokens greedily (argmax on the logits, so sampling does not blur the forward's speed), reporting
 * prefill tok/s, decode tok/s and time to first token; and the physical floor of decoding =
 * measured memory bandwidth / bytes streamed per decoded token (weights + lm_head + KV cache).
 * A warm-up run precedes the measured ones (JIT); the best of `repeats` runs is kept.
 */
public final class InferBench {
    private InferBench() { }

    /** One measurement. */
    public record Result(int threads, int promptTokens, int newTokens, double ttftMs, double prefillTokPerSec, double decodeTokPerSec) { }

    /** Runs the engine; the returned Result is the best (highest decode tok/s) of repeats. */
    public static Result run(BitNetModel model, int threads, int promptTokens, int newTokens, int repeats, long seed) {
        int[] prompt = randomPrompt(model.config.vocabSize(), promptTokens, seed);
        try (Transformer tf = new Transformer(model, threads, Math.max(1, promptTokens))) {
            Result best = null;
            for (int r = 0; r <= repeats; r++) {
                Result res = once(tf, prompt, newTokens);
                if (r > 0 && (best == null || res.decodeTokPerSec() > best.decodeTokPerSec())) best = res;
            }
            return best;
        }
    }

    static Result once(Transformer tf, int[] prompt, int newTokens) {
        KvCache cache = tf.newCache(prompt.length + newTokens + 1);
        long t0 = System.nanoTime();
        float[] logits = tf.forward(prompt, prompt.length, cache);
        long tPrefill = System.nanoTime();
        int next = Sampler.argmax(logits);
        long tFirst = System.nanoTime();
        int[] token = new int[1];                     // decode with preallocated buffers: no allocation per token
        KvCache[] caches = {cache};
        for (int i = 1; i < newTokens; i++) {
            token[0] = next;
            tf.decode(token, caches, 1, logits);
            next = Sampler.argmax(logits);
        }
        long tEnd = System.nanoTime();
        return new Result(tf.threads(), prompt.length, newTokens, (tFirst - t0) / 1e6,
                prompt.length / ((tPrefill - t0) / 1e9), (newTokens - 1) / ((tEnd - tFirst) / 1e9));
    }

    public static int[] randomPrompt(int vocab, int n, long seed) {
        Random rnd = new Random(seed);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = 5 + rnd.nextInt(vocab - 5);
        return ids;
    }

    /** Bytes one decode step reads at context length ctx: weights + lm_head + KV cache (fp32). */
    public static long bytesPerToken(BitNetModel m, int ctx) {
        long kv = 2L * m.config.numHiddenLayers() * m.config.numKeyValueHeads() * m.config.headDim() * Float.BYTES * ctx;
        return m.bytesPerDecodedToken() + kv;
    }

    /** Memory read bandwidth in bytes/s: the standard probe (16x L3, >= 512 MB), best of 5 passes. */
    public static double bandwidth(int threads) {
        return MemoryBandwidth.standard().measure(threads, 5).bestBytesPerSec();
    }

    // ---------------------------------------------------------------------------------------------
    // head precision quality on real text

    /**
     * Quality of a head precision against the f32 head on held-out tokens: top-1 agreement of the
     * next-token distributions, mean KL(P_f32 || P_other) in nats per position, and each one's
     * perplexity of the actual next token. Tokens run in consecutive windows of `window` positions
     * (fresh KV cache per window, so every window starts at position 0 like training windows).
     */
    public record Quality(int positions, double top1, double meanKl, double pplReference, double pplOther) { }

    public static Quality quality(BitNetModel reference, BitNetModel other, int[] tokens, int window) {
        int V = reference.config.vocabSize();
        window = Math.min(window, reference.config.maxPositionEmbeddings());
        long agree = 0, positions = 0;
        double kl = 0, nllA = 0, nllB = 0;
        try (Transformer a = new Transformer(reference, 2, 64); Transformer b = new Transformer(other, 2, 64)) {
            float[] la = new float[window * V], lb = new float[window * V];
            for (int start = 0; start + 1 < tokens.length; start += window) {
                int n = Math.min(window, tokens.length - start);
                int[] ids = Arrays.copyOfRange(tokens, start, start + n);
                a.forwardAll(ids, n, a.newCache(n), la);
                b.forwardAll(ids, n, b.newCache(n), lb);
                for (int t = 0; t + 1 < n; t++) {
                    int off = t * V, next = ids[t + 1];
                    double lseA = logSumExp(la, off, V), lseB = logSumExp(lb, off, V);
                    int argA = 0, argB = 0;
                    double k = 0;
                    for (int i = 0; i < V; i++) {
                        if (la[off + i] > la[off + argA]) argA = i;
                        if (lb[off + i] > lb[off + argB]) argB = i;
                        double lpA = la[off + i] - lseA, lpB = lb[off + i] - lseB;
                        k += Math.exp(lpA) * (lpA - lpB);
                    }
                    if (argA == argB) agree++;
                    kl += k;
                    nllA -= la[off + next] - lseA;
                    nllB -= lb[off + next] - lseB;
                    positions++;
                }
            }
        }
        return new Quality((int) positions, (double) agree / positions, kl / positions, Math.exp(nllA / positions), Math.exp(nllB / positions));
    }

    private static double logSumExp(float[] x, int off, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, x[off + i]);
        double s = 0;
        for (int i = 0; i < n; i++) s += Math.exp(x[off + i] - max);
        return max + Math.log(s);
    }

    // ---------------------------------------------------------------------------------------------
    // decode profile

    /** One phase of the profile: measured ms per token and the bytes it must stream per token. */
    public record PhaseCost(DecodeProfile.Phase phase, double msPerToken, long bytesPerToken) { }

    /**
     * Profiles `newTokens` decode steps (after a prefill of the prompt and a full warm-up run) with a
     * DecodeProfile attached to the real forward; returns ms per token per phase and its bytes.
     */
    public static List<PhaseCost> profile(BitNetModel model, int threads, int promptTokens, int newTokens, long seed) {
        int[] prompt = randomPrompt(model.config.vocabSize(), promptTokens, seed);
        DecodeProfile prof = new DecodeProfile();
        try (Transformer tf = new Transformer(model, threads, Math.max(1, promptTokens))) {
            once(tf, prompt, newTokens);                                   // warm-up (JIT)
            // the stopwatch is attached for BOTH passes: attaching it only for the measured one made C2
            // deoptimize runRows at its never-seen `profile != null` branch, and the interpreted loops
            // (relu^2, RoPE) were then charged to norm_quant / rope_kv (1.2 ms instead of ~0.1 at 1 thread)
            tf.profile(prof);
            for (int r = 0; r < 3; r++) {
                KvCache cache = tf.newCache(prompt.length + newTokens + 1);
                int next = Sampler.argmax(tf.forward(prompt, prompt.length, cache));
                prof.reset();                                              // last pass is measured
                float[] logits = new float[model.config.vocabSize()];
                int[] token = new int[1];
                KvCache[] caches = {cache};
                for (int i = 1; i < newTokens; i++) {
                    token[0] = next;
                    tf.decode(token, caches, 1, logits);
                    next = Sampler.argmax(logits);
                    prof.countToken();
                }
            }
            tf.profile(null);
        }
        int ctx = promptTokens + newTokens / 2;
        BitNetConfig c = model.config;
        long qkv = 0, o = 0, gateUp = 0, down = 0, norms = 0;
        for (BitNetModel.Layer l : model.layers) {
            qkv += l.q().packedBytes() + l.k().packedBytes() + l.v().packedBytes();
            o += l.o().packedBytes();
            gateUp += l.gate().packedBytes() + l.up().packedBytes();
            down += l.down().packedBytes();
            norms += 4L * (l.inputNorm().length + l.attnSubNorm().length + l.postAttnNorm().length + l.ffnSubNorm().length);
        }
        long kv = 2L * c.numHiddenLayers() * c.numKeyValueHeads() * c.headDim() * Float.BYTES * ctx;
        Map<DecodeProfile.Phase, Long> bytes = new EnumMap<>(DecodeProfile.Phase.class);
        bytes.put(DecodeProfile.Phase.EMBED, model.embed.bytes() / model.embed.rows);
        bytes.put(DecodeProfile.Phase.NORM_QUANT, norms);
        bytes.put(DecodeProfile.Phase.QKV, qkv);
        bytes.put(DecodeProfile.Phase.ROPE_KV, 0L);
        bytes.put(DecodeProfile.Phase.ATTENTION, kv);
        bytes.put(DecodeProfile.Phase.O, o);
        bytes.put(DecodeProfile.Phase.GATE_UP, gateUp);
        bytes.put(DecodeProfile.Phase.DOWN, down);
        bytes.put(DecodeProfile.Phase.HEAD, model.lmHead.bytes() + 4L * model.finalNorm.length);
        List<PhaseCost> out = new ArrayList<>();
        prof.msPerToken().forEach((p, ms) -> out.add(new PhaseCost(p, ms, bytes.get(p))));
        return out;
    }

    /** Parallel regions one decode step dispatches: 5 per layer (qkv, attention, o, gate|up, down) + lm_head. */
    public static int parallelRegionsPerToken(BitNetModel model) {
        return 5 * model.layers.length + 1;
    }

    /**
     * Cost of one ThreadTeam hand-off (publish, wake/spin, claim, join) with empty work, in ns: the mean
     * over many dispatches of a 768-row range in 16-row units, as the engine's o_proj would cut it.
     */
    public static double handOffNanos(int threads) {
        try (ThreadTeam team = new ThreadTeam(threads)) {
            int[] sink = new int[1];
            ThreadTeam.RangeTask task = (a, b) -> sink[0] += b - a;
            for (int i = 0; i < 20_000; i++) team.forRange(768, 16, task);   // warm-up
            int n = 50_000;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) team.forRange(768, 16, task);
            double ns = (System.nanoTime() - t0) / (double) n;
            if (sink[0] == 42) System.out.print("");
            return ns;
        }
    }

    /**
     * Quality cost of a head precision: top-1 agreement and max |logit diff| vs a reference model on
     * the same greedy continuation (positions of prompt + generated tokens).
     */
    public record Agreement(double top1, double maxAbsDiff, double meanAbsDiff) { }

    public static Agreement compare(BitNetModel reference, BitNetModel other, int promptTokens, int newTokens, long seed) {
        int[] prompt = randomPrompt(reference.config.vocabSize(), promptTokens, seed);
        int V = reference.config.vocabSize();
        try (Transformer a = new Transformer(reference, 1, 64); Transformer b = new Transformer(other, 1, 64)) {
            int[] ids = Arrays.copyOf(prompt, promptTokens + newTokens);
            KvCache ca = a.newCache(ids.length), cb = b.newCache(ids.length);
            float[] la = new float[promptTokens * V], lb = new float[promptTokens * V];
            a.forwardAll(prompt, promptTokens, ca, la);
            b.forwardAll(prompt, promptTokens, cb, lb);
            int agree = 0, positions = 0;
            double max = 0, sum = 0;
            float[] lastA = Arrays.copyOfRange(la, (promptTokens - 1) * V, promptTokens * V);
            float[] lastB = Arrays.copyOfRange(lb, (promptTokens - 1) * V, promptTokens * V);
            for (int t = 0; t < promptTokens; t++) {
                float[] x = Arrays.copyOfRange(la, t * V, (t + 1) * V), y = Arrays.copyOfRange(lb, t * V, (t + 1) * V);
                if (Sampler.argmax(x) == Sampler.argmax(y)) agree++;
                for (int r = 0; r < V; r++) { double d = Math.abs(x[r] - y[r]); max = Math.max(max, d); sum += d; }
                positions++;
            }
            for (int i = promptTokens; i < ids.length; i++) {
                int next = Sampler.argmax(lastA);                  // both continue the reference's text
                if (next == Sampler.argmax(lastB)) agree++;
                for (int r = 0; r < V; r++) { double d = Math.abs(lastA[r] - lastB[r]); max = Math.max(max, d); sum += d; }
                positions++;
                ids[i] = next;
                lastA = a.forward(new int[] {next}, 1, ca);
                lastB = b.forward(new int[] {next}, 1, cb);
            }
            return new Agreement((double) agree / positions, max, sum / ((double) positions * V));
        }
    }
}
