package bitnut.infer.kernel;

/*
 * Ternary matmul for batched decode: y[b, n] = (m / s_b) * sum_k W[n,k] * xq[b,k], one token of each of
 * B sequences, same contract and scalar reference as TernaryMatMul.matMul (matMulReference).
 *
 * Why not the prefill kernels: measured with BatchedDecodeKernelBench (all 84 BitLinears of
 * bitnut-133m, one thread, docs/benchmarks.md "Batched decode"; second session, with the previous
 * bit-plane decode kernel), ms per sequence-token at B = 4:
 *   TernaryMatMul.matVec once per sequence   2.52   (B = 1: 3.16)
 *   TernaryGemm (fp32 tile GEMM)             3.61   (B = 8: 2.63 vs matVec 2.68)
 * The decode kernel's arithmetic per weight is the cheapest; running it once per sequence over
 * the same row range [r0, r1) (one thread's chunk, a few hundred KB) re-reads those rows from L2
 * instead of memory. From GEMM_TOKENS sequences on, the tile GEMM's one decode per row won against the
 * bit-plane kernel; against the lookup kernel it loses at every batch
 * (BatchedDecodeKernelBench: 2.40 vs 0.79 ms per sequence-token at B = 8), so LOOKUP_TILES matrices take matVec.
 * Results equal the reference bit for bit (both kernels are exact).
 */
public final class TernaryBatchMatVec {
    /** From this many sequences on, the fp32 tile GEMM is used. */
    public static final int GEMM_TOKENS = 8;

    private TernaryBatchMatVec() { }

    /** out[t * ldo + outOff + n] for sequences t < x.tokens(), rows n in [r0, r1). */
    public static void matMul(TernaryMatrix w, Int8Activations x, float[] out, int ldo, int outOff, int r0, int r1) {
        if (x.tokens() >= GEMM_TOKENS && w.layout == TernaryMatrix.Layout.BIT_PLANES) {
            TernaryGemm.matMul(w, x, out, ldo, outOff, r0, r1);
            return;
        }
        if (x.cols != w.cols) {
            throw new IllegalArgumentException("activations have K=" + x.cols + " but the matrix has K=" + w.cols);
        }
        for (int t = 0; t < x.tokens(); t++) TernaryMatMul.matVec(w, x, t, out, t * ldo + outOff, r0, r1);
    }
}
