package bitnut.corpus;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Batches of {@code B x (T+1)} token windows read from memory-mapped shards: the only way the
 * pretrain stage sees the corpus. Row {@code b} of a batch is {@code into[b*(T+1) .. (b+1)*(T+1))};
 * inputs are its first T tokens, targets its last T (the nanoGPT {@code get_batch} layout).
 *
 * <ul>
 *   <li>{@link #random}: every window starts at a uniformly random token of a shard (windows never
 *   cross shard ends). Batch {@code k} depends only on (seed, k), so the whole position is the batch
 *   counter: {@link #state()} / {@link #restore} give an exact resume.</li>
 *   <li>{@link #sequential}: consecutive windows with stride T over all shards in order (for
 *   evaluation); after {@link #batchesPerEpoch()} batches it wraps to the start.</li>
 * </ul>
 */
public final class TokenWindows implements AutoCloseable {

    /** Where a reader stands; persist it with a checkpoint and pass it to {@link #restore}. */
    public record State(String mode, long seed, int batchSize, int context, long totalTokens, long batches) { }

    private final List<TokenShardReader> shards;
    private final boolean random;
    private final int batchSize;   // B
    private final int context;     // T
    private final long seed;
    private final long[] cumulative; // cumulative[i] = windows (or start positions) in shards [0, i)
    private final long totalTokens;
    private final short[] scratch;
    private long batches;

    private TokenWindows(List<Path> files, boolean random, int batchSize, int context, long seed) throws IOException {
        if (batchSize < 1 || context < 1) throw new IllegalArgumentException("B and T must be >= 1");
        this.random = random;
        this.batchSize = batchSize;
        this.context = context;
        this.seed = seed;
        this.scratch = new short[context + 1];
        List<TokenShardReader> open = new ArrayList<>();
        try {
            for (Path f : files) {
                TokenShardReader r = TokenShardReader.open(f);
                if (r.tokenCount() >= context + 1) open.add(r); else r.close();
            }
        } catch (IOException | RuntimeException e) {
            open.forEach(TokenShardReader::close);
            throw e;
        }
        if (open.isEmpty()) {
            throw new IOException("No shard holds a window of " + (context + 1) + " tokens (" + files.size() + " shard files). "
                    + "HINT: build more text with 'bitnut corpus build' or use a smaller context length.");
        }
        this.shards = List.copyOf(open);
        this.cumulative = new long[shards.size() + 1];
        long tokens = 0;
        for (int i = 0; i < shards.size(); i++) {
            long n = shards.get(i).tokenCount();
            tokens += n;
            cumulative[i + 1] = cumulative[i] + (random ? n - context : (n - 1) / context);
        }
        this.totalTokens = tokens;
    }

    /** Random windows for training, deterministic for {@code seed}. */
    public static TokenWindows random(List<Path> shards, int batchSize, int context, long seed) throws IOException {
        return new TokenWindows(shards, true, batchSize, context, seed);
    }

    /** Sequential windows (stride T) for evaluation. */
    public static TokenWindows sequential(List<Path> shards, int batchSize, int context) throws IOException {
        return new TokenWindows(shards, false, batchSize, context, 0);
    }

    public int batchSize() { return batchSize; }
    public int context() { return context; }
    public long totalTokens() { return totalTokens; }
    /** Ints one batch needs: {@code B * (T + 1)}. */
    public int batchLength() { return batchSize * (context + 1); }

    /** Sequential mode: batches until the windows wrap around (at least 1). */
    public long batchesPerEpoch() { return Math.max(1, cumulative[shards.size()] / batchSize); }

    /** Fills {@code into[0 .. B*(T+1))} with the next batch. */
    public void nextBatch(int[] into) {
        if (into.length < batchLength()) {
            throw new IllegalArgumentException("batch array holds " + into.length + " ints, needs B*(T+1) = " + batchLength());
        }
        int row = context + 1;
        long windows = cumulative[shards.size()];
        SplittableRandom rng = random ? new SplittableRandom(mix(seed, batches)) : null;
        for (int b = 0; b < batchSize; b++) {
            long g = random ? rng.nextLong(windows) : Math.floorMod(batches * batchSize + b, windows);
            int s = shardOf(g);
            long local = g - cumulative[s];
            long start = random ? local : local * context;
            shards.get(s).read(start, into, b * row, row, scratch);
        }
        batches++;
    }

    private int shardOf(long g) {
        int i = Arrays.binarySearch(cumulative, g);
        // an exact hit means g is the first window of shard i (skip empty ranges); otherwise insertion point - 1
        if (i >= 0) {
            while (i + 1 < cumulative.length && cumulative[i + 1] == g) i++;
            return i;
        }
        return -i - 2;
    }

    public State state() {
        return new State(random ? "random" : "sequential", seed, batchSize, context, totalTokens, batches);
    }

    /** Continues exactly where {@code s} was taken; refuses a state from other shards or shapes. */
    public void restore(State s) {
        State now = state();
        if (!now.mode().equals(s.mode()) || now.seed() != s.seed() || now.batchSize() != s.batchSize()
                || now.context() != s.context() || now.totalTokens() != s.totalTokens()) {
            throw new IllegalArgumentException("Saved reader state " + s + " does not match these shards/settings " + now
                    + ". HINT: resume with the same shards, batch size, context length and seed.");
        }
        batches = s.batches();
    }

    private static long mix(long seed, long counter) {
        long z = seed * 0x9E3779B97F4A7C15L + counter;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override public void close() {
        shards.forEach(TokenShardReader::close);
    }
}
