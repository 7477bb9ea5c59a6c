/*
 * ArrayBatchSource — random (T+1)-token windows from an in-memory token array, deterministic in
 * (seed, batch counter) like the corpus reader. For tests, benchmarks and tiny experiments.
 */
package bitnut.train;

import java.util.Map;
import java.util.SplittableRandom;

public final class ArrayBatchSource implements BatchSource {
    private final int[] tokens;
    private final int batch, time;
    private final long seed;
    private long batches;

    public ArrayBatchSource(int[] tokens, int batch, int time, long seed) {
        if (tokens.length < time + 1) throw new IllegalArgumentException("need at least T+1 tokens");
        this.tokens = tokens;
        this.batch = batch;
        this.time = time;
        this.seed = seed;
    }

    @Override public TrainBatch next() {
        SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + batches++);
        int[] w = new int[batch * (time + 1)];
        for (int b = 0; b < batch; b++) {
            int start = rnd.nextInt(tokens.length - time);
            System.arraycopy(tokens, start, w, b * (time + 1), time + 1);
        }
        return TrainBatch.fromWindows(w, batch, time);
    }

    @Override public Map<String, Object> state() { return Map.of("batches", batches, "seed", seed); }

    @Override public void restore(Map<String, Object> state) {
        if (((Number) state.get("seed")).longValue() != seed) throw new IllegalArgumentException("state from another seed");
        batches = ((Number) state.get("batches")).longValue();
    }
}
