package bitnut.finetune;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Packs examples into rows of {@code seqLen} positions so that almost no compute goes to padding
 * (the original project padded every example to 512). Order is shuffled per epoch from the run seed,
 * then first-fit: each example goes into the first open row with room, rows are shuffled again. The
 * plan is a pure function of (examples, seqLen, seed, epoch): a resumed run replays the same batches.
 */
public final class Packer {
    private Packer() { }

    /** Rows for one epoch; every example appears exactly once. */
    public static List<List<TokenizedExample>> rows(List<TokenizedExample> examples, int seqLen, long seed, int epoch) {
        List<TokenizedExample> order = new ArrayList<>(examples);
        Random rng = new Random(seed * 1_000_003L + epoch);
        Collections.shuffle(order, rng);
        List<List<TokenizedExample>> rows = new ArrayList<>();
        List<Integer> free = new ArrayList<>();
        for (TokenizedExample ex : order) {
            int need = ex.positions();
            if (need > seqLen) throw new IllegalArgumentException(ex.origin() + " needs " + need + " > " + seqLen + " positions");
            int r = 0;
            while (r < rows.size() && free.get(r) < need) r++;
            if (r == rows.size()) { rows.add(new ArrayList<>()); free.add(seqLen); }
            rows.get(r).add(ex);
            free.set(r, free.get(r) - need);
        }
        Collections.shuffle(rows, rng);
        return rows;
    }

    /** Splits an epoch's rows into micro-batches of {@code batchSize} rows (the last may be smaller). */
    public static List<List<List<TokenizedExample>>> batches(List<List<TokenizedExample>> rows, int batchSize) {
        List<List<List<TokenizedExample>>> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i += batchSize) out.add(rows.subList(i, Math.min(rows.size(), i + batchSize)));
        return out;
    }
}
