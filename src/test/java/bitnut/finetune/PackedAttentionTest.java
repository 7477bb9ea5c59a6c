package bitnut.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import bitnut.model.BitNetModel;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Packing boundaries on the real DJL model: with the block-diagonal bias and per-example positions,
 * example B's logits in a packed row do not depend on example A's tokens or length, and equal B's
 * logits when B is alone in its row. Without the bias (plain causal mask) they do depend on A: the
 * control that shows the test can fail.
 */
class PackedAttentionTest {
    static final int V = 40;

    static TokenizedExample example(Random r, int n, String name) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = 5 + r.nextInt(V - 5);
        return new TokenizedExample(t, 2, false, name);
    }

    /** Logits [N, V] of a batch, as the trainer feeds it (positions + segment bias, or plain causal). */
    static float[][] logits(BitNetModel model, NDManager m, SftBatch b, boolean segmented) {
        int B = b.batch(), T = b.time();
        try (NDManager s = m.newSubManager()) {
            NDArray ids = s.create(toLong(b.inputs()), new Shape(B, T)).duplicate();
            NDArray pos = segmented ? s.create(toLong(b.positions()), new Shape(B, T)).duplicate() : null;
            NDArray bias = segmented ? model.segmentBias(s, B, T, b.segments()) : null;
            NDArray out = model.forward(ids, pos, bias);
            float[] flat = out.toFloatArray();
            float[][] rows = new float[B * T][];
            for (int i = 0; i < B * T; i++) rows[i] = java.util.Arrays.copyOfRange(flat, i * V, (i + 1) * V);
            if (bias != null) bias.close();
            return rows;
        }
    }

    static long[] toLong(int[] a) {
        long[] l = new long[a.length];
        for (int i = 0; i < a.length; i++) l[i] = a[i];
        return l;
    }

    static float maxDiff(float[][] x, int xFrom, float[][] y, int yFrom, int n) {
        float d = 0;
        for (int i = 0; i < n; i++) for (int v = 0; v < V; v++) d = Math.max(d, Math.abs(x[xFrom + i][v] - y[yFrom + i][v]));
        return d;
    }

    @Test void examplesInOnePackedRowNeverSeeEachOther() {
        Random r = new Random(1);
        TokenizedExample a1 = example(r, 9, "A1"), a2 = example(r, 14, "A2"), b = example(r, 8, "B");
        try (NDManager m = NDManager.newBaseManager("PyTorch");
             BitNetModel model = BitNetModel.init(ToyData.microConfig(V), m, 3)) {
            SftBatch withA1 = SftBatch.of(List.of(List.of(a1, b)), 0);
            SftBatch withA2 = SftBatch.of(List.of(List.of(a2, b)), 0);
            SftBatch alone = SftBatch.of(List.of(List.of(b)), 0);
            int n = b.positions();
            float[][] l1 = logits(model, m, withA1, true), l2 = logits(model, m, withA2, true), l0 = logits(model, m, alone, true);
            assertTrue(maxDiff(l1, a1.positions(), l2, a2.positions(), n) < 1e-4f, "B's logits changed with A's tokens");
            assertTrue(maxDiff(l1, a1.positions(), l0, 0, n) < 1e-4f, "B packed != B alone");
            // A's own logits must differ between the two rows (they are different examples) ...
            assertTrue(maxDiff(l1, 0, l2, 0, a1.positions()) > 1e-3f);
            // ... and without the segment bias, B does see A: the boundary is what the bias enforces.
            float[][] c1 = logits(model, m, withA1, false), c2 = logits(model, m, SftBatch.of(List.of(List.of(
                    example(new Random(9), 9, "A1'"), b)), 0), false);
            assertTrue(maxDiff(c1, a1.positions(), c2, a1.positions(), n) > 1e-3f, "control: plain causal attention leaks across examples");
        }
    }
}
