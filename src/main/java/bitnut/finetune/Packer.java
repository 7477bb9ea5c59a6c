package bitnut.finetune;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Packs examples into rows of {@code seqLen} positions so that almost no compute goes to padding
 * (the original project padded every example to 512). Best-fit decreasing: the examples of an epoch
 * are shuffled from (seed, epoch), sorted longest first (the shuffle breaks ties), and each goes into
 * the open row whose free space fits it most tightly; then the rows are shuffled. Rows end up ~99%
 * full on chat-length data (first-fit in random order left ~3% padding). The plan is a pure function
 * of (examples, seqLen, seed, epoch): a resumed run replays the same batches.
 */
public final class Packer {
    private Packer() { }

    /** Rows for one epoch; every example appears exactly once. */
    public static List<List<TokenizedExample>> rows(List<TokenizedExample> examples, int seqLen, long seed, int epoch) {
        List<TokenizedExample> order = new ArrayList<>(examples);
        Random rng = new Random(seed * 1_000_003L + epoch);
        Collections.shuffle(order, rng);
        order.sort(Comparator.comparingInt(TokenizedExample::positions).reversed());   // stable: ties stay shuffled
        List<List<TokenizedExample>> rows = new ArrayList<>();
        TreeMap<Integer, ArrayDeque<Integer>> byFree = new TreeMap<>();                // free positions -> rows
        for (TokenizedExample ex : order) {
            int need = ex.positions();
            if (need > seqLen) throw new IllegalArgumentException(ex.origin() + " needs " + need + " > " + seqLen + " positions");
            Map.Entry<Integer, ArrayDeque<Integer>> fit = byFree.ceilingEntry(need);
            int row, free;
            if (fit == null) {
                row = rows.size();
                rows.add(new ArrayList<>());
                free = seqLen;
            } else {
                free = fit.getKey();
                row = fit.getValue().pollFirst();
                if (fit.getValue().isEmpty()) byFree.remove(free);
            }
            rows.get(row).add(ex);
            int left = free - need;
            if (left > 0) byFree.computeIfAbsent(left, k -> new ArrayDeque<>()).addLast(row);
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
