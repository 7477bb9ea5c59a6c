package bitnut.infer.kernel;

import java.util.Random;

/*
 * Gets the Vector API kernels compiled by C2 before the first real token.
 *
 * Why: until C2 compiles a kernel, the interpreter / C1 run every vector operation as a boxed object
 * through the generic Java fallback, 20-40x slower than the compiled code (measured: 44 vs 2 ns per
 * 64-weight word). A one-shot `bitnut sample` on a tiny checkpoint spent its whole 128-token run in
 * that state and reported ~50 tok/s for a model that decodes ~2,400 tok/s once compiled.
 * How: every decode/prefill kernel is called on SMALL synthetic shapes in a loop, so the invocation
 * and loop counters that trigger C2 are reached in a fraction of the time the real model's calls
 * would take while still interpreted; the compiled code does not depend on the shapes. The engine
 * then runs a few real forward steps (InferenceEngine.warmUp) for the glue code around the kernels.
 */
public final class KernelWarmUp {
    private KernelWarmUp() { }

    /**
     * Calls each kernel `rounds` times on small shapes. Measured on the 2-vCPU box (bitnut-tiny-sized
     * checkpoint, first 128-token sample after it): 0 rounds 2.3 s for the sample, 2,000 rounds 2.0 s
     * + 0.22 s, 20,000 rounds 2.9 s + 0.32 s: the cost is mostly C2's own compile time.
     */
    public static void run(int rounds) {
        Random rnd = new Random(17);
        int n = 15 * TernaryMatrix.TILE, k = 128;      // fifteen tiles: the decode kernel's eight-, four-, two- and one-tile passes
        byte[] codes = new byte[n * k];
        for (int i = 0; i < codes.length; i++) codes[i] = (byte) (rnd.nextInt(3) - 1);
        TernaryMatrix w = TernaryMatrix.fromCodes(codes, n, k, 0.02f);
        Int8Activations one = new Int8Activations(k, 1), four = new Int8Activations(k, 4);
        float[] x = new float[k], out = new float[4 * n], dense = new float[32 * k];
        for (int i = 0; i < k; i++) x[i] = (float) rnd.nextGaussian();
        for (int i = 0; i < dense.length; i++) dense[i] = (float) rnd.nextGaussian();
        for (int t = 0; t < 4; t++) four.quantize(t, x, 0);
        four.setTokens(4);
        DenseMatrix[] heads = {DenseMatrix.of(dense, 32, k, DenseMatrix.Precision.F32),
                DenseMatrix.of(dense, 32, k, DenseMatrix.Precision.BF16), DenseMatrix.of(dense, 32, k, DenseMatrix.Precision.INT8)};
        float[] logits = new float[32], row = new float[k], scores = new float[3 * 32], att = new float[3 * 64];
        float sink = 0;
        for (int r = 0; r < rounds; r++) {
            one.quantize(0, x, 0);
            one.setTokens(1);
            TernaryMatMul.matVec(w, one, 0, out, 0, 0, n);
            TernaryGemm.multiply(w, four, out, n, 0, 0, n);          // this CPU's prefill kernel (the GEMM only for bit planes)
            for (DenseMatrix h : heads) h.matVec(x, logits, 0, 32);
            heads[r % 3].row(r % 32, row, 0);
            sink += VectorMath.dot(x, 0, dense, r % 64, 64);
            VectorMath.axpy(1e-3f, dense, r % 64, row, 0, 64);
            Attention.gqaRow(dense, 0, 2 + (r & 1), 64, dense, 64 * (r & 1), dense, 128, 16 + (r & 15), 0.125f, scores, att, 0);  // pair / triple paths, ragged tiles
            sink += out[r % n] + logits[r % 32] + att[r % 128];
        }
        if (Float.isNaN(sink) && rounds < 0) throw new IllegalStateException("unreachable");
    }
}
