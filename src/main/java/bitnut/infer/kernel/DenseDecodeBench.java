package bitnut.infer.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Random;

/*
 * Benchmark main: the non-ternary phases of one bitnut-133m decode step, previous kernel vs current,
 * ALTERNATING for the whole window so both see the same machine load; best time of each (load only
 * ever adds time), printed beside the bandwidth probe's best reading at the same thread count.
 *   attention  12 layers, nh 12 / nkv 4, hd 64, fp32 KV at context 128 (3.1 MB per token). The
 *              working set rotates over 16 independent caches (50 MB > the 32 MB L3), so the KV rows
 *              come from DRAM as in a real decode step (where 46 MB of weights pass through L3
 *              between two reads of a layer's cache), not from L3 as in DecodeKernelBench.
 *   lm_head    32768 x 768 in int8 (25 MB), bf16 (50 MB) or f32 (101 MB), rotating over 4 copies (the
 *              L3 holds none of them), beside a plain read of the same bytes (the probe's loop).
 * Run: java -Xmx5g @packaging/jvm-options -XX:+UseTransparentHugePages -cp 'target/bitnut.jar:target/lib/*' bitnut.infer.kernel.DenseDecodeBench [seconds] [parts]
 * (parts: any of attention,int8,bf16,f32; default attention,int8,bf16; -Dbitnut.bench.ctx=N sets the attention
 * context, -Dbitnut.bench.copies=1 keeps its cache in L3, -Dbitnut.bench.headCopies=N the number of head copies)
 */
public final class DenseDecodeBench {
    static final int L = 12, NH = 12, NKV = 4, HD = 64, G = NH / NKV, KV_DIM = NKV * HD;

    interface Pass { void run(ThreadTeam team, int copy); }

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        String parts = args.length > 1 ? args[1] : "attention,int8,bf16";
        MemoryBandwidth probe = MemoryBandwidth.standard();
        for (String part : parts.split(",")) {
            switch (part) {
                case "attention" -> attention(Integer.getInteger("bitnut.bench.ctx", 128), seconds, probe);
                case "int8" -> head(DenseMatrix.Precision.INT8, seconds, probe);
                case "bf16" -> head(DenseMatrix.Precision.BF16, seconds, probe);
                case "f32" -> head(DenseMatrix.Precision.F32, seconds, probe);
                default -> throw new IllegalArgumentException("unknown part " + part);
            }
        }
    }

    static void attention(int ctx, double seconds, MemoryBandwidth probe) {
        int copies = Integer.getInteger("bitnut.bench.copies", 16);
        Random rnd = new Random(3);
        // [copy][layer][ctx * KV_DIM]; the same numbers serve as position-major (previous) and head-major (current)
        float[][][] K = new float[copies][L][ctx * KV_DIM], V = new float[copies][L][ctx * KV_DIM];
        for (int c = 0; c < copies; c++) for (int l = 0; l < L; l++) for (int i = 0; i < ctx * KV_DIM; i++) {
            K[c][l][i] = (float) rnd.nextGaussian();
            V[c][l][i] = (float) rnd.nextGaussian();
        }
        float[] q = new float[NH * HD], att = new float[NH * HD];
        for (int i = 0; i < q.length; i++) q[i] = (float) rnd.nextGaussian();
        float[][] scores = new float[NKV][G * ctx];
        float scale = 0.125f;
        long bytes = 2L * L * ctx * KV_DIM * 4;
        // the current cache layout (KvCache): per kv head, tiled keys and row-major values, same numbers
        float[][][] Kt = new float[copies][L][], Vh = new float[copies][L][NKV * ctx * HD];
        int keyBlock = Attention.keyBlockSize(ctx, HD);
        for (int c = 0; c < copies; c++) for (int l = 0; l < L; l++) {
            Kt[c][l] = new float[NKV * keyBlock];
            for (int h = 0; h < NKV; h++) for (int p = 0; p < ctx; p++) for (int d = 0; d < HD; d++) {
                Kt[c][l][h * keyBlock + Attention.keyIndex(p, d, HD)] = K[c][l][p * KV_DIM + h * HD + d];
                Vh[c][l][(h * ctx + p) * HD + d] = V[c][l][p * KV_DIM + h * HD + d];
            }
        }
        String[] names = {"previous: position-major KV, dot + reduction per score, 1 chain per p.V slice",
                "current: per-head KV, tiled keys (no reductions), query heads 3 at a time"};
        Pass[] passes = {
                (team, c) -> { for (int l = 0; l < L; l++) { float[] Kl = K[c][l], Vl = V[c][l];
                    team.forRange(NKV, 1, (k0, k1) -> { for (int kh = k0; kh < k1; kh++)
                        gqaRowPrevious(q, kh * G * HD, G, HD, Kl, Vl, KV_DIM, kh * HD, ctx, scale, scores[kh], att, kh * G * HD); }); } },
                (team, c) -> { for (int l = 0; l < L; l++) { float[] Kl = Kt[c][l], Vl = Vh[c][l];
                    team.forRange(NKV, 1, (k0, k1) -> { for (int kh = k0; kh < k1; kh++)
                        Attention.gqaRow(q, kh * G * HD, G, HD, Kl, kh * keyBlock, Vl, kh * ctx * HD, ctx, scale, scores[kh], att, kh * G * HD); }); } },
        };
        System.out.printf("%ndecode attention, %d layers, context %d (%.2f MB fp32 KV per token, %d caches rotated: %.0f MB), %.1f s per thread count, alternating, best of each%n",
                L, ctx, bytes / 1e6, copies, copies * bytes / 1e6, seconds);
        run(passes, names, copies, bytes, seconds, probe);
    }

    static void head(DenseMatrix.Precision p, double seconds, MemoryBandwidth probe) {
        int rows = 32768, cols = 768, copies = Integer.getInteger("bitnut.bench.headCopies", 4);
        Random rnd = new Random(4);
        DenseMatrix[] m = new DenseMatrix[copies];
        float[] w = new float[rows * cols];
        for (int c = 0; c < copies; c++) {
            for (int i = 0; i < w.length; i++) w[i] = (float) rnd.nextGaussian() * 0.02f;
            m[c] = DenseMatrix.of(w, rows, cols, p);
        }
        float[] x = new float[m[0].stride];
        for (int i = 0; i < cols; i++) x[i] = (float) rnd.nextGaussian();
        float[] out = new float[rows];
        java.util.List<Pass> ps = new java.util.ArrayList<>();
        java.util.List<String> ns = new java.util.ArrayList<>();
        switch (p) {        // the previous kernel: row-major storage, one x load per row (int8 / bf16, until the sixth session)
            case INT8 -> {
                byte[][] rowMajor = new byte[copies][];
                for (int c = 0; c < copies; c++) rowMajor[c] = rowMajor((DenseMatrix.Int8) m[c]);
                ps.add((team, c) -> team.forRange(rows, 64, ThreadTeam.STREAMING, (a, b) -> {
                    DenseMatrix.Int8 q = (DenseMatrix.Int8) m[c];
                    for (int r = a; r < b; r += DenseMatrix.ROW_BLOCK) int8RowMajor(rowMajor[c], q.rowScale, q.stride, x, out, r, Math.min(r + DenseMatrix.ROW_BLOCK, b));
                }));
                ns.add("previous matVec (row-major int8: one load of x per 16 weights)");
            }
            case BF16 -> {
                int[][] rowMajor = new int[copies][];
                for (int c = 0; c < copies; c++) rowMajor[c] = rowMajor((DenseMatrix.Bf16) m[c]);
                ps.add((team, c) -> team.forRange(rows, 64, ThreadTeam.STREAMING, (a, b) -> {
                    DenseMatrix.Bf16 h = (DenseMatrix.Bf16) m[c];
                    float[] eo = h.split(x);
                    for (int r = a; r < b; r += DenseMatrix.ROW_BLOCK) bf16RowMajor(rowMajor[c], h.half, eo, out, r, Math.min(r + DenseMatrix.ROW_BLOCK, b));
                }));
                ns.add("previous matVec (row-major bf16: two loads of x per 32 weights)");
            }
            case F32 -> {
                ps.add((team, c) -> team.forRange(rows, 64, ThreadTeam.STREAMING, (a, b) -> f32Previous((DenseMatrix.F32) m[c], x, out, a, b)));
                ns.add("previous matVec (one call per range, `c + 2 * LANES <= stride` loops)");
            }
        }
        ps.add((team, c) -> team.forRange(rows, 64, ThreadTeam.STREAMING, (a, b) -> m[c].matVec(x, out, a, b)));
        ns.add("matVec (current)");
        ps.add((team, c) -> team.forRange(rows, 64, ThreadTeam.STREAMING, (a, b) -> readOnly(m[c], a, b)));
        ns.add("read only (sum of the weight bytes, no math)");
        Pass[] passes = ps.toArray(new Pass[0]);
        String[] names = ns.toArray(new String[0]);
        System.out.printf("%nlm_head %s %dx%d (%.1f MB, %d copies rotated), %.1f s per thread count, alternating, best of each%n",
                p, rows, cols, m[0].bytes() / 1e6, copies, seconds);
        run(passes, names, copies, m[0].bytes(), seconds, probe);
    }

    static void run(Pass[] passes, String[] names, int copies, long bytes, double seconds, MemoryBandwidth probe) {
        System.out.println("| threads | kernel | ms per token, best (median) | GB/s (best) | bandwidth probe GB/s | time / floor (best) |");
        System.out.println("|---|---|---|---|---|---|");
        for (int threads : new int[] {1, 2}) {
            try (ThreadTeam team = new ThreadTeam(threads)) {
                double[] best = new double[passes.length];
                java.util.Arrays.fill(best, Double.MAX_VALUE);
                double[][] all = new double[passes.length][1 << 16];
                int kept = 0;
                long end = System.nanoTime() + (long) (seconds * 1e9);
                int copy = 0;
                for (int rep = 0; rep < 40 || (System.nanoTime() < end && kept < all[0].length); rep++) {      // >= 10 timed passes
                    for (int j = 0; j < passes.length; j++) {
                        copy = (copy + 1) % copies;
                        long t0 = System.nanoTime();
                        passes[j].run(team, copy);
                        double ms = (System.nanoTime() - t0) / 1e6;
                        if (rep >= 30) {
                            best[j] = Math.min(best[j], ms);
                            all[j][kept] = ms;
                        }
                    }
                    if (rep >= 30) kept++;
                }
                double bw = probe.measure(team, 5).bestBytesPerSec();
                double floorMs = bytes / bw * 1e3;
                for (int j = 0; j < passes.length; j++) {
                    double[] sorted = java.util.Arrays.copyOf(all[j], kept);
                    java.util.Arrays.sort(sorted);
                    double median = sorted[kept / 2];
                    System.out.printf("| %d | %s | %.3f (%.3f) | %.1f | %.1f | %.2f |%n", threads, names[j], best[j], median, bytes / best[j] / 1e6, bw / 1e9, best[j] / floorMs);
                }
            }
        }
        System.out.printf("load average %.2f%n", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    static int sink;

    /** Streams the weight array of rows [a, b) with the probe's kind of loop (what reading alone costs). */
    static void readOnly(DenseMatrix m, int a, int b) {
        switch (m) {
            case DenseMatrix.Bf16 bf -> sink += MemoryBandwidth.sum(bf.data, a * bf.half, b * bf.half);
            case DenseMatrix.Int8 i8 -> sink += sumBytes(i8.data, a * i8.stride, b * i8.stride);
            case DenseMatrix.F32 f -> sink += sumFloats(f.data, a * f.stride, b * f.stride);
        }
    }

    static int sumBytes(byte[] d, int a, int b) {
        VectorSpecies<Byte> S = ByteVector.SPECIES_PREFERRED;
        ByteVector s0 = ByteVector.zero(S), s1 = ByteVector.zero(S), s2 = ByteVector.zero(S), s3 = ByteVector.zero(S);
        int n = S.length(), i = a;
        for (; i + 4 * n <= b; i += 4 * n) {
            s0 = s0.add(ByteVector.fromArray(S, d, i));
            s1 = s1.add(ByteVector.fromArray(S, d, i + n));
            s2 = s2.add(ByteVector.fromArray(S, d, i + 2 * n));
            s3 = s3.add(ByteVector.fromArray(S, d, i + 3 * n));
        }
        return s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
    }

    static int sumFloats(float[] d, int a, int b) {
        FloatVector s0 = FloatVector.zero(Attention.F), s1 = FloatVector.zero(Attention.F);
        int n = Attention.LANES, i = a;
        for (; i + 2 * n <= b; i += 2 * n) {
            s0 = s0.add(FloatVector.fromArray(Attention.F, d, i));
            s1 = s1.add(FloatVector.fromArray(Attention.F, d, i + n));
        }
        return (int) s0.add(s1).reduceLanes(VectorOperators.ADD);
    }

    /** The f32 lm_head kernel as it was before this benchmark (kept for the comparison). */
    static void f32Previous(DenseMatrix.F32 f, float[] x, float[] out, int r0, int r1) {
        for (int r = r0; r < r1; r++) {
            int base = r * f.stride;
            FloatVector a0 = FloatVector.zero(DenseMatrix.F), a1 = FloatVector.zero(DenseMatrix.F);
            int c = 0;
            for (; c + 2 * DenseMatrix.LANES <= f.stride; c += 2 * DenseMatrix.LANES) {
                a0 = FloatVector.fromArray(DenseMatrix.F, f.data, base + c).fma(FloatVector.fromArray(DenseMatrix.F, x, c), a0);
                a1 = FloatVector.fromArray(DenseMatrix.F, f.data, base + c + DenseMatrix.LANES).fma(FloatVector.fromArray(DenseMatrix.F, x, c + DenseMatrix.LANES), a1);
            }
            for (; c < f.stride; c += DenseMatrix.LANES) a0 = FloatVector.fromArray(DenseMatrix.F, f.data, base + c).fma(FloatVector.fromArray(DenseMatrix.F, x, c), a0);
            out[r] = a0.add(a1).reduceLanes(VectorOperators.ADD);
        }
    }

    /** The int8 weights of m row-major ([rows][stride]), as the int8 head stored them before the sixth session. */
    static byte[] rowMajor(DenseMatrix.Int8 m) {
        byte[] d = new byte[m.rows * m.stride];
        for (int r = 0; r < m.rows; r++) for (int c = 0; c < m.cols; c++) d[r * m.stride + c] = m.data[m.at(r, c)];
        return d;
    }

    /** The bf16 weights of m row-major ([rows][half] ints, two bf16 each), as stored before the sixth session. */
    static int[] rowMajor(DenseMatrix.Bf16 m) {
        int[] d = new int[m.rows * m.half];
        for (int r = 0; r < m.rows; r++) for (int j = 0; j < m.half; j++) d[r * m.half + j] = m.data[m.at(r, j)];
        return d;
    }

    /** The bf16 lm_head kernel on row-major storage (until the sixth session): each x load serves one row. */
    static void bf16RowMajor(int[] data, int half, float[] eo, float[] out, int r0, int r1) {
        for (int r = r0; r < r1; r++) {
            int base = r * half;
            FloatVector a0 = FloatVector.zero(DenseMatrix.F), a1 = FloatVector.zero(DenseMatrix.F);
            for (int j = 0; j < half; j += DenseMatrix.LANES) {
                IntVector v = IntVector.fromArray(DenseMatrix.I, data, base + j);
                a0 = DenseMatrix.Bf16.even(v).fma(FloatVector.fromArray(DenseMatrix.F, eo, j), a0);
                a1 = DenseMatrix.Bf16.odd(v).fma(FloatVector.fromArray(DenseMatrix.F, eo, half + j), a1);
            }
            out[r] = VectorMath.sum(a0.add(a1));
        }
    }

    /** The int8 lm_head kernel on row-major storage (until the sixth session): each x load serves one row. */
    static void int8RowMajor(byte[] data, float[] rowScale, int stride, float[] x, float[] out, int r0, int r1) {
        final int lanes = DenseMatrix.LANES;
        for (int r = r0; r < r1; r++) {
            int base = r * stride;
            FloatVector a0 = FloatVector.zero(DenseMatrix.F), a1 = FloatVector.zero(DenseMatrix.F);
            for (int c = 0; c < stride; c += 2 * lanes) {
                a0 = DenseMatrix.Int8.widen(data, base + c).fma(FloatVector.fromArray(DenseMatrix.F, x, c), a0);
                a1 = DenseMatrix.Int8.widen(data, base + c + lanes).fma(FloatVector.fromArray(DenseMatrix.F, x, c + lanes), a1);
            }
            out[r] = VectorMath.sum(a0.add(a1)) * rowScale[r];
        }
    }

    /** The previous Attention.gqaRow (one accumulator per (head, slice), innermost loop over p), kept for the comparison. */
    static void gqaRowPrevious(float[] q, int qOff, int g, int hd, float[] K, float[] V, int kvDim, int kvOff, int n,
                               float scale, float[] scores, float[] out, int outOff) {
        for (int p = 0; p < n; p++) {
            int kb = p * kvDim + kvOff;
            for (int j = 0; j < g; j++) {
                FloatVector acc = FloatVector.zero(Attention.F);
                for (int i = 0; i < hd; i += Attention.LANES) acc = FloatVector.fromArray(Attention.F, q, qOff + j * hd + i)
                        .fma(FloatVector.fromArray(Attention.F, K, kb + i), acc);
                scores[j * n + p] = acc.reduceLanes(VectorOperators.ADD) * scale;
            }
        }
        for (int j = 0; j < g; j++) {
            int sb = j * n;
            float max = Float.NEGATIVE_INFINITY;
            for (int p = 0; p < n; p++) max = Math.max(max, scores[sb + p]);
            FloatVector sumV = FloatVector.zero(Attention.F);
            int i = 0;
            for (int bound = Attention.F.loopBound(n); i < bound; i += Attention.LANES) {
                FloatVector e = FloatVector.fromArray(Attention.F, scores, sb + i).sub(max)
                        .lanewise(VectorOperators.EXP);
                e.intoArray(scores, sb + i);
                sumV = sumV.add(e);
            }
            float sum = sumV.reduceLanes(VectorOperators.ADD);
            for (; i < n; i++) { scores[sb + i] = (float) Math.exp(scores[sb + i] - max); sum += scores[sb + i]; }
            float inv = 1f / sum;
            for (int c = 0; c < hd; c += Attention.LANES) {
                FloatVector acc = FloatVector.zero(Attention.F);
                for (int p = 0; p < n; p++) {
                    acc = FloatVector.fromArray(Attention.F, V, p * kvDim + kvOff + c)
                            .fma(FloatVector.broadcast(Attention.F, scores[sb + p]), acc);
                }
                acc.mul(inv).intoArray(out, outOff + j * hd + c);
            }
        }
    }
}
