package bitnut.infer.kernel;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Batched lm_head kernel vs its scalar reference and vs one matVec per sequence, every precision. */
class DenseGemmTest {

    @Test
    void batchedKernelMatchesReferenceAndMatVecOnRaggedShapes() {
        Random rnd = new Random(11);
        for (int[] s : new int[][] {{1, 1}, {3, 17}, {9, 31}, {13, 33}, {40, 768}, {5, 1001}}) {
            float[] v = new float[s[0] * s[1]];
            for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian() * 0.05f;
            for (DenseMatrix.Precision p : DenseMatrix.Precision.values()) {
                DenseMatrix m = DenseMatrix.of(v, s[0], s[1], p);
                for (int batch : new int[] {1, 2, 3, 4, 5, 8, 9}) {
                    int ldx = m.stride + 32, ldo = s[0] + 3;       // strides wider than the rows
                    float[] x = new float[batch * ldx];
                    for (int b = 0; b < batch; b++) for (int c = 0; c < s[1]; c++) x[b * ldx + c] = (float) rnd.nextGaussian();
                    float[] fast = new float[batch * ldo], ref = new float[batch * ldo];
                    Arrays.fill(fast, Float.NaN);
                    Arrays.fill(ref, Float.NaN);
                    int cut = s[0] / 3;                             // two row ranges, as the thread team splits them
                    DenseGemm.matMul(m, x, ldx, batch, fast, ldo, 0, cut);
                    DenseGemm.matMul(m, x, ldx, batch, fast, ldo, cut, s[0]);
                    DenseGemm.matMulReference(m, x, ldx, batch, ref, ldo, 0, s[0]);
                    float[] one = new float[s[0]];
                    for (int b = 0; b < batch; b++) {
                        m.matVec(Arrays.copyOfRange(x, b * ldx, b * ldx + m.stride), one, 0, s[0]);
                        for (int r = 0; r < s[0]; r++) {
                            String what = p + " " + s[0] + "x" + s[1] + " batch " + batch + " seq " + b + " row " + r;
                            assertEquals(ref[b * ldo + r], fast[b * ldo + r], 1e-4 * Math.sqrt(s[1]), what);
                            assertEquals(one[r], fast[b * ldo + r], 1e-5 * Math.sqrt(s[1]), what + " vs matVec");
                        }
                        for (int r = s[0]; r < ldo; r++) assertTrue(Float.isNaN(fast[b * ldo + r]), "wrote past the rows");
                    }
                }
            }
        }
    }

    @Test
    void rejectsStridesThatDoNotHoldARow() {
        DenseMatrix m = DenseMatrix.of(new float[4 * 40], 4, 40, DenseMatrix.Precision.F32);
        assertThrows(IllegalArgumentException.class, () -> DenseGemm.matMul(m, new float[2 * 40], 40, 2, new float[8], 4, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> DenseGemm.matMul(m, new float[m.stride], m.stride, 2, new float[8], 4, 0, 4));
    }
}
