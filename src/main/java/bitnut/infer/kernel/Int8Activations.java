package bitnut.infer.kernel;

/*
 * Int8 activations of T tokens, quantized per token exactly as training (bitnet-spec.md §3.2):
 *   a = max(max_k |x_k|, 1e-5);  s = 127 / a;  xq = clip(rint(x * s), -128, 127)
 * in fp32, with Math.rint = round-half-to-even (torch.round), not Math.round (half-up).
 *
 * Layout: token t occupies q[t * stride .. t * stride + K), stride = K rounded up to 64 (the
 * TernaryMatrix word size), zero past K. The kernels also want -xq (neg), so "x where the weight is
 * -1" is a plain masked select instead of a subtraction. |x * s| <= 127 by construction (s scales
 * the absmax to 127), so -128 never occurs and the negation cannot overflow a byte.
 * scale[t] holds s: a matmul result dequantizes as acc * m / s.
 * qb / nb are q + 128 and -q + 128 as UNSIGNED bytes (1 .. 255): the decode kernel sums them with
 * unsigned 16-bit tricks and subtracts 128 per nonzero weight afterwards (see TernaryMatMul.matVec).
 * f is the same values as fp32 (int8 is exact in fp32) for the prefill GEMM, TernaryGemm; its token
 * count is rounded up to TOKEN_BLOCK so the GEMM's 4-token blocks never read past the array.
 */
public final class Int8Activations {
    public static final float EPS = 1e-5f;

    public final int cols;       // K
    public final int stride;     // K rounded up to 64
    public final int capacity;   // tokens this buffer holds
    public final byte[] q;       // [capacity][stride]
    public final byte[] neg;     // -q
    public final float[] scale;  // s per token
    final byte[] qb;             // q + 128 as unsigned bytes (q ^ 0x80), for TernaryMatMul.matVec
    final byte[] nb;             // -q + 128 as unsigned bytes
    /** Tokens per block of the prefill GEMM (TernaryGemm): f holds capacity rounded up to it. */
    public static final int TOKEN_BLOCK = 4;
    final float[] f;             // [ceil(capacity/4)*4][stride] fp32 copy of q (exact), for TernaryGemm
    int tokens;                  // tokens quantized in the current batch

    public Int8Activations(int cols, int capacity) {
        this.cols = cols;
        this.stride = (cols + 63) & ~63;
        this.capacity = capacity;
        q = new byte[Math.multiplyExact(stride, capacity)];
        neg = new byte[q.length];
        qb = new byte[q.length];
        nb = new byte[q.length];
        scale = new float[capacity];
        int blocks = (capacity + TOKEN_BLOCK - 1) / TOKEN_BLOCK;
        f = new float[Math.multiplyExact(Math.multiplyExact(stride, blocks), TOKEN_BLOCK)];
    }

    /** Number of tokens of the current batch (set by quantize calls through {@link #setTokens}). */
    public int tokens() { return tokens; }

    public void setTokens(int t) {
        if (t < 0 || t > capacity) throw new IllegalArgumentException("tokens " + t + " outside [0, " + capacity + "]");
        tokens = t;
    }

    /** Quantizes x[off .. off+K) as token t; returns s. */
    public float quantize(int t, float[] x, int off) {
        float s = quantize(x, off, cols, q, t * stride);
        int base = t * stride;
        for (int i = 0; i < cols; i++) {
            neg[base + i] = (byte) -q[base + i];
            qb[base + i] = (byte) (q[base + i] ^ 0x80);
            nb[base + i] = (byte) (neg[base + i] ^ 0x80);
            f[base + i] = q[base + i];
        }
        scale[t] = s;
        return s;
    }

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
