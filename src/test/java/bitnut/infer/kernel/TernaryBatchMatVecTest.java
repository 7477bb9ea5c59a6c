package bitnut.infer.kernel;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Batched decode kernel vs the scalar reference: bit for bit, every batch size on both sides of GEMM_TOKENS. */
class TernaryBatchMatVecTest {
    private static final int[][] SHAPES = {{1, 1}, {3, 63}, {5, 65}, {17, 127}, {33, 200}, {64, 768}, {7, 2304}};

    @Test
    void matchesReferenceBitForBitOnRaggedShapes() {
        Random rnd = new Random(9);
        for (int seqs = 1; seqs <= TernaryBatchMatVec.GEMM_TOKENS + 1; seqs++) {
            for (int[] s : SHAPES) {
                TernaryMatrix w = TernaryMatrix.fromCodes(TernaryMatMulTest.randomCodes(rnd, s[0] * s[1]), s[0], s[1], 0.041f);
                Int8Activations x = TernaryMatMulTest.randomActivations(rnd, s[1], seqs);
                int ldo = s[0] + 2;
                float[] fast = new float[ldo * seqs], ref = new float[ldo * seqs];
                Arrays.fill(fast, Float.NaN);
                Arrays.fill(ref, Float.NaN);
                int cut = s[0] / 2;                        // two row ranges, as the thread team cuts them
                TernaryBatchMatVec.matMul(w, x, fast, ldo, 1, 0, cut);
                TernaryBatchMatVec.matMul(w, x, fast, ldo, 1, cut, s[0]);
                TernaryMatMul.matMulReference(w, x, ref, ldo, 1, 0, s[0]);
                assertArrayEquals(ref, fast, 0f, seqs + " sequences, shape " + s[0] + "x" + s[1]);
            }
        }
        TernaryMatrix w = TernaryMatrix.fromCodes(new byte[4 * 10], 4, 10, 1f);
        assertThrows(IllegalArgumentException.class, () -> TernaryBatchMatVec.matMul(w, new Int8Activations(11, 1), new float[4], 4, 0, 0, 4));
    }
}
