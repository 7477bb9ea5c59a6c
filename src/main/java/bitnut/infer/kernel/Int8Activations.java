package bitnut.infer.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/*
 * Int8 activations of T tokens, quantized per token exactly as training (bitnet-spec.md §3.2):
 *   a = max(max_k |x_k|, 1e-5);  s = 127 / a;  xq = clip(rint(x * s), -128, 127)
 * in fp32, with Math.rint = round-half-to-even (torch.round), not Math.round (half-up).
 *
 * Layout: token t occupies q[t * stride .. t * stride + K), stride = K rounded up to 64, zero past
 * K (so the kernels' padded groups read zeros). |x * s| <= 127 by construction (s scales the absmax
 * to 127), so -128 never occurs. scale[t] holds s: a matmul result dequantizes as acc * m / s.
 * The lookup decode kernel reads each token through its tables (tables(t), TernaryMatMul.buildTables),
 * built on first use after each quantize; the bit-plane kernel reads qb / nb, q + 128 and -q + 128 as
 * unsigned bytes (1 .. 255), summed with unsigned 16-bit tricks (BitPlaneKernel). f is the same values as fp32 (int8 is exact in fp32) for the prefill GEMM, TernaryGemm; its token
 * count is rounded up to TOKEN_BLOCK so the GEMM's 4-token blocks never read past the array.
 */
public final class Int8Activations {
    public static final float EPS = 1e-5f;

    public final int cols;       // K
    public final int stride;     // K rounded up to 64
    public final int capacity;   // tokens this buffer holds
    public final byte[] q;       // [capacity][stride]
    public final float[] scale;  // s per token
    final byte[] qb;             // q + 128 as unsigned bytes (q ^ 0x80), for BitPlaneKernel
    final byte[] nb;             // -q + 128 as unsigned bytes
    /** Tokens per block of the prefill GEMM (TernaryGemm): f holds capacity rounded up to it. */
    public static final int TOKEN_BLOCK = 4;
    final float[] f;             // [ceil(capacity/4)*4][stride] fp32 copy of q (exact), for TernaryGemm
    int tokens;                  // tokens quantized in the current batch

    // The lookup kernel's tables (TernaryMatMul.buildTables), [capacity][groups * 256], built on first
    // use after each quantize by EACH ThreadTeam participant into its own copy: one thread building them
    // while the other waited, then pulled them across cores, made down_proj (147 KB of tables) slower
    // on 2 threads than on 1 (0.51 vs 0.38 ms per token, idle box); a build is 1-3 us.
    final int groups;                                     // TernaryMatrix.groupsOf(cols)
    private final int lutBytes;                           // one participant's copy: capacity * groups * 256
    private final int[] quantized;                        // per token: bumped by every quantize
    private final byte[][] luts = new byte[ThreadTeam.MAX_THREADS][];   // per participant
    private final int[][] lutOf = new int[ThreadTeam.MAX_THREADS][];    // per participant and token: the quantize its tables match

    public Int8Activations(int cols, int capacity) {
        this.cols = cols;
        this.stride = (cols + 63) & ~63;
        this.capacity = capacity;
        q = new byte[Math.multiplyExact(stride, capacity)];
        scale = new float[capacity];
        qb = new byte[q.length];
        nb = new byte[q.length];
        int blocks = (capacity + TOKEN_BLOCK - 1) / TOKEN_BLOCK;
        f = new float[Math.multiplyExact(Math.multiplyExact(stride, blocks), TOKEN_BLOCK)];
        groups = TernaryMatrix.groupsOf(cols);
        lutBytes = Math.multiplyExact(Math.multiplyExact(groups, TernaryMatMul.TABLE_BYTES), capacity);
        quantized = new int[capacity];
        java.util.Arrays.fill(quantized, 1);
    }

    /**
     * Token t's lookup tables for TernaryMatMul.matVec, in the calling ThreadTeam participant's own copy
     * (at {@link #lutOffset}); built there on first use after each quantize. Participants touch only
     * their own slot, so no locks.
     */
    byte[] tables(int t) {
        int p = ThreadTeam.participant();
        byte[] lut = luts[p];
        int[] built = lutOf[p];
        if (lut == null) {
            lut = luts[p] = new byte[lutBytes];
            built = lutOf[p] = new int[capacity];
        }
        if (built[t] != quantized[t]) {
            TernaryMatMul.buildTables(q, t * stride, groups, lut, lutOffset(t));
            built[t] = quantized[t];
        }
        return lut;
    }

    /** Forces the next tables(t) of every token to rebuild (benchmarks: as if each token were quantized again). */
    void invalidateTables() {
        for (int t = 0; t < capacity; t++) quantized[t]++;
    }

    int lutOffset(int t) { return t * groups * TernaryMatMul.TABLE_BYTES; }

    /** Number of tokens of the current batch (set by quantize calls through {@link #setTokens}). */
    public int tokens() { return tokens; }

    public void setTokens(int t) {
        if (t < 0 || t > capacity) throw new IllegalArgumentException("tokens " + t + " outside [0, " + capacity + "]");
        tokens = t;
    }

    /**
     * Quantizes x[off .. off+K) as token t (vector kernel; the static {@link #quantize(float[], int, int, byte[], int)}
     * is its scalar reference) and fills the fp32 copy f; returns s. Its lookup tables are built on first use (tables).
     * Rounding: y + 1.5 * 2^23 - 1.5 * 2^23 in fp32 is round-half-to-even for |y| < 2^22 (here <= 127),
     * i.e. exactly Math.rint of the same fp32 product, so the result is bit-identical to the reference.
     */
    public float quantize(int t, float[] x, int off) {
        int base = t * stride, n = cols;
        FloatVector mx = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) mx = mx.max(FloatVector.fromArray(F, x, off + i).abs());
        float amax = mx.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) amax = Math.max(amax, Math.abs(x[off + i]));
        float s = 127f / Math.max(amax, EPS);
        i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector r = FloatVector.fromArray(F, x, off + i).mul(s).add(RNE).sub(RNE).max(-128f).min(127f);
            r.intoArray(f, base + i);
            ByteVector b = (ByteVector) r.convertShape(VectorOperators.F2B, B, 0);
            b.intoArray(q, base + i);
            b.lanewise(VectorOperators.XOR, (byte) 0x80).intoArray(qb, base + i);
            b.neg().lanewise(VectorOperators.XOR, (byte) 0x80).intoArray(nb, base + i);
        }
        for (; i < n; i++) {
            double r = Math.rint(x[off + i] * s);
            byte v = (byte) Math.max(-128, Math.min(127, r));
            q[base + i] = v;
            qb[base + i] = (byte) (v ^ 0x80);
            nb[base + i] = (byte) (((byte) -v) ^ 0x80);
            f[base + i] = v;
        }
        scale[t] = s;
        quantized[t]++;
        return s;
    }

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();
    /** A byte species with as many lanes as F (16 on AVX-512, 8 on AVX2), for F2B. */
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, jdk.incubator.vector.VectorShape.forBitSize(LANES * 8));
    private static final float RNE = 12582912f;            // 1.5 * 2^23

    /** The quantizer itself: writes n int8 values into dst[dOff ..], returns s = 127 / absmax. */
    public static float quantize(float[] x, int off, int n, byte[] dst, int dOff) {
        float amax = 0f;
        for (int i = 0; i < n; i++) amax = Math.max(amax, Math.abs(x[off + i]));
        float s = 127f / Math.max(amax, EPS);
        for (int i = 0; i < n; i++) {
            double r = Math.rint(x[off + i] * s);
            dst[dOff + i] = (byte) Math.max(-128, Math.min(127, r));
        }
        return s;
    }
}
