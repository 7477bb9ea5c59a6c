package bitnut.infer.kernel;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The GQA decode attention kernel against its scalar reference: random shapes, ragged lengths, large scores. */
class AttentionTest {
    @Test
    void vectorMatchesReferenceOnRandomShapesAndRaggedContexts() {
        Random rnd = new Random(11);
        int[][] shapes = {{1, 16}, {3, 64}, {2, 32}, {4, 128}, {1, 8}};          // {g, hd}; hd 8 takes the reference path on AVX-512
        for (int[] sh : shapes) {
            int g = sh[0], hd = sh[1], nkv = 3, kvDim = nkv * hd;
            for (int n : new int[] {1, 2, 15, 16, 17, 100, 257}) {
                for (float amp : new float[] {0.1f, 1f, 30f}) {                   // 30: scores far apart, softmax near one-hot
                    float[] q = rand(rnd, 2 + g * hd, amp), K = rand(rnd, n * kvDim, 1f), V = rand(rnd, n * kvDim, 1f);
                    int kvOff = hd * (n % nkv);
                    float[] fast = new float[3 + g * hd], ref = new float[3 + g * hd];
                    Attention.gqaRow(q, 2, g, hd, K, V, kvDim, kvOff, n, 0.125f, new float[g * n], fast, 3);
                    Attention.gqaRowReference(q, 2, g, hd, K, V, kvDim, kvOff, n, 0.125f, new float[n], ref, 3);
                    for (int i = 0; i < ref.length; i++) {
                        assertEquals(ref[i], fast[i], 1e-5f + 1e-4f * Math.abs(ref[i]), "g=" + g + " hd=" + hd + " n=" + n + " amp=" + amp + " i=" + i);
                    }
                }
            }
        }
    }

    @Test
    void singlePositionReturnsItsValueRow() {
        float[] q = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
        float[] K = q.clone(), V = new float[16];
        for (int i = 0; i < 16; i++) V[i] = -i;
        float[] out = new float[16];
        Attention.gqaRow(q, 0, 1, 16, K, V, 16, 0, 1, 0.25f, new float[1], out, 0);
        for (int i = 0; i < 16; i++) assertEquals(-i, out[i], 1e-6f);
    }

    private static float[] rand(Random rnd, int n, float amp) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = amp * (float) rnd.nextGaussian();
        return x;
    }
}
