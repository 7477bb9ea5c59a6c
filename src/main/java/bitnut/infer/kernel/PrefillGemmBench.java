package bitnut.infer.kernel;

import java.util.Random;

/*
 * Benchmark main: the prefill matmuls of one bitnut-133m layer (q 768x768, k/v 256x768, o 768x768,
 * gate/up 2304x768, down 768x2304) for a T-token batch on the same codes in both layouts: the lookup
 * kernel per token (TernaryMatMul.matMul on LOOKUP_TILES, tables rebuilt per input) vs the fp32 tile
 * GEMM (TernaryGemm.matMul on BIT_PLANES), alternating in one run, 1 and 2 threads, row chunks as the
 * engine cuts them. GFLOP/s counts 2 * N * K * T per matrix (a ternary multiply-add as 2 ops).
 * Run: java $(cat packaging/jvm-options) -XX:+UseTransparentHugePages -cp 'target/bitnut.jar:target/lib/*' bitnut.infer.kernel.PrefillGemmBench [T] [seconds]
 */
public final class PrefillGemmBench {
    private static final int[][] LAYER = {{768, 768}, {256, 768}, {256, 768}, {768, 768}, {2304, 768}, {2304, 768}, {768, 2304}};

    interface Kernel { void run(TernaryMatrix w, Int8Activations x, float[] out, int ldo, int r0, int r1); }

    public static void main(String[] args) {
        int tokens = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 3;
        Random rnd = new Random(1);
        TernaryMatrix[] ws = new TernaryMatrix[LAYER.length], planes = new TernaryMatrix[LAYER.length];
        Int8Activations[] xs = new Int8Activations[LAYER.length];
        long flops = 0;
        for (int i = 0; i < LAYER.length; i++) {
            int n = LAYER[i][0], k = LAYER[i][1];
            byte[] codes = new byte[n * k];
            for (int j = 0; j < codes.length; j++) codes[j] = (byte) (rnd.nextInt(3) - 1);
            ws[i] = TernaryMatrix.fromCodes(codes, n, k, 0.02f, TernaryMatrix.Layout.LOOKUP_TILES);
            planes[i] = TernaryMatrix.fromCodes(codes, n, k, 0.02f, TernaryMatrix.Layout.BIT_PLANES);   // the GEMM's layout
            xs[i] = new Int8Activations(k, tokens);
            float[] v = new float[k];
            for (int t = 0; t < tokens; t++) {
                for (int j = 0; j < k; j++) v[j] = (float) rnd.nextGaussian();
                xs[i].quantize(t, v, 0);
            }
            xs[i].setTokens(tokens);
            flops += 2L * n * k * tokens;
        }
        xs[1] = xs[2] = xs[0];          // k and v read q's input, up reads gate's (as in the engine)
        xs[5] = xs[4];
        float[] out = new float[2304 * tokens];
        System.out.printf("prefill GEMM, one bitnut-133m layer, T=%d tokens, %.1f s per thread count, both kernels alternating, best layer time of each%n", tokens, seconds);
        System.out.println("| threads | kernel | ms per layer | GFLOP/s | ms for 12 layers |");
        System.out.println("|---|---|---|---|---|");
        for (int threads : new int[] {1, 2}) {
            try (ThreadTeam team = new ThreadTeam(threads)) {
                double[] best = measure(team, new TernaryMatrix[][] {ws, planes}, xs, out, new Kernel[] {
                        (w, x, o, l, r0, r1) -> TernaryMatMul.matMul(w, x, o, l, 0, r0, r1),
                        (w, x, o, l, r0, r1) -> TernaryGemm.matMul(w, x, o, l, 0, r0, r1)}, seconds);
                double oldMs = best[0], newMs = best[1];
                System.out.printf("| %d | lookup kernel per token, tables built per input (engine, AVX-512 VBMI) | %.2f | %.1f | %.0f |%n", threads, oldMs, flops / oldMs / 1e6, 12 * oldMs);
                System.out.printf("| %d | fp32 tile GEMM on BIT_PLANES (engine without VBMI) | %.2f | %.1f | %.0f |%n", threads, newMs, flops / newMs / 1e6, 12 * newMs);
                System.out.printf("lookup vs GEMM at %d thread(s): %.2fx faster%n", threads, newMs / oldMs);
            }
        }
    }

    /**
     * Best ms per layer of each kernel. The kernels run ALTERNATELY for the whole window, so on the
     * shared, loaded box both see the same load; best, not mean: the load only ever adds time.
     */
    private static double[] measure(ThreadTeam team, TernaryMatrix[][] wsPerKernel, Int8Activations[] xs, float[] out, Kernel[] ks, double seconds) {
        double[] best = new double[ks.length];
        java.util.Arrays.fill(best, Double.MAX_VALUE);
        long end = System.nanoTime() + (long) (seconds * 1e9);
        for (int rep = 0; rep < 13 || System.nanoTime() < end; rep++) {      // at least 10 timed passes
            for (int j = 0; j < ks.length; j++) {
                Kernel k = ks[j];
                TernaryMatrix[] ws = wsPerKernel[j];
                long t0 = System.nanoTime();
                for (int i = 0; i < ws.length; i++) {
                    TernaryMatrix w = ws[i];
                    Int8Activations x = xs[i];
                    if (j == 0 && (i == 0 || i == 3 || i == 4 || i == 6)) x.invalidateTables();   // the lookup kernel builds tables per input, as in prefill
                    // row chunks as the engine splits them (Transformer: TernaryMatMul.chunksPerThread)
                    team.forRange(w.rows, TernaryMatrix.TILE, TernaryMatMul.chunksPerThread(w.rows, team.size()), (r0, r1) -> k.run(w, x, out, w.rows, r0, r1));
                }
                if (rep >= 3) best[j] = Math.min(best[j], (System.nanoTime() - t0) / 1e6);   // first 3: warm-up / JIT
            }
        }
        return best;
    }
}
