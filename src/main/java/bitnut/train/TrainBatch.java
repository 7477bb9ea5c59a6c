/*
 * TrainBatch — one micro-batch as the training loop consumes it: flat row-major [B, T] arrays.
 * Pretraining fills only inputs/targets (document-packed windows, every position counts); finetuning
 * adds a loss mask (response-only loss), segment ids (block-diagonal attention between packed
 * examples) and per-example RoPE positions — the same fields as bitnut.finetune.SftBatch.
 */
package bitnut.train;

/**
 * @param batch     B rows
 * @param time      T positions per row
 * @param inputs    [B*T] token fed at each position
 * @param targets   [B*T] token to predict there
 * @param lossMask  [B*T] 1 = position counts in the loss, 0 = ignored; null = all count
 * @param segments  [B*T] example id per position (0 = padding); null = one causal sequence per row
 * @param positions [B*T] RoPE position; null = 0..T-1 in every row
 */
public record TrainBatch(int batch, int time, int[] inputs, int[] targets, float[] lossMask, int[] segments,
                         int[] positions) {

    public TrainBatch {
        int n = batch * time;
        if (batch < 1 || time < 1) throw new IllegalArgumentException("B and T must be >= 1");
        if (inputs.length != n || targets.length != n) throw new IllegalArgumentException("inputs/targets must hold B*T ids");
        if (lossMask != null && lossMask.length != n) throw new IllegalArgumentException("lossMask must hold B*T values");
        if (segments != null && segments.length != n) throw new IllegalArgumentException("segments must hold B*T values");
        if (positions != null && positions.length != n) throw new IllegalArgumentException("positions must hold B*T values");
    }

    /** nanoGPT get_batch layout: rows of T+1 tokens -> inputs = first T, targets = last T. */
    public static TrainBatch fromWindows(int[] windows, int batch, int time) {
        int[] in = new int[batch * time], tg = new int[batch * time];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(windows, b * (time + 1), in, b * time, time);
            System.arraycopy(windows, b * (time + 1) + 1, tg, b * time, time);
        }
        return new TrainBatch(batch, time, in, tg, null, null, null);
    }

    /** Positions that count in the loss. */
    public long lossTokens() {
        if (lossMask == null) return (long) batch * time;
        double s = 0;
        for (float m : lossMask) s += m;
        return Math.round(s);
    }

    /** Largest id in inputs or targets (checked against the vocabulary before it reaches libtorch). */
    public int maxId() {
        int m = 0;
        for (int v : inputs) m = Math.max(m, v);
        for (int v : targets) m = Math.max(m, v);
        return m;
    }
}
