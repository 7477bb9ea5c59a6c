package bitnut.infer.kernel;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Prefill GEMM (fp32 tiles) against the scalar reference: bit for bit on random and ragged shapes. */
class TernaryGemmTest {
    // N x K: ragged against the 4-row block, the 16-lane vector and the 64-column word
    private static final int[][] SHAPES = {{1, 1}, {3, 63}, {4, 64}, {5, 65}, {17, 127}, {33, 200}, {64, 768}, {7, 2304}};

    /** The GEMM serves BIT_PLANES matrices (CPUs without vpermi2b); LOOKUP_TILES ones take TernaryMatMul. */
    private static final TernaryMatrix.Layout PLANES = TernaryMatrix.Layout.BIT_PLANES;

    @Test
    void gemmMatchesReferenceBitForBitOnRaggedShapes() {
        Random rnd = new Random(7);
        for (int tokens : new int[] {1, 2, 4, 5, 7, 8, 13}) {
            for (int[] s : SHAPES) {
                TernaryMatrix w = TernaryMatrix.fromCodes(TernaryMatMulTest.randomCodes(rnd, s[0] * s[1]), s[0], s[1], 0.037f, PLANES);
                Int8Activations x = TernaryMatMulTest.randomActivations(rnd, s[1], tokens);
                int ldo = s[0] + 5;
                float[] fast = new float[ldo * tokens], ref = new float[ldo * tokens];
                Arrays.fill(fast, Float.NaN);
                Arrays.fill(ref, Float.NaN);   // untouched cells must stay untouched in both
                TernaryGemm.matMul(w, x, fast, ldo, 3, 0, s[0]);
                TernaryMatMul.matMulReference(w, x, ref, ldo, 3, 0, s[0]);
                assertArrayEquals(ref, fast, 0f, tokens + " tokens, shape " + s[0] + "x" + s[1]);
                // split row ranges (as the thread team cuts them) give the same numbers
                float[] split = new float[ldo * tokens];
                Arrays.fill(split, Float.NaN);
                int cut = s[0] / 3;
                TernaryGemm.matMul(w, x, split, ldo, 3, 0, cut);
                TernaryGemm.matMul(w, x, split, ldo, 3, cut, s[0]);
                assertArrayEquals(ref, split, 0f, "split rows, " + tokens + " tokens, shape " + s[0] + "x" + s[1]);
                // and the dispatcher agrees whichever kernel it picks
                float[] auto = new float[ldo * tokens];
                Arrays.fill(auto, Float.NaN);
                TernaryGemm.multiply(w, x, auto, ldo, 3, 0, s[0]);
                assertArrayEquals(ref, auto, 0f, "multiply, " + tokens + " tokens");
            }
        }
    }

    @Test
    void extremesOfPlusMinus127AreExact() {
        // all-(+1) and all-(-1) rows against all-(+127) / all-(-127) tokens: |sum| = 127 * K, the largest possible
        int n = 6, k = 2304 + 17, tokens = 6;
        byte[] codes = new byte[n * k];
        for (int r = 0; r < n; r++) Arrays.fill(codes, r * k, (r + 1) * k, (byte) (r % 3 - 1));
        TernaryMatrix w = TernaryMatrix.fromCodes(codes, n, k, 0.5f, PLANES);
        Int8Activations x = new Int8Activations(k, tokens + 3);
        float[] v = new float[k];
        for (int t = 0; t < tokens; t++) {
            Arrays.fill(v, t % 2 == 0 ? 3.5f : -3.5f);
            if (t == 4) for (int i = 0; i < k; i += 2) v[i] = -v[i];   // alternating +-127
            x.quantize(t, v, 0);
        }
        x.setTokens(tokens);
        float[] fast = new float[n * tokens], ref = new float[n * tokens];
        TernaryGemm.matMul(w, x, fast, n, 0, 0, n);
        TernaryMatMul.matMulReference(w, x, ref, n, 0, 0, n);
        assertArrayEquals(ref, fast, 0f);
        // the +1 row against the +127 token really is 127 * K * m / s
        assertArrayEquals(new float[] {127f * k * (0.5f / x.scale[0])}, new float[] {fast[2]}, 0f);
    }

    @Test
    void staleTokensOfALargerEarlierBatchDoNotLeak() {
        Random rnd = new Random(11);
        TernaryMatrix w = TernaryMatrix.fromCodes(TernaryMatMulTest.randomCodes(rnd, 9 * 100), 9, 100, 0.1f, PLANES);
        Int8Activations x = TernaryMatMulTest.randomActivations(rnd, 100, 8);
        x.setTokens(5);   // tokens 5..7 still hold the earlier batch's values
        float[] fast = new float[9 * 8], ref = new float[9 * 8];
        TernaryGemm.matMul(w, x, fast, 9, 0, 0, 9);
        TernaryMatMul.matMulReference(w, x, ref, 9, 0, 0, 9);
        assertArrayEquals(ref, fast, 0f);
    }

    @Test
    void mismatchedInnerDimensionIsAnError() {
        TernaryMatrix w = TernaryMatrix.fromCodes(new byte[4 * 10], 4, 10, 1f, PLANES);
        Int8Activations x = new Int8Activations(11, 4);
        x.setTokens(4);
        assertThrows(IllegalArgumentException.class, () -> TernaryGemm.matMul(w, x, new float[64], 4, 0, 0, 4));
    }
}
