package bitnut.infer.kernel;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** f32 / bf16 / int8 matrices: vector kernels vs scalar references, and each precision vs exact. */
class DenseMatrixTest {

    @Test
    void vectorKernelsMatchReferencesOnRaggedShapes() {
        Random rnd = new Random(5);
        for (int[] s : new int[][] {{1, 1}, {3, 17}, {9, 31}, {13, 33}, {40, 768}, {5, 1001}}) {
            float[] v = new float[s[0] * s[1]];
            for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian() * 0.05f;
            for (DenseMatrix.Precision p : DenseMatrix.Precision.values()) {
                DenseMatrix m = DenseMatrix.of(v, s[0], s[1], p);
                float[] x = new float[m.stride];
                for (int i = 0; i < s[1]; i++) x[i] = (float) rnd.nextGaussian();
                float[] fast = new float[s[0]], ref = new float[s[0]];
                m.matVec(x, fast, 0, s[0]);
                m.matVecReference(x, ref, 0, s[0]);
                for (int r = 0; r < s[0]; r++) {
                    double exact = 0;
                    for (int c = 0; c < s[1]; c++) exact += (double) v[r * s[1] + c] * x[c];
                    assertEquals(ref[r], fast[r], 1e-4 * Math.sqrt(s[1]), p + " " + s[0] + "x" + s[1]);
                    double tol = switch (p) { case F32 -> 1e-4; case BF16 -> 1e-2; case INT8 -> 3e-2; } * Math.sqrt(s[1]) * 0.05;
                    assertEquals(exact, fast[r], tol + 1e-5, p + " vs exact");
                }
            }
        }
    }

    @Test
    void subRangesThatCutRowBlocksWriteExactlyTheirRows() {
        Random rnd = new Random(8);
        int rows = 3 * DenseMatrix.ROW_BLOCK + 5, cols = 97;
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian() * 0.05f;
        for (DenseMatrix.Precision p : DenseMatrix.Precision.values()) {
            DenseMatrix m = DenseMatrix.of(v, rows, cols, p);
            float[] x = new float[m.stride];
            for (int i = 0; i < cols; i++) x[i] = (float) rnd.nextGaussian();
            float[] ref = new float[rows];
            m.matVecReference(x, ref, 0, rows);
            for (int[] range : new int[][] {{3, rows - 2}, {DenseMatrix.ROW_BLOCK - 1, DenseMatrix.ROW_BLOCK + 1}, {0, rows}, {7, 7}}) {
                float[] out = new float[rows];
                java.util.Arrays.fill(out, Float.NaN);
                m.matVec(x, out, range[0], range[1]);
                for (int r = 0; r < rows; r++) {
                    if (r < range[0] || r >= range[1]) assertEquals(Float.NaN, out[r], p + " row " + r + " outside the range was written");
                    else assertEquals(ref[r], out[r], 1e-4 * Math.sqrt(cols), p + " row " + r);
                }
            }
        }
    }

    @Test
    void rowsInterleavedFourAtATimeGiveTheSameBitsAsOneRowAtATime() {
        Random rnd = new Random(9);
        int rows = 4 * DenseMatrix.ROW_BLOCK + 7, cols = 200;     // a ragged last group, a stride with padding
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian() * 0.05f;
        for (DenseMatrix.Precision p : new DenseMatrix.Precision[] {DenseMatrix.Precision.BF16, DenseMatrix.Precision.INT8}) {
            DenseMatrix m = DenseMatrix.of(v, rows, cols, p);
            float[] x = new float[m.stride];
            for (int i = 0; i < cols; i++) x[i] = (float) rnd.nextGaussian();
            float[] grouped = new float[rows], single = new float[rows], row = new float[cols];
            m.matVec(x, grouped, 0, rows);                                 // whole groups of four, then the ragged rows
            for (int r = 0; r < rows; r++) m.matVec(x, single, r, r + 1);  // every row alone
            for (int r = 0; r < rows; r++) {
                assertEquals(grouped[r], single[r], 0f, p + " row " + r);
                m.row(r, row, 0);                                          // each row reads back its own values
                float amax = 0f;
                for (int c = 0; c < cols; c++) amax = Math.max(amax, Math.abs(v[r * cols + c]));
                float tol = p == DenseMatrix.Precision.INT8 ? amax / 127 / 2 + 1e-7f : amax / 256;
                for (int c = 0; c < cols; c++) assertEquals(v[r * cols + c], row[c], tol, p + " row " + r + " col " + c);
            }
        }
    }

    @Test
    void bf16ConversionRoundsToNearestEven() {
        assertEquals(1.0f, DenseMatrix.fromBf16(DenseMatrix.toBf16(1.0f)));
        // 1 + 2^-8 is exactly half-way between bf16 1.0 and 1.0078125: ties to even -> 1.0
        assertEquals(1.0f, DenseMatrix.fromBf16(DenseMatrix.toBf16(1f + 1f / 256)));
        assertEquals(1.0078125f, DenseMatrix.fromBf16(DenseMatrix.toBf16(1f + 3f / 512)));
        float[] row = new float[3];
        DenseMatrix.of(new float[] {0.5f, -1f, 2f}, 1, 3, DenseMatrix.Precision.INT8).row(0, row, 0);
        assertEquals(-1f, row[1], 2f / 127);  // one int8 step of a row whose absmax is 2
        assertEquals(2f, row[2], 1e-6);
    }

    @Test
    void vectorMathMatchesReference() {
        Random rnd = new Random(6);
        for (int n : new int[] {1, 7, 16, 64, 100, 128}) {
            float[] a = new float[n + 3], b = new float[n + 5];
            for (int i = 0; i < a.length; i++) a[i] = rnd.nextFloat() - 0.5f;
            for (int i = 0; i < b.length; i++) b[i] = rnd.nextFloat() - 0.5f;
            assertEquals(VectorMath.dotReference(a, 3, b, 5, n), VectorMath.dot(a, 3, b, 5, n), 1e-5);
            float[] y1 = b.clone(), y2 = b.clone();
            VectorMath.axpy(0.7f, a, 2, y1, 4, n);
            VectorMath.axpyReference(0.7f, a, 2, y2, 4, n);
            for (int i = 0; i < y1.length; i++) assertEquals(y2[i], y1[i], 1e-6);
        }
    }

    @Test
    void rmsnormMatchesReferenceOnRaggedLengthsAndInPlace() {
        Random rnd = new Random(7);
        for (int n : new int[] {1, 7, 16, 17, 64, 100, 768, 2304}) {
            for (float amp : new float[] {1e-4f, 1f, 300f}) {
                float[] x = new float[n + 2], g = new float[n];
                for (int i = 0; i < x.length; i++) x[i] = amp * (float) rnd.nextGaussian();
                for (int i = 0; i < n; i++) g[i] = 1f + 0.2f * (float) rnd.nextGaussian();
                float[] fast = new float[n + 1], ref = new float[n + 1];
                VectorMath.rmsnorm(x, 2, g, fast, 1, n, 1e-5f);
                VectorMath.rmsnormReference(x, 2, g, ref, 1, n, 1e-5f);
                for (int i = 0; i <= n; i++) assertEquals(ref[i], fast[i], 1e-5f * (1 + Math.abs(ref[i])), "n=" + n + " amp=" + amp);
                float[] inPlace = x.clone();
                VectorMath.rmsnorm(inPlace, 2, g, inPlace, 2, n, 1e-5f);
                for (int i = 0; i < n; i++) assertEquals(fast[1 + i], inPlace[2 + i], 0f);
            }
        }
    }
}
