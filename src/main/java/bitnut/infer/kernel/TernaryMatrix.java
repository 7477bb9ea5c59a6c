package bitnut.infer.kernel;

/*
 * TernaryMatrix: one BitLinear weight W[N, K] with codes in {-1, 0, +1}, packed at 2 bits per weight
 * for the inference kernels (bitnet-spec.md §3.6, fast path (c): "two bit-planes per row").
 *
 * Layout (K-contiguous, chosen for the Vector API):
 *   words = ceil(K / 64); for row n and word w (columns 64w .. 64w+63):
 *     planes[(n * words + w) * 2    ] bit j set  <=>  W[n, 64w + j] == +1
 *     planes[(n * words + w) * 2 + 1] bit j set  <=>  W[n, 64w + j] == -1
 *   Bits past K are zero, so activation buffers only need to be words*64 long (zero padding is not
 *   even required: unset mask lanes never contribute).
 * The two planes of one word sit next to each other, so a row is one sequential stream of
 * 2 * words longs (K/4 bytes): the decode step reads every weight byte exactly once.
 * A 16-bit slice of a plane is exactly a VectorMask for 16 float lanes (AVX-512), so the kernel is
 * "acc += x where plus; acc -= x where minus" with no decode arithmetic at all.
 *
 * `scale` is m = mean|W| of the latent matrix (the autobitlinear "multiply" convention):
 *   y[n] = m / s_x * sum_k W[n,k] * xq[k].
 */
public final class TernaryMatrix {
    public final int rows;      // N (out_features)
    public final int cols;      // K (in_features)
    public final int words;     // ceil(K / 64) longs per plane per row
    public final float scale;   // m = mean|W| (multiply convention)
    final long[] planes;        // [N][words][2] (plus, minus)
    final int[] nonzero;        // [N] count of nonzero codes per row (the decode kernel's bias correction)

    private TernaryMatrix(int rows, int cols, float scale, long[] planes) {
        this.rows = rows;
        this.cols = cols;
        this.words = (cols + 63) >>> 6;
        this.scale = scale;
        this.planes = planes;
        this.nonzero = new int[rows];
        for (int n = 0; n < rows; n++) {
            int c = 0;
            for (int i = n * words * 2; i < (n + 1) * words * 2; i++) c += Long.bitCount(planes[i]);
            nonzero[n] = c;
        }
    }

    /** Packs row-major codes {@code codes[n * K + k]} in {-1, 0, 1}. */
    public static TernaryMatrix fromCodes(byte[] codes, int rows, int cols, float scale) {
        if (rows <= 0 || cols <= 0) throw new IllegalArgumentException("bad shape [" + rows + ", " + cols + "]");
        if ((long) rows * cols != codes.length) {
            throw new IllegalArgumentException("codes has " + codes.length + " values, shape [" + rows + ", " + cols + "] needs "
                    + (long) rows * cols);
        }
        int words = (cols + 63) >>> 6;
        long[] planes = new long[Math.multiplyExact(Math.multiplyExact(rows, words), 2)];
        for (int n = 0; n < rows; n++) {
            for (int k = 0; k < cols; k++) {
                byte c = codes[n * cols + k];
                int at = (n * words + (k >>> 6)) * 2;
                long bit = 1L << (k & 63);
                switch (c) {
                    case 1 -> planes[at] |= bit;
                    case -1 -> planes[at + 1] |= bit;
                    case 0 -> { }
                    default -> throw new IllegalArgumentException("code " + c + " at [" + n + ", " + k + "] is not ternary");
                }
            }
        }
        return new TernaryMatrix(rows, cols, scale, planes);
    }

    /**
     * Quantizes a latent weight matrix exactly as training does (bitnet-spec.md §3.1):
     * m = max(mean|W|, 1e-5), code = clip(rint(W * (1/m)), -1, 1), as HF WeightQuant writes it
     * (multiply by the fp32 reciprocal, so ties round exactly as there). Mean accumulated in double.
     */
    public static TernaryMatrix quantize(float[] w, int rows, int cols) {
        double sum = 0;
        for (float v : w) sum += Math.abs(v);
        float m = Math.max((float) (sum / w.length), 1e-5f);
        float sw = 1f / m;
        byte[] codes = new byte[w.length];
        for (int i = 0; i < w.length; i++) {
            double q = Math.rint(w[i] * sw);
            codes[i] = (byte) Math.max(-1, Math.min(1, q));
        }
        return fromCodes(codes, rows, cols, m);
    }

    /** The code of W[n, k]: -1, 0 or +1. */
    public int code(int n, int k) {
        int at = (n * words + (k >>> 6)) * 2;
        long bit = 1L << (k & 63);
        if ((planes[at] & bit) != 0) return 1;
        if ((planes[at + 1] & bit) != 0) return -1;
        return 0;
    }

    /** All codes row-major (for export and tests). */
    public byte[] codes() {
        byte[] out = new byte[rows * cols];
        for (int n = 0; n < rows; n++) for (int k = 0; k < cols; k++) out[n * cols + k] = (byte) code(n, k);
        return out;
    }

    /** Length an activation buffer must have: K rounded up to 64. */
    public int paddedCols() { return words * 64; }

    /** Bytes of packed weights (what a decode step streams from memory). */
    public long packedBytes() { return (long) planes.length * Long.BYTES; }
}
