package bitnut.infer.kernel;

import java.util.Random;

/*
 * Benchmark main: the decode (one token) ternary matvecs of ALL 12 bitnut-133m layers (q 768x768,
 * k/v 256x768, o 768x768, gate/up 2304x768, down 768x2304 per layer: 20.6 MB of packed weights, so
 * the weights stream from DRAM as in a real decode step, not from cache), previous kernel (signed int8
 * select + pair sums, TernaryMatMul.matVecSelect) vs current (biased unsigned bytes, four rows per
 * pass, TernaryMatMul.matVec), ALTERNATING for the whole window so both see the same machine load;
 * best time of each (load only ever adds time). Printed with the bandwidth probe's best reading at
 * the same thread count, so each kernel's time can be read against bytes / bandwidth.
 * Run: java -Xmx2g @packaging/jvm-options -cp 'target/bitnut.jar:target/lib/*' bitnut.infer.kernel.DecodeKernelBench [seconds] [layers]
 * (layers 1 = 1.7 MB, which stays in L2/L3: the kernels' compute speed without DRAM)
 * The decode attention comparison moved to DenseDecodeBench (KV cache read from DRAM, as in decode).
 */
public final class DecodeKernelBench {
    private static final int[][] LAYER = {{768, 768}, {256, 768}, {256, 768}, {768, 768}, {2304, 768}, {2304, 768}, {768, 2304}};

    interface Kernel { void run(TernaryMatrix w, Int8Activations x, float[] out, int r0, int r1); }

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        int LAYERS = args.length > 1 ? Integer.parseInt(args[1]) : 12;     // 1: weights stay in cache (compute-bound view)
        Random rnd = new Random(1);
        int per = LAYER.length;
        TernaryMatrix[] ws = new TernaryMatrix[per * LAYERS];
        Int8Activations[] xs = new Int8Activations[per];
        long bytes = 0;
        for (int i = 0; i < ws.length; i++) {
            int n = LAYER[i % per][0], k = LAYER[i % per][1];
            byte[] codes = new byte[n * k];
            for (int j = 0; j < codes.length; j++) codes[j] = (byte) (rnd.nextInt(3) - 1);
            ws[i] = TernaryMatrix.fromCodes(codes, n, k, 0.02f);
            bytes += ws[i].packedBytes();
        }
        for (int i = 0; i < per; i++) {
            int k = LAYER[i][1];
            xs[i] = new Int8Activations(k, 1);
            float[] v = new float[k];
            for (int j = 0; j < k; j++) v[j] = (float) rnd.nextGaussian();
            xs[i].quantize(0, v, 0);
            xs[i].setTokens(1);
        }
        float[] out = new float[2304];
        MemoryBandwidth probe = MemoryBandwidth.standard();
        System.out.printf("decode matvecs, %d bitnut-133m layers (%.1f MB packed), %.1f s per thread count, kernels alternating, best time of each%n",
                LAYERS, bytes / 1e6, seconds);
        System.out.println("| threads | kernel | ms per pass (ternary part) | GB/s of weights | bandwidth probe GB/s | time / floor |");
        System.out.println("|---|---|---|---|---|---|");
        for (int threads : new int[] {1, 2}) {
            try (ThreadTeam team = new ThreadTeam(threads)) {
                double[] best = measure(team, ws, xs, out, new Kernel[] {
                        (w, x, o, r0, r1) -> TernaryMatMul.matVecSelect(w, x, 0, o, 0, r0, r1),
                        (w, x, o, r0, r1) -> TernaryMatMul.matVec(w, x, 0, o, 0, r0, r1)}, seconds);
                double bw = probe.measure(team, 5).bestBytesPerSec();
                double floorMs = bytes / bw * 1e3;
                String[] names = {"int8 select + pair sums (previous)", "biased unsigned, 4 rows (current)"};
                for (int j = 0; j < best.length; j++) {
                    System.out.printf("| %d | %s | %.3f | %.1f | %.1f | %.2f |%n", threads, names[j], best[j], bytes / best[j] / 1e6,
                            bw / 1e9, best[j] / floorMs);
                }
                System.out.printf("speed-up at %d thread(s): %.2fx%n", threads, best[0] / best[1]);
            }
        }
    }

    private static double[] measure(ThreadTeam team, TernaryMatrix[] ws, Int8Activations[] xs, float[] out, Kernel[] ks, double seconds) {
        double[] best = new double[ks.length];
        java.util.Arrays.fill(best, Double.MAX_VALUE);
        long end = System.nanoTime() + (long) (seconds * 1e9);
        for (int rep = 0; rep < 20 || System.nanoTime() < end; rep++) {
            for (int j = 0; j < ks.length; j++) {
                Kernel k = ks[j];
                long t0 = System.nanoTime();
                for (int i = 0; i < ws.length; i++) {
                    TernaryMatrix w = ws[i];
                    Int8Activations x = xs[i % xs.length];
                    team.forRange(w.rows, 16, ThreadTeam.STREAMING, (r0, r1) -> k.run(w, x, out, r0, r1));
                }
                if (rep >= 20) best[j] = Math.min(best[j], (System.nanoTime() - t0) / 1e6);   // first 20: warm-up / JIT
            }
        }
        return best;
    }
}
