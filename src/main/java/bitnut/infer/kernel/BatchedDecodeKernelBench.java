package bitnut.infer.kernel;

import java.util.Random;

/*
 * Benchmark main: what one batched decode step of B sequences costs in the kernels, B = 1, 2, 4, 8,
 * one thread, all kernels alternating in one run (the shared box's load hits them alike), best of each:
 *   ternary: all 84 BitLinears of bitnut-133m (12 layers: 20.6 MB of packed codes, more than L2, so rows
 *            come from L3 / DRAM as in a real step), one token per sequence, with
 *              matVec per sequence   (TernaryMatMul.matVec B times: the whole matrix read B times)
 *              fp32 tile GEMM        (TernaryGemm.matMul on the BIT_PLANES layout it serves: each row decoded once for all B)
 *   lm_head: 32768 x 768 at f32 / bf16 / int8, B matVecs vs one DenseGemm.matMul.
 * The question it answers: does a batch make a sequence's token cheaper, and where? (docs/benchmarks.md,
 * Inference, "Batched decode").
 * Run: java $(cat packaging/jvm-options) -Xmx2g -XX:+UseTransparentHugePages -cp 'target/bitnut.jar:target/lib/*' bitnut.infer.kernel.BatchedDecodeKernelBench [seconds]
 */
public final class BatchedDecodeKernelBench {
    private static final int[][] LAYER = {{768, 768}, {256, 768}, {256, 768}, {768, 768}, {2304, 768}, {2304, 768}, {768, 2304}};
    private static final int LAYERS = 12, V = 32768, C = 768;
    private static final int[] BATCHES = {1, 2, 4, 8};

    interface Kernel { void run(TernaryMatrix w, Int8Activations x, float[] out, int ldo); }

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 20;
        Random rnd = new Random(1);
        TernaryMatrix[] ws = new TernaryMatrix[LAYERS * LAYER.length], planes = new TernaryMatrix[ws.length];
        for (int i = 0; i < ws.length; i++) {
            int n = LAYER[i % LAYER.length][0], k = LAYER[i % LAYER.length][1];
            byte[] codes = new byte[n * k];
            for (int j = 0; j < codes.length; j++) codes[j] = (byte) (rnd.nextInt(3) - 1);
            ws[i] = TernaryMatrix.fromCodes(codes, n, k, 0.02f);                                       // this CPU's layout
            planes[i] = TernaryMatrix.fromCodes(codes, n, k, 0.02f, TernaryMatrix.Layout.BIT_PLANES);   // the GEMM's
        }
        Int8Activations[][] xs = new Int8Activations[BATCHES.length][2];     // [batch][K 768 | 2304]
        for (int b = 0; b < BATCHES.length; b++) {
            for (int j = 0; j < 2; j++) xs[b][j] = activations(rnd, j == 0 ? 768 : 2304, BATCHES[b]);
        }
        float[] out = new float[2304 * 8];
        Kernel[] ternary = {
                (w, x, o, ldo) -> { for (int t = 0; t < x.tokens(); t++) TernaryMatMul.matVec(w, x, t, o, t * ldo, 0, w.rows); },
                (w, x, o, ldo) -> TernaryGemm.matMul(w, x, o, ldo, 0, 0, w.rows)};
        String[] ternaryNames = {"matVec per sequence (" + TernaryMatrix.Layout.best() + ")", "fp32 tile GEMM (BIT_PLANES)"};

        double[][] best = new double[BATCHES.length][ternary.length];
        for (double[] row : best) java.util.Arrays.fill(row, Double.MAX_VALUE);
        long end = System.nanoTime() + (long) (seconds * 1e9 / 2);
        for (int rep = 0; rep < 13 || System.nanoTime() < end; rep++) {      // at least 10 timed passes after 3 warm-up ones
            for (int b = 0; b < BATCHES.length; b++) {
                for (int k = 0; k < ternary.length; k++) {
                    long t0 = System.nanoTime();
                    for (TernaryMatrix w : k == 0 ? ws : planes) ternary[k].run(w, xs[b][w.cols == 768 ? 0 : 1], out, w.rows);
                    if (rep >= 3) best[b][k] = Math.min(best[b][k], (System.nanoTime() - t0) / 1e6);
                }
            }
        }
        System.out.printf("batched decode kernels, 1 thread, %.0f s, kernels alternating, best of each%n", seconds);
        System.out.println("ternary: all 84 BitLinears of bitnut-133m (20.6 MB), ms per step (ms per sequence-token)");
        System.out.println("| batch | " + String.join(" | ", ternaryNames) + " |");
        System.out.println("|---" + "|---".repeat(ternary.length) + "|");
        for (int b = 0; b < BATCHES.length; b++) {
            StringBuilder line = new StringBuilder("| " + BATCHES[b]);
            for (int k = 0; k < ternary.length; k++) {
                line.append(String.format(" | %.2f (%.2f)", best[b][k], best[b][k] / BATCHES[b]));
            }
            System.out.println(line.append(" |"));
        }
        head(rnd, seconds / 2);
    }

    /** lm_head 32768 x 768 per precision: B matVecs vs one batched DenseGemm, ms per step (per sequence-token). */
    private static void head(Random rnd, double seconds) {
        float[] values = new float[V * C];
        for (int i = 0; i < values.length; i++) values[i] = (float) rnd.nextGaussian() * 0.02f;
        DenseMatrix.Precision[] ps = DenseMatrix.Precision.values();
        DenseMatrix[] heads = new DenseMatrix[ps.length];
        for (int p = 0; p < ps.length; p++) heads[p] = DenseMatrix.of(values, V, C, ps[p]);
        int stride = heads[0].stride;
        float[] x = new float[8 * stride];
        for (int i = 0; i < x.length; i++) x[i] = (i % stride) < C ? (float) rnd.nextGaussian() : 0f;
        float[] out = new float[8 * V], one = new float[V], row = new float[stride];
        double[][][] best = new double[ps.length][BATCHES.length][2];
        for (double[][] a : best) for (double[] b : a) java.util.Arrays.fill(b, Double.MAX_VALUE);
        long end = System.nanoTime() + (long) (seconds * 1e9);
        for (int rep = 0; rep < 13 || System.nanoTime() < end; rep++) {      // at least 10 timed passes after 3 warm-up ones
            for (int p = 0; p < ps.length; p++) {
                for (int b = 0; b < BATCHES.length; b++) {
                    int B = BATCHES[b];
                    long t0 = System.nanoTime();
                    for (int s = 0; s < B; s++) {
                        System.arraycopy(x, s * stride, row, 0, stride);
                        heads[p].matVec(row, one, 0, V);
                    }
                    long t1 = System.nanoTime();
                    DenseGemm.matMul(heads[p], x, stride, B, out, V, 0, V);
                    long t2 = System.nanoTime();
                    if (rep < 3) continue;
                    best[p][b][0] = Math.min(best[p][b][0], (t1 - t0) / 1e6);
                    best[p][b][1] = Math.min(best[p][b][1], (t2 - t1) / 1e6);
                }
            }
        }
        System.out.println();
        System.out.println("lm_head 32768 x 768, ms per step (ms per sequence-token)");
        System.out.println("| precision | MB | batch | B x matVec | DenseGemm (one pass) | speed-up |");
        System.out.println("|---|---|---|---|---|---|");
        for (int p = 0; p < ps.length; p++) {
            for (int b = 0; b < BATCHES.length; b++) {
                double[] r = best[p][b];
                System.out.printf("| %s | %.1f | %d | %.2f (%.2f) | %.2f (%.2f) | %.2fx |%n", ps[p].name().toLowerCase(java.util.Locale.ROOT),
                        heads[p].bytes() / 1e6, BATCHES[b], r[0], r[0] / BATCHES[b], r[1], r[1] / BATCHES[b], r[0] / r[1]);
            }
        }
    }

    private static Int8Activations activations(Random rnd, int k, int tokens) {
        Int8Activations x = new Int8Activations(k, tokens);
        float[] v = new float[k];
        for (int t = 0; t < tokens; t++) {
            for (int j = 0; j < k; j++) v[j] = (float) rnd.nextGaussian();
            x.quantize(t, v, 0);
        }
        x.setTokens(tokens);
        return x;
    }
}
