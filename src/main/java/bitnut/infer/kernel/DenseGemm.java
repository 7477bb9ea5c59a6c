package bitnut.infer.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;

/*
 * lm_head for a batch of B sequences (batched decode): out[b * ldo + r] = sum_c M[r, c] * x[b * ldx + c]
 * for rows r in [r0, r1), sequences b < B. Same contract per sequence as DenseMatrix.matVec, with the
 * scalar reference beside it (matMulReference = B calls of DenseMatrix.matVecReference).
 *
 * Why a second kernel: the lm_head is the largest single read of a decode step (bitnet-spec.md §7.3),
 * and B matVecs would stream it B times. Here each weight row is loaded from memory once and
 * multiplied into 4 sequences at a time (the row stays in L1 for the next 4), so a step of B
 * sequences streams the head once.
 *
 * The per-sequence sums use the same two-accumulator order as DenseMatrix.matVec (even / odd vector
 * chunks, then a0 + a1 reduced), so a batched step gives the same logits as B single steps today;
 * callers that need that guarantee should still compare tokens, not bits (the matVec kernel may change).
 * x rows must hold at least M.stride values; values past M.cols meet zero weights.
 */
public final class DenseGemm {
    static final int LANES = DenseMatrix.LANES;
    private static final ThreadLocal<float[]> SPLIT = ThreadLocal.withInitial(() -> new float[0]);

    private DenseGemm() { }

    /** Scalar reference: one {@link DenseMatrix#matVecReference} per sequence. */
    public static void matMulReference(DenseMatrix m, float[] x, int ldx, int batch, float[] out, int ldo, int r0, int r1) {
        check(m, x, ldx, batch, out, ldo, r1);
        float[] xb = new float[m.stride];
        float[] yb = new float[m.rows];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(x, b * ldx, xb, 0, m.stride);
            m.matVecReference(xb, yb, r0, r1);
            System.arraycopy(yb, r0, out, b * ldo + r0, r1 - r0);
        }
    }

    /** Vector kernel, same contract as {@link #matMulReference}. */
    public static void matMul(DenseMatrix m, float[] x, int ldx, int batch, float[] out, int ldo, int r0, int r1) {
        check(m, x, ldx, batch, out, ldo, r1);
        switch (m) {
            case DenseMatrix.F32 f -> f32(f, x, ldx, batch, out, ldo, r0, r1);
            case DenseMatrix.Int8 q -> int8(q, x, ldx, batch, out, ldo, r0, r1);
            case DenseMatrix.Bf16 h -> bf16(h, x, ldx, batch, out, ldo, r0, r1);
        }
    }

    private static void check(DenseMatrix m, float[] x, int ldx, int batch, float[] out, int ldo, int r1) {
        if (ldx < m.stride) throw new IllegalArgumentException("x rows need " + m.stride + " values, ldx is " + ldx);
        if (ldo < m.rows) throw new IllegalArgumentException("out rows need " + m.rows + " values, ldo is " + ldo);
        if (batch < 1 || (long) (batch - 1) * ldx + m.stride > x.length || (long) (batch - 1) * ldo + r1 > out.length) {
            throw new IllegalArgumentException("batch " + batch + " does not fit x[" + x.length + "] / out[" + out.length + "]");
        }
    }

    // ---------------------------------------------------------------------------------------------

    private static void f32(DenseMatrix.F32 m, float[] x, int ldx, int batch, float[] out, int ldo, int r0, int r1) {
        final float[] w = m.data;
        final int stride = m.stride;
        final FloatVector zero = FloatVector.zero(DenseMatrix.F);
        for (int r = r0; r < r1; r++) {
            final int base = r * stride;
            int b = 0;
            for (; b + 4 <= batch; b += 4) {                     // 4 sequences share each weight load
                final int x0 = b * ldx, x1 = x0 + ldx, x2 = x1 + ldx, x3 = x2 + ldx;
                FloatVector a0 = zero, a1 = zero, a2 = zero, a3 = zero, e0 = zero, e1 = zero, e2 = zero, e3 = zero;
                int c = 0;
                for (; c + 2 * LANES <= stride; c += 2 * LANES) {
                    FloatVector wa = FloatVector.fromArray(DenseMatrix.F, w, base + c);
                    FloatVector wb = FloatVector.fromArray(DenseMatrix.F, w, base + c + LANES);
                    a0 = wa.fma(load(x, x0 + c), a0); e0 = wb.fma(load(x, x0 + c + LANES), e0);
                    a1 = wa.fma(load(x, x1 + c), a1); e1 = wb.fma(load(x, x1 + c + LANES), e1);
                    a2 = wa.fma(load(x, x2 + c), a2); e2 = wb.fma(load(x, x2 + c + LANES), e2);
                    a3 = wa.fma(load(x, x3 + c), a3); e3 = wb.fma(load(x, x3 + c + LANES), e3);
                }
                for (; c < stride; c += LANES) {
                    FloatVector wa = FloatVector.fromArray(DenseMatrix.F, w, base + c);
                    a0 = wa.fma(load(x, x0 + c), a0); a1 = wa.fma(load(x, x1 + c), a1);
                    a2 = wa.fma(load(x, x2 + c), a2); a3 = wa.fma(load(x, x3 + c), a3);
                }
                out[b * ldo + r] = VectorMath.sum(a0.add(e0));
                out[(b + 1) * ldo + r] = VectorMath.sum(a1.add(e1));
                out[(b + 2) * ldo + r] = VectorMath.sum(a2.add(e2));
                out[(b + 3) * ldo + r] = VectorMath.sum(a3.add(e3));
            }
            for (; b < batch; b++) {                                // the last < 4 sequences, row from L1
                final int x0 = b * ldx;
                FloatVector a0 = zero, e0 = zero;
                int c = 0;
                for (; c + 2 * LANES <= stride; c += 2 * LANES) {
                    a0 = FloatVector.fromArray(DenseMatrix.F, w, base + c).fma(load(x, x0 + c), a0);
                    e0 = FloatVector.fromArray(DenseMatrix.F, w, base + c + LANES).fma(load(x, x0 + c + LANES), e0);
                }
                for (; c < stride; c += LANES) a0 = FloatVector.fromArray(DenseMatrix.F, w, base + c).fma(load(x, x0 + c), a0);
                out[b * ldo + r] = VectorMath.sum(a0.add(e0));
            }
        }
    }

    /** Int8 rows are interleaved four at a time (DenseMatrix.Int8): row r's chunk at column c sits at rowBase(r) + 4 c. */
    private static void int8(DenseMatrix.Int8 m, float[] x, int ldx, int batch, float[] out, int ldo, int r0, int r1) {
        final byte[] w = m.data;
        final int stride = m.stride, step = DenseMatrix.GROUP;
        final FloatVector zero = FloatVector.zero(DenseMatrix.F);
        for (int r = r0; r < r1; r++) {
            final int base = m.rowBase(r);
            final float scale = m.rowScale[r];
            int b = 0;
            for (; b + 4 <= batch; b += 4) {
                final int x0 = b * ldx, x1 = x0 + ldx, x2 = x1 + ldx, x3 = x2 + ldx;
                FloatVector a0 = zero, a1 = zero, a2 = zero, a3 = zero, e0 = zero, e1 = zero, e2 = zero, e3 = zero;
                for (int c = 0; c < stride; c += 2 * LANES) {
                    FloatVector wa = DenseMatrix.Int8.widen(w, base + step * c), wb = DenseMatrix.Int8.widen(w, base + step * (c + LANES));
                    a0 = wa.fma(load(x, x0 + c), a0); e0 = wb.fma(load(x, x0 + c + LANES), e0);
                    a1 = wa.fma(load(x, x1 + c), a1); e1 = wb.fma(load(x, x1 + c + LANES), e1);
                    a2 = wa.fma(load(x, x2 + c), a2); e2 = wb.fma(load(x, x2 + c + LANES), e2);
                    a3 = wa.fma(load(x, x3 + c), a3); e3 = wb.fma(load(x, x3 + c + LANES), e3);
                }
                out[b * ldo + r] = VectorMath.sum(a0.add(e0)) * scale;
                out[(b + 1) * ldo + r] = VectorMath.sum(a1.add(e1)) * scale;
                out[(b + 2) * ldo + r] = VectorMath.sum(a2.add(e2)) * scale;
                out[(b + 3) * ldo + r] = VectorMath.sum(a3.add(e3)) * scale;
            }
            for (; b < batch; b++) {
                final int x0 = b * ldx;
                FloatVector a0 = zero, e0 = zero;
                for (int c = 0; c < stride; c += 2 * LANES) {
                    a0 = DenseMatrix.Int8.widen(w, base + step * c).fma(load(x, x0 + c), a0);
                    e0 = DenseMatrix.Int8.widen(w, base + step * (c + LANES)).fma(load(x, x0 + c + LANES), e0);
                }
                out[b * ldo + r] = VectorMath.sum(a0.add(e0)) * scale;
            }
        }
    }

    /**
     * BF16 packs columns 2j / 2j+1 into one int (DenseMatrix.Bf16); each sequence's x is split into even
     * and odd columns once per call (xe, xo of sequence b at split[(2b) * half], split[(2b+1) * half]).
     */
    private static void bf16(DenseMatrix.Bf16 m, float[] x, int ldx, int batch, float[] out, int ldo, int r0, int r1) {
        final int half = m.half;
        float[] split = SPLIT.get();
        if (split.length < 2 * batch * half) SPLIT.set(split = new float[2 * batch * half]);
        for (int b = 0; b < batch; b++) {
            int xb = b * ldx, e = 2 * b * half, o = e + half;
            for (int j = 0; j < half; j++) {
                split[e + j] = x[xb + 2 * j];
                split[o + j] = x[xb + 2 * j + 1];
            }
        }
        final int[] w = m.data;
        final int step = DenseMatrix.GROUP;                       // rows interleaved four at a time, as in Int8
        final FloatVector zero = FloatVector.zero(DenseMatrix.F);
        for (int r = r0; r < r1; r++) {
            final int base = m.rowBase(r);
            int b = 0;
            for (; b + 4 <= batch; b += 4) {
                final int s0 = 2 * b * half, s1 = s0 + 2 * half, s2 = s1 + 2 * half, s3 = s2 + 2 * half;
                FloatVector a0 = zero, a1 = zero, a2 = zero, a3 = zero, e0 = zero, e1 = zero, e2 = zero, e3 = zero;
                for (int j = 0; j < half; j += LANES) {
                    IntVector v = IntVector.fromArray(DenseMatrix.I, w, base + step * j);
                    FloatVector even = DenseMatrix.Bf16.even(v);
                    FloatVector odd = DenseMatrix.Bf16.odd(v);
                    a0 = even.fma(load(split, s0 + j), a0); e0 = odd.fma(load(split, s0 + half + j), e0);
                    a1 = even.fma(load(split, s1 + j), a1); e1 = odd.fma(load(split, s1 + half + j), e1);
                    a2 = even.fma(load(split, s2 + j), a2); e2 = odd.fma(load(split, s2 + half + j), e2);
                    a3 = even.fma(load(split, s3 + j), a3); e3 = odd.fma(load(split, s3 + half + j), e3);
                }
                out[b * ldo + r] = VectorMath.sum(a0.add(e0));
                out[(b + 1) * ldo + r] = VectorMath.sum(a1.add(e1));
                out[(b + 2) * ldo + r] = VectorMath.sum(a2.add(e2));
                out[(b + 3) * ldo + r] = VectorMath.sum(a3.add(e3));
            }
            for (; b < batch; b++) {
                final int s0 = 2 * b * half;
                FloatVector a0 = zero, e0 = zero;
                for (int j = 0; j < half; j += LANES) {
                    IntVector v = IntVector.fromArray(DenseMatrix.I, w, base + step * j);
                    a0 = DenseMatrix.Bf16.even(v).fma(load(split, s0 + j), a0);
                    e0 = DenseMatrix.Bf16.odd(v).fma(load(split, s0 + half + j), e0);
                }
                out[b * ldo + r] = VectorMath.sum(a0.add(e0));
            }
        }
    }

    private static FloatVector load(float[] a, int i) { return FloatVector.fromArray(DenseMatrix.F, a, i); }

}
