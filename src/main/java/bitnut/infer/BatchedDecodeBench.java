package bitnut.infer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/*
 * The engine's side of `bitnut bench infer --batch 1,4,8`: aggregate decode tok/s when B sequences
 * decode together (Transformer.decode: one pass over the ternary weights and the lm_head per step
 * for all B) against B = 1, side by side in one run.
 *
 * Per batch size: B random prompts of P tokens (different ids per sequence), each prefilled into its
 * own KV cache, then N decode steps of all B, greedy (argmax per sequence, so sampling does not blur
 * the forward's speed). Aggregate tok/s = B * N / decode time; per-sequence tok/s = aggregate / B.
 * A second figure repeats the steps with each sequence drawing from its own Sampler at the in-process
 * teacher's settings (temperature 0.9, top-k 40, top-p 0.95, own seed): what EngineTeacher's groups of
 * 4 get, minus the text decoding and stop checks.
 * Batch sizes alternate inside each repeat (a busy shared machine slows them alike); after one
 * warm-up round the best of `repeats` is kept per batch size.
 */
public final class BatchedDecodeBench {
    private BatchedDecodeBench() { }

    /**
     * One batch size's best run.
     *
     * @param batch            sequences decoded together
     * @param aggregateTokPerSec tokens of all sequences per second of decode
     * @param stepMs           one decode step (all B sequences), milliseconds
     * @param sampledAggregateTokPerSec the same with the teacher's sampling instead of argmax
     */
    public record Result(int batch, double aggregateTokPerSec, double stepMs, double sampledAggregateTokPerSec) {
        public double perSequenceTokPerSec() { return aggregateTokPerSec / batch; }
    }

    /** The in-process teacher's sampling (issue 7: the original voice rewrite's settings), seed per sequence. */
    static SamplingSettings teacherSampling(long seed) {
        return new SamplingSettings(Integer.MAX_VALUE, 0.9f, 40, 0.95f, 0f, 1f, seed, java.util.List.of(), false, java.util.List.of());
    }

    public static List<Result> run(BitNetModel model, int threads, int[] batches, int promptTokens, int newTokens, int repeats, long seed) {
        int maxB = Arrays.stream(batches).max().orElseThrow();
        double[] best = new double[batches.length], bestSampled = new double[batches.length];
        try (Transformer tf = new Transformer(model, threads, Math.max(maxB, Math.max(1, promptTokens)))) {
            for (int r = 0; r <= repeats; r++) {
                for (int i = 0; i < batches.length; i++) {
                    double stepNs = once(tf, batches[i], promptTokens, newTokens, seed, false);
                    double sampledNs = once(tf, batches[i], promptTokens, newTokens, seed, true);
                    if (r == 0) continue;                                              // round 0 warms the JIT
                    if (best[i] == 0 || stepNs < best[i]) best[i] = stepNs;
                    if (bestSampled[i] == 0 || sampledNs < bestSampled[i]) bestSampled[i] = sampledNs;
                }
            }
        }
        List<Result> out = new ArrayList<>();
        for (int i = 0; i < batches.length; i++) {
            out.add(new Result(batches[i], batches[i] / (best[i] / 1e9), best[i] / 1e6, batches[i] / (bestSampled[i] / 1e9)));
        }
        return out;
    }

    /** Prefills B prompts, then times N batched decode steps (argmax, or the teacher's sampling); returns ns per step. */
    static double once(Transformer tf, int B, int promptTokens, int newTokens, long seed, boolean sampled) {
        int V = tf.config.vocabSize();
        KvCache[] caches = new KvCache[B];
        int[] next = new int[B];
        for (int b = 0; b < B; b++) {
            int[] prompt = InferBench.randomPrompt(V, promptTokens, seed + b);
            caches[b] = tf.newCache(promptTokens + newTokens + 1);
            next[b] = Sampler.argmax(tf.forward(prompt, prompt.length, caches[b]));
        }
        float[] logits = new float[B * V];
        Sampler[] samplers = new Sampler[B];
        float[] row = new float[V];
        for (int b = 0; b < B; b++) samplers[b] = new Sampler(teacherSampling(seed + b), V);
        long t0 = System.nanoTime();
        for (int i = 0; i < newTokens; i++) {
            tf.decode(next, caches, B, logits);
            for (int b = 0; b < B; b++) {
                if (!sampled) {
                    next[b] = argmax(logits, b * V, V);
                    continue;
                }
                System.arraycopy(logits, b * V, row, 0, V);                      // as Generator copies it
                next[b] = samplers[b].sample(row, next, 0);
            }
        }
        return (System.nanoTime() - t0) / (double) newTokens;
    }

    private static int argmax(float[] x, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) if (x[off + i] > x[off + best]) best = i;
        return best;
    }
}
