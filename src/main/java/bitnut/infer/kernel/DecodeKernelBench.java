package bitnut.infer.kernel;

import java.util.Random;

/*
 * Benchmark main: the decode (one token) ternary matvecs of bitnut-133m layers (q 768x768,
 * k/v 256x768, o 768x768, gate/up 2304x768, down 768x2304 per layer: 1.7 MB of packed weights per
 * layer, 20.6 MB for the model's 12). Default 24 layers (41 MB, more than the 32 MB L3), so the weights
 * stream from DRAM as in a real decode step, where the lm_head's read evicts them from L3 every token;
 * previous kernel (BIT_PLANES layout, BitPlaneKernel: still what CPUs without AVX-512 VBMI run) vs
 * current (LOOKUP_TILES, TernaryMatMul.matVec, tables rebuilt per input as in decode), on the same
 * codes, ALTERNATING for the whole window so both see the same load;
 * best time of each (load only ever adds time). Printed with the bandwidth probe's best reading at
 * the same thread count, so each kernel's time can be read against bytes / bandwidth.
 * Run: java -Xmx3g @packaging/jvm-options -XX:+UseTransparentHugePages -cp 'target/bitnut.jar:target/lib/*' bitnut.infer.kernel.DecodeKernelBench [seconds] [layers]
 * (the THP flag as bin/bitnut adds it on Linux)
 * (layers 1 = 1.7 MB, which stays in L2: the kernels' compute speed without DRAM; 12 = 20.6 MB stays in L3)
 * The decode attention comparison moved to DenseDecodeBench (KV cache read from DRAM, as in decode).
 */
public final class DecodeKernelBench {
    private static final int[][] LAYER = {{768, 768}, {256, 768}, {256, 768}, {768, 768}, {2304, 768}, {2304, 768}, {768, 2304}};

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        int LAYERS = args.length > 1 ? Integer.parseInt(args[1]) : 24;     // 1: weights stay in cache (compute-bound view)
        Random rnd = new Random(1);
        int per = LAYER.length;
        TernaryMatrix[] ws = new TernaryMatrix[per * LAYERS];
        TernaryMatrix[] planes = new TernaryMatrix[ws.length];
        Int8Activations[] xs = new Int8Activations[per];
        long bytes = 0, planeBytes = 0;
        for (int i = 0; i < ws.length; i++) {
            int n = LAYER[i % per][0], k = LAYER[i % per][1];
            byte[] codes = new byte[n * k];
            for (int j = 0; j < codes.length; j++) codes[j] = (byte) (rnd.nextInt(3) - 1);
            ws[i] = TernaryMatrix.fromCodes(codes, n, k, 0.02f, TernaryMatrix.Layout.LOOKUP_TILES);
            planes[i] = TernaryMatrix.fromCodes(codes, n, k, 0.02f, TernaryMatrix.Layout.BIT_PLANES);
            bytes += ws[i].packedBytes();
            planeBytes += planes[i].packedBytes();
        }
        for (int i = 0; i < per; i++) {
            int k = LAYER[i][1];
            xs[i] = new Int8Activations(k, 1);
            float[] v = new float[k];
            for (int j = 0; j < k; j++) v[j] = (float) rnd.nextGaussian();
            xs[i].quantize(0, v, 0);
            xs[i].setTokens(1);
        }
        if (planeBytes != bytes) throw new IllegalStateException("formats differ in size: " + planeBytes + " vs " + bytes);
        float[] out = new float[2304];
        MemoryBandwidth probe = MemoryBandwidth.standard();
        System.out.printf("decode matvecs, %d bitnut-133m layers (%.1f MB packed, 2 bits/weight in both formats), %.1f s per thread count, "
                + "kernels alternating, best time of each (lookup: tables rebuilt every pass, as in a decode step)%n", LAYERS, bytes / 1e6, seconds);
        System.out.println("| threads | kernel | ms per pass (ternary part) | GB/s of weights | bandwidth probe GB/s | time / floor |");
        System.out.println("|---|---|---|---|---|---|");
        for (int threads : new int[] {1, 2}) {
            try (ThreadTeam team = new ThreadTeam(threads)) {
                double[] best = measure(seconds, new Runnable[] {
                        () -> {
                            for (int i = 0; i < planes.length; i++) {
                                TernaryMatrix w = planes[i];
                                Int8Activations x = xs[i % per];
                                team.forRange(w.rows, 16, ThreadTeam.STREAMING, (r0, r1) -> TernaryMatMul.matVec(w, x, 0, out, 0, r0, r1));
                            }
                        },
                        () -> {
                            for (int i = 0; i < ws.length; i++) {
                                TernaryMatrix w = ws[i];
                                Int8Activations x = xs[i % per];
                                if (i % per == 0 || i % per == 3 || i % per == 4 || i % per == 6) x.quantize(0, x.f, 0);   // new tables per input, as in decode
                                team.forRange(w.rows, TernaryMatrix.TILE, TernaryMatMul.chunksPerThread(w.rows, threads), (r0, r1) -> TernaryMatMul.matVec(w, x, 0, out, 0, r0, r1));
                            }
                        }});
                double bw = probe.measure(team, 5).bestBytesPerSec();
                double floorMs = bytes / bw * 1e3;
                String[] names = {"bit planes, biased unsigned, 4 rows (previous; CPUs without VBMI)", "base-3 lookup tables, vpermi2b (current)"};
                for (int j = 0; j < best.length; j++) {
                    System.out.printf("| %d | %s | %.3f | %.1f | %.1f | %.2f |%n", threads, names[j], best[j], bytes / best[j] / 1e6,
                            bw / 1e9, best[j] / floorMs);
                }
                System.out.printf("speed-up at %d thread(s): %.2fx%n", threads, best[0] / best[1]);
            }
        }
    }

    private static double[] measure(double seconds, Runnable[] passes) {
        double[] best = new double[passes.length];
        java.util.Arrays.fill(best, Double.MAX_VALUE);
        long end = System.nanoTime() + (long) (seconds * 1e9);
        for (int rep = 0; rep < 30 || System.nanoTime() < end; rep++) {      // at least 10 timed passes
            for (int j = 0; j < passes.length; j++) {
                long t0 = System.nanoTime();
                passes[j].run();
                if (rep >= 20) best[j] = Math.min(best[j], (System.nanoTime() - t0) / 1e6);   // first 20: warm-up / JIT
            }
        }
        return best;
    }
}
