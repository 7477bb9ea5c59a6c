package bitnut.finetune;

import bitnut.train.BatchSource;
import bitnut.train.TrainBatch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Feeds the shared training loop with packed chat examples: epoch after epoch, each epoch's rows
 * packed by {@link Packer} from (seed, epoch), cut into micro-batches of {@code batchSize} rows. The
 * position is (epoch, batch index), so a resumed run replays exactly the batches it would have seen.
 * After the last planned epoch it wraps to epoch 0 of a new cycle (the loop decides when to stop).
 */
public final class SftBatchSource implements BatchSource {
    private final List<TokenizedExample> examples;
    private final int seqLen, batchSize, padId, epochs;
    private final long seed;
    private final int[] batchesPerEpoch;
    private int epoch, index;
    private List<List<List<TokenizedExample>>> current;
    private long servedTokens, servedPositions;

    public SftBatchSource(List<TokenizedExample> examples, int seqLen, int batchSize, int padId, int epochs, long seed) {
        if (examples.isEmpty()) throw new IllegalArgumentException("no training examples");
        this.examples = List.copyOf(examples);
        this.seqLen = seqLen;
        this.batchSize = batchSize;
        this.padId = padId;
        this.epochs = epochs;
        this.seed = seed;
        this.batchesPerEpoch = new int[epochs];
        for (int e = 0; e < epochs; e++) {
            int rows = Packer.rows(this.examples, seqLen, seed, e).size();
            batchesPerEpoch[e] = (rows + batchSize - 1) / batchSize;
        }
    }

    /** Micro-batches in all planned epochs together (the loop's step count is this / accumulation). */
    public long plannedMicroBatches() {
        long n = 0;
        for (int b : batchesPerEpoch) n += b;
        return n;
    }

    /** Fraction of the planned epochs done, e.g. 1.5 after one and a half epochs. */
    public double epochProgress() { return epoch + index / (double) batchesPerEpoch[epoch % epochs]; }

    /** The next micro-batch as an {@link SftBatch} (keeps the packing statistics). */
    public SftBatch nextSft() {
        if (current == null) current = Packer.batches(Packer.rows(examples, seqLen, seed, epoch), batchSize);
        SftBatch b = SftBatch.of(current.get(index), padId);
        servedTokens += b.realTokens();
        servedPositions += (long) b.batch() * b.time();
        if (++index == current.size()) {
            index = 0;
            epoch++;
            current = null;
        }
        return b;
    }

    /** Real (non-padding) input tokens handed out so far by this instance. */
    public long servedTokens() { return servedTokens; }

    /** Positions (B*T, padding included) handed out so far: servedTokens / servedPositions = packing fill. */
    public long servedPositions() { return servedPositions; }

    @Override public TrainBatch next() { return toTrainBatch(nextSft()); }

    public static TrainBatch toTrainBatch(SftBatch b) {
        return new TrainBatch(b.batch(), b.time(), b.inputs(), b.targets(), b.lossMask(), b.segments(), b.positions());
    }

    @Override public Map<String, Object> state() {
        return Map.of("epoch", epoch, "batch", index, "seed", seed, "examples", examples.size());
    }

    @Override public void restore(Map<String, Object> state) {
        if (((Number) state.get("seed")).longValue() != seed || ((Number) state.get("examples")).intValue() != examples.size()) {
            throw new IllegalArgumentException("finetune data state is from another seed or data set; start a new run");
        }
        epoch = ((Number) state.get("epoch")).intValue();
        index = ((Number) state.get("batch")).intValue();
        current = null;
    }

    /** Every micro-batch of a list of examples once (validation), without shuffling across epochs. */
    public static List<SftBatch> evaluationBatches(List<TokenizedExample> examples, int seqLen, int batchSize, int padId) {
        List<SftBatch> out = new ArrayList<>();
        if (examples.isEmpty()) return out;
        for (List<List<TokenizedExample>> rows : Packer.batches(Packer.rows(examples, seqLen, 0, 0), batchSize)) {
            out.add(SftBatch.of(rows, padId));
        }
        return out;
    }
}
