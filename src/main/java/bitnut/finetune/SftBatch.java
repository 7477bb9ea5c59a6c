package bitnut.finetune;

import java.util.List;

/**
 * A micro-batch of packed rows, flat row-major {@code [B, T]} arrays ready for tensors.
 *
 * <ul>
 *   <li>{@code inputs[b,t]}: token fed at position t; {@code targets[b,t]}: the token to predict there.</li>
 *   <li>{@code lossMask[b,t]}: 1 when the target is a response token or the answer's eos, else 0
 *       (prompt tokens, the boundary between two examples, padding).</li>
 *   <li>{@code segments[b,t]}: 1, 2, ... per example in the row, 0 for padding. Attention is causal
 *       and only between positions of the same segment (block-diagonal), so examples never see each other.</li>
 *   <li>{@code positions[b,t]}: RoPE position, restarting at 0 for every example as at inference.</li>
 * </ul>
 * T is the longest row in this batch (dynamic trim): padding only fills the tail of shorter rows.
 */
public record SftBatch(int batch, int time, int[] inputs, int[] targets, float[] lossMask, int[] segments,
                       int[] positions, int examples, long lossTokens, long realTokens) {

    /** Lays out {@code rows} (each a list of examples that fit in one row) into one batch. */
    public static SftBatch of(List<List<TokenizedExample>> rows, int padId) {
        int b = rows.size();
        int t = 1;
        for (List<TokenizedExample> row : rows) {
            int used = 0;
            for (TokenizedExample ex : row) used += ex.positions();
            t = Math.max(t, used);
        }
        int[] inputs = new int[b * t], targets = new int[b * t], segments = new int[b * t], positions = new int[b * t];
        float[] mask = new float[b * t];
        java.util.Arrays.fill(inputs, padId);
        java.util.Arrays.fill(targets, padId);
        int examples = 0;
        long loss = 0, real = 0;
        for (int r = 0; r < b; r++) {
            int at = r * t;
            int segment = 0;
            for (TokenizedExample ex : rows.get(r)) {
                segment++;
                examples++;
                int[] tok = ex.tokens();
                for (int j = 0; j < ex.positions(); j++, at++) {
                    inputs[at] = tok[j];
                    targets[at] = tok[j + 1];
                    segments[at] = segment;
                    positions[at] = j;
                    if (ex.trainsTarget(j)) { mask[at] = 1f; loss++; }
                    real++;
                }
            }
        }
        return new SftBatch(b, t, inputs, targets, mask, segments, positions, examples, loss, real);
    }

    /** Whether query position q may attend to key position k in row b: causal, same example. */
    public boolean attends(int b, int q, int k) {
        int s = segments[b * time + q];
        return k <= q && segments[b * time + k] == s;
    }

    /** Share of the batch's positions that hold real tokens (1 - padding waste). */
    public double fill() { return realTokens / (double) (batch * time); }
}
