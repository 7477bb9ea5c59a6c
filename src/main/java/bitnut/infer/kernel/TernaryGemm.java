package bitnut.infer.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/*
 * Prefill GEMM for ternary weights: y[t, n] = (m / s_t) * sum_k W[n,k] * xq[t,k] for T > 1 tokens,
 * same contract (and same scalar reference, TernaryMatMul.matMulReference) as TernaryMatMul.matMul.
 *
 * Used for BIT_PLANES matrices (CPUs without vpermi2b): their decode kernel re-applies a row's masks
 * per token, so prefill would cost as much per token as decode. (For LOOKUP_TILES matrices the lookup
 * kernel per token is faster, see multiply.) Here each block of ROWS weight rows is decoded ONCE
 * from its plane masks into an fp32 tile (values -1/0/+1) and multiplied against all T tokens' activations, held as fp32
 * copies of the int8 values (Int8Activations.f), with a ROWS x TOKS block of FMA accumulators over K
 * (the usual register-blocked GEMM micro-kernel, as in BLIS / llamafile's tinyBLAS).
 *
 * Exactness: every product is an integer in [-127, 127] and every partial sum is bounded by
 * 127 * K < 2^24 (K <= 132k), so fp32 accumulation is exact in ANY order; the final
 * acc * (m / s) is the reference's expression. Results equal the scalar reference bit for bit.
 *
 * Ragged edges: K is padded to 64 (zero weights and activations past K), row blocks past r1 decode as
 * zero rows, token blocks past T read the zero (or stale, finite) rows of f; only valid outputs are
 * written. Decode (T = 1) stays on TernaryMatMul.matVec, which reads each weight byte once.
 */
public final class TernaryGemm {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int FL = F.length();             // fp32 lanes (16 on AVX-512)
    static final int ROWS = 4;                    // weight rows per register block
    static final int TOKS = Int8Activations.TOKEN_BLOCK;  // tokens per register block (4)
    /** Below this many tokens the decode kernel wins (the tile decode is not amortized). */
    public static final int MIN_TOKENS = 4;

    static {
        if (TOKS != 4) throw new IllegalStateException("micro-kernel is written for 4 tokens");
    }

    private TernaryGemm() { }

    /**
     * Picks the prefill kernel: the lookup kernel per token for LOOKUP_TILES matrices (PrefillGemmBench,
     * T = 64, tables built per input, against this GEMM on the same codes as bit planes: 4.45 vs 9.27 ms
     * per layer on 1 thread, 2.80 vs 4.69 on 2); for BIT_PLANES matrices (CPUs without vpermi2b) this
     * GEMM from MIN_TOKENS tokens on.
     */
    public static void multiply(TernaryMatrix w, Int8Activations x, float[] out, int ldo, int outOff, int r0, int r1) {
        if (w.layout == TernaryMatrix.Layout.BIT_PLANES && x.tokens() >= MIN_TOKENS) matMul(w, x, out, ldo, outOff, r0, r1);
        else TernaryMatMul.matMul(w, x, out, ldo, outOff, r0, r1);
    }

    /** Same contract as {@link TernaryMatMul#matMulReference}: out[t * ldo + outOff + n], rows n in [r0, r1). */
    public static void matMul(TernaryMatrix w, Int8Activations x, float[] out, int ldo, int outOff, int r0, int r1) {
        if (x.cols != w.cols) {
            throw new IllegalArgumentException("activations have K=" + x.cols + " but the matrix has K=" + w.cols);
        }
        if (w.layout != TernaryMatrix.Layout.BIT_PLANES) {
            throw new IllegalArgumentException("the tile GEMM reads BIT_PLANES matrices; " + w.layout + " ones take TernaryMatMul.matMul");
        }
        final int kp = x.stride;                  // K rounded up to 64 (>= 4 * groups)
        final int tokens = x.tokens();
        final float[] xf = x.f;
        final float[] tile = new float[ROWS * kp];  // [ROWS][kp] decoded weights, per call (per thread)
        for (int n0 = r0; n0 < r1; n0 += ROWS) {
            int nr = Math.min(ROWS, r1 - n0);
            decode(w, n0, nr, tile);
            for (int t0 = 0; t0 < tokens; t0 += TOKS) {
                block(tile, kp, xf, t0 * kp, out, ldo, outOff, n0, nr, t0, Math.min(TOKS, tokens - t0), w.scale, x.scale);
            }
        }
    }

    /** tile[r][k] = W[n0 + r, k] in {-1, 0, +1} as fp32 from the bit-plane masks; rows r >= nr are zero. */
    static void decode(TernaryMatrix w, int n0, int nr, float[] tile) {
        final long[] planes = w.planes;
        final int words = w.words, kp = tile.length / ROWS;
        final FloatVector zero = FloatVector.zero(F), one = FloatVector.broadcast(F, 1f), minusOne = FloatVector.broadcast(F, -1f);
        for (int r = 0; r < ROWS; r++) {
            int base = r * kp;
            if (r >= nr) {
                java.util.Arrays.fill(tile, base, base + kp, 0f);
                continue;
            }
            int at = (n0 + r) * words * 2;
            for (int wd = 0; wd < words; wd++, at += 2) {
                long plus = planes[at], minus = planes[at + 1];
                for (int c = 0; c < 64 / FL; c++) {
                    zero.blend(one, VectorMask.fromLong(F, plus >>> (c * FL)))
                        .blend(minusOne, VectorMask.fromLong(F, minus >>> (c * FL)))
                        .intoArray(tile, base + (wd << 6) + c * FL);
                }
            }
            java.util.Arrays.fill(tile, base + words * 64, base + kp, 0f);
        }
    }

    /** 4 rows x 4 tokens of dot products over the padded K; writes the nr x nt valid ones. */
    private static void block(float[] tile, int kp, float[] xf, int xb, float[] out, int ldo, int outOff,
                              int n0, int nr, int t0, int nt, float m, float[] s) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        final int w1 = kp, w2 = 2 * kp, w3 = 3 * kp;
        final int x1 = xb + kp, x2 = xb + 2 * kp, x3 = xb + 3 * kp;
        for (int k = 0; k < kp; k += FL) {
            FloatVector a0 = FloatVector.fromArray(F, tile, k);
            FloatVector a1 = FloatVector.fromArray(F, tile, w1 + k);
            FloatVector a2 = FloatVector.fromArray(F, tile, w2 + k);
            FloatVector a3 = FloatVector.fromArray(F, tile, w3 + k);
            FloatVector b = FloatVector.fromArray(F, xf, xb + k);
            c00 = a0.fma(b, c00); c10 = a1.fma(b, c10); c20 = a2.fma(b, c20); c30 = a3.fma(b, c30);
            b = FloatVector.fromArray(F, xf, x1 + k);
            c01 = a0.fma(b, c01); c11 = a1.fma(b, c11); c21 = a2.fma(b, c21); c31 = a3.fma(b, c31);
            b = FloatVector.fromArray(F, xf, x2 + k);
            c02 = a0.fma(b, c02); c12 = a1.fma(b, c12); c22 = a2.fma(b, c22); c32 = a3.fma(b, c32);
            b = FloatVector.fromArray(F, xf, x3 + k);
            c03 = a0.fma(b, c03); c13 = a1.fma(b, c13); c23 = a2.fma(b, c23); c33 = a3.fma(b, c33);
        }
        // explicit stores (an array of vectors would box all 16 accumulators)
        int o = outOff + n0;
        put(out, o, 0, c00, c01, c02, c03, nr, t0, nt, ldo, m, s);
        put(out, o, 1, c10, c11, c12, c13, nr, t0, nt, ldo, m, s);
        put(out, o, 2, c20, c21, c22, c23, nr, t0, nt, ldo, m, s);
        put(out, o, 3, c30, c31, c32, c33, nr, t0, nt, ldo, m, s);
    }

    /** Row r of a block: the sums are exact integers; same dequantization expression as the reference. */
    private static void put(float[] out, int o, int r, FloatVector d0, FloatVector d1, FloatVector d2, FloatVector d3,
                            int nr, int t0, int nt, int ldo, float m, float[] s) {
        if (r >= nr) return;
        o += r;
        out[t0 * ldo + o] = (int) d0.reduceLanes(VectorOperators.ADD) * (m / s[t0]);
        if (nt > 1) out[(t0 + 1) * ldo + o] = (int) d1.reduceLanes(VectorOperators.ADD) * (m / s[t0 + 1]);
        if (nt > 2) out[(t0 + 2) * ldo + o] = (int) d2.reduceLanes(VectorOperators.ADD) * (m / s[t0 + 2]);
        if (nt > 3) out[(t0 + 3) * ldo + o] = (int) d3.reduceLanes(VectorOperators.ADD) * (m / s[t0 + 3]);
    }
}
