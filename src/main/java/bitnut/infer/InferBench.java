package bitnut.infer;

import bitnut.infer.kernel.MemoryBandwidth;

import java.util.Arrays;
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
        for (int i = 1; i < newTokens; i++) {
            logits = tf.forward(new int[] {next}, 1, cache);
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

    /** Memory read bandwidth in bytes/s (512 MB buffer, best of 5). */
    public static double bandwidth(int threads) {
        return MemoryBandwidth.measure(threads, 512L << 20, 5);
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
