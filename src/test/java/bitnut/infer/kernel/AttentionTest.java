package bitnut.infer.kernel;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The GQA decode attention kernel against its scalar reference (random shapes, ragged context lengths
 * that end mid key tile, large scores), and the reference against softmax attention computed in
 * double precision straight from row-major keys (so the tiled key layout means what it says).
 */
class AttentionTest {
    @Test
    void vectorMatchesReferenceOnRandomShapesAndRaggedContexts() {
        Random rnd = new Random(11);
        // {g, hd}: g = 3 / 2 / 1 heads per pass (triples, pairs, singles and mixes: 4 = 3 + 1, 5 = 3 + 2),
        // hd a multiple of 4 lanes or not (48, 16, 32 on AVX-512); hd 8 takes the reference path on AVX-512
        int[][] shapes = {{1, 16}, {3, 64}, {2, 32}, {4, 128}, {1, 8}, {2, 48}, {2, 128}, {5, 64}, {3, 16}};
        for (int[] sh : shapes) {
            int g = sh[0], hd = sh[1];
            for (int n : new int[] {1, 2, 15, 16, 17, 31, 100, 257}) {
                for (float amp : new float[] {0.1f, 1f, 30f}) {                   // 30: scores far apart, softmax near one-hot
                    float[] q = rand(rnd, 2 + g * hd, amp), keys = rand(rnd, n * hd, 1f), values = rand(rnd, n * hd, 1f);
                    int kOff = 5, vOff = 7, capacity = n + (n % 3) * 10;            // spare capacity past n: tile lanes never read as scores
                    float[] K = tiledKeys(keys, n, hd, kOff, capacity), V = new float[vOff + capacity * hd];
                    System.arraycopy(values, 0, V, vOff, n * hd);
                    float[] fast = new float[3 + g * hd], ref = new float[3 + g * hd];
                    int padded = (n + Attention.TILE - 1) / Attention.TILE * Attention.TILE;
                    Attention.gqaRow(q, 2, g, hd, K, kOff, V, vOff, n, 0.125f, new float[g * padded], fast, 3);
                    Attention.gqaRowReference(q, 2, g, hd, K, kOff, V, vOff, n, 0.125f, new float[n], ref, 3);
                    double[] exact = softmaxAttention(q, 2, g, hd, keys, values, n, 0.125);
                    for (int i = 0; i < g * hd; i++) {
                        String at = "g=" + g + " hd=" + hd + " n=" + n + " amp=" + amp + " i=" + i;
                        assertEquals(ref[3 + i], fast[3 + i], 1e-5f + 1e-4f * Math.abs(ref[3 + i]), at);
                        assertEquals(exact[i], ref[3 + i], 1e-4 + 1e-3 * Math.abs(exact[i]), at + " vs double");
                    }
                    assertEquals(0f, fast[0], 0f);                                  // nothing written outside out_j
                }
            }
        }
    }

    @Test
    void singlePositionReturnsItsValueRow() {
        float[] q = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
        float[] K = tiledKeys(q.clone(), 1, 16, 0, 1), V = new float[16];
        for (int i = 0; i < 16; i++) V[i] = -i;
        float[] out = new float[16];
        Attention.gqaRow(q, 0, 1, 16, K, 0, V, 0, 1, 0.25f, new float[Attention.TILE], out, 0);
        for (int i = 0; i < 16; i++) assertEquals(-i, out[i], 1e-6f);
    }

    /** Row-major keys [n][hd] into a tiled block at kOff holding `capacity` positions; unused tile lanes are NaN. */
    static float[] tiledKeys(float[] keys, int n, int hd, int kOff, int capacity) {
        float[] K = new float[kOff + Attention.keyBlockSize(capacity, hd)];
        Arrays.fill(K, kOff, K.length, Float.NaN);
        for (int p = 0; p < n; p++) for (int d = 0; d < hd; d++) K[kOff + Attention.keyIndex(p, d, hd)] = keys[p * hd + d];
        return K;
    }

    private static double[] softmaxAttention(float[] q, int qOff, int g, int hd, float[] keys, float[] values, int n, double scale) {
        double[] out = new double[g * hd];
        for (int j = 0; j < g; j++) {
            double[] s = new double[n];
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int p = 0; p < n; p++) {
                for (int d = 0; d < hd; d++) s[p] += (double) q[qOff + j * hd + d] * keys[p * hd + d];
                s[p] *= scale;
                max = Math.max(max, s[p]);
            }
            for (int p = 0; p < n; p++) sum += s[p] = Math.exp(s[p] - max);
            for (int p = 0; p < n; p++) for (int d = 0; d < hd; d++) out[j * hd + d] += s[p] / sum * values[p * hd + d];
        }
        return out;
    }

    private static float[] rand(Random rnd, int n, float amp) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = amp * (float) rnd.nextGaussian();
        return x;
    }
}
