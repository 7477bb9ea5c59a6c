package bitnut.infer;

import java.util.Arrays;
import java.util.Random;

/*
 * Picks the next token from logits, in HF generate's order: repetition penalty -> temperature ->
 * top-k -> top-p (nucleus) -> min-p -> draw. temperature 0 is greedy (argmax after the penalty).
 * A seeded java.util.Random makes a run reproducible: same prompt, settings and seed -> same text.
 * Each filter is a few lines, like llama3.java's sampler classes.
 */
public final class Sampler {
    private final SamplingSettings s;
    private final Random random;
    private final long[] keys;         // scratch: (descending logit, id) sort keys
    private final float[] probs;

    public Sampler(SamplingSettings settings, int vocabSize) {
        this.s = settings;
        this.random = new Random(settings.seed());
        this.keys = new long[vocabSize];
        this.probs = new float[vocabSize];
    }

    /** Chooses a token; `history` (prompt + generated so far) feeds the repetition penalty. Mutates logits. */
    public int sample(float[] logits, int[] history, int historyLength) {
        if (s.repetitionPenalty() != 1f) applyRepetitionPenalty(logits, history, historyLength, s.repetitionPenalty());
        if (s.temperature() <= 0f) return argmax(logits);
        int V = logits.length;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < V; i++) {
            logits[i] /= s.temperature();
            max = Math.max(max, logits[i]);
        }
        // Candidates sorted by logit, highest first. Tokens more than e^-23 (1e-10) less likely than
        // the best one cannot change top-p / min-p / the draw measurably (their total mass < V * 1e-10),
        // so they are skipped before sorting: a full sort of 32k ids would cost more than the forward.
        float floor = max - 23f;
        int n = 0;
        for (int i = 0; i < V; i++) if (logits[i] >= floor) keys[n++] = sortKeyDescending(logits[i], i);
        if (s.topK() > 0 && s.topK() < n) {        // only the k best need an order: select, then sort k
            smallestSorted(keys, n, s.topK());
            n = s.topK();
        } else {
            Arrays.sort(keys, 0, n);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            probs[i] = (float) Math.exp(logits[id(keys[i])] - max);
            sum += probs[i];
        }
        for (int i = 0; i < n; i++) probs[i] /= (float) sum;
        if (s.topP() < 1f) {                        // smallest prefix with mass >= top_p
            double cum = 0;
            int keep = n;
            for (int i = 0; i < n; i++) {
                cum += probs[i];
                if (cum >= s.topP()) { keep = i + 1; break; }
            }
            n = keep;
        }
        if (s.minP() > 0f) {                        // drop tokens below min_p * p(best)
            float minProb = s.minP() * probs[0];
            int keep = 1;
            while (keep < n && probs[keep] >= minProb) keep++;
            n = keep;
        }
        double total = 0;
        for (int i = 0; i < n; i++) total += probs[i];
        double r = random.nextDouble() * total;
        for (int i = 0; i < n; i++) {
            r -= probs[i];
            if (r <= 0) return id(keys[i]);
        }
        return id(keys[n - 1]);
    }

    /**
     * Moves the k smallest of keys[0 .. n) into keys[0 .. k), ascending (k < n): the same k keys in the
     * same order as a full sort's first k (keys are unique: they carry the id), in O(n log k) instead of
     * O(n log n). Flat logits (random weights, high temperature) leave all 32k ids as candidates; a
     * full sort of those costs ~2 ms per token, as much as a third of a decode step of the 133M model.
     * A max-heap of the k best so far sits in keys[0 .. k); most later keys lose to its root at once.
     */
    static void smallestSorted(long[] keys, int n, int k) {
        for (int i = k / 2 - 1; i >= 0; i--) siftDown(keys, i, k);
        for (int i = k; i < n; i++) {
            if (keys[i] < keys[0]) {
                keys[0] = keys[i];
                siftDown(keys, 0, k);
            }
        }
        Arrays.sort(keys, 0, k);
    }

    private static void siftDown(long[] heap, int i, int size) {
        long x = heap[i];
        while (true) {
            int c = 2 * i + 1;
            if (c >= size) break;
            if (c + 1 < size && heap[c + 1] > heap[c]) c++;
            if (heap[c] <= x) break;
            heap[i] = heap[c];
            i = c;
        }
        heap[i] = x;
    }

    /** A long that sorts ascending in order of DEScending logit, ties by ascending id. */
    private static long sortKeyDescending(float logit, int id) {
        int bits = Float.floatToIntBits(logit);
        int ordered = bits ^ ((bits >> 31) & 0x7fffffff);     // monotone float -> int
        return ((long) ~ordered << 32) | id;
    }

    private static int id(long key) { return (int) key; }

    /** HF RepetitionPenaltyLogitsProcessor: seen tokens' logits divided (if > 0) or multiplied by p. */
    static void applyRepetitionPenalty(float[] logits, int[] history, int n, float penalty) {
        boolean[] seen = new boolean[logits.length];
        for (int i = 0; i < n; i++) {
            int t = history[i];
            if (t < 0 || t >= logits.length || seen[t]) continue;
            seen[t] = true;
            logits[t] = logits[t] > 0 ? logits[t] / penalty : logits[t] * penalty;
        }
    }

    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }
}
