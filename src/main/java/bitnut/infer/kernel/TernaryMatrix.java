package bitnut.infer.kernel;

/*
 * TernaryMatrix: one BitLinear weight W[N, K] with codes in {-1, 0, +1}, packed at exactly 2 bits per
 * weight for the inference kernels, in one of two layouts (Layout.DEFAULT picks by CPU):
 *
 * LOOKUP_TILES (CPUs with AVX-512 VBMI): four codes per byte as one base-3 number, the index of a
 * lookup-table kernel (T-MAC / bitnet.cpp "TL" style, bitnet-spec.md §3.6; see TernaryMatMul.matVec).
 * Row tiles, chosen so one 64-byte vector holds the same 4 columns of 64 rows:
 *   tiles = ceil(N / 64), groups = ceil(K / 4) rounded up to even (the kernel takes groups in pairs)
 *   idx[(tile * groups + g) * 64 + lane(r)] = sum_{j<4} (W[64 tile + r, 4 g + j] + 1) * 3^j     in [0, 80]
 * Rows past N and columns past K hold code 0 (index 40 = all zero), so every tile and group is full.
 * Row r of a tile sits at byte lane lane(r): rows 0..31 in the even lanes, 32..63 in the odd ones,
 * because the kernel sums even and odd byte lanes apart (as int16 lanes) and so gets each half of
 * the tile's rows back in row order, ready to convert 16 at a time, with no shuffle.
 * A tile is one contiguous run of groups * 64 bytes (K/4 bytes per row): a decode step streams each
 * weight byte exactly once, in order.
 *
 * BIT_PLANES (every other CPU; BitPlaneKernel): two bit-planes per 64-column word, row after row:
 *   planes[(n * words + w) * 2] bit j set <=> W[n, 64w + j] = +1, planes[... + 1] <=> = -1,
 *   words = ceil(K / 64); a plane word is directly a 64-lane VectorMask (fast path (c) of the spec).
 * On a CPU without vpermi2b the lookup kernel has only a scalar table walk, 20x slower than the
 * bit-plane kernel's masked selects, so such CPUs keep the bit planes.
 *
 * `scale` is m = mean|W| of the latent matrix (the autobitlinear "multiply" convention):
 *   y[n] = m / s_x * sum_k W[n,k] * xq[k].
 */
public final class TernaryMatrix {
    public static final int TILE = 64;          // rows per tile = byte lanes of a 512-bit vector
    static final int ZERO_INDEX = 40;           // 1 + 3 + 9 + 27: four zero codes

    /** How the codes are packed (both 2 bits per weight). */
    public enum Layout {
        LOOKUP_TILES, BIT_PLANES;
        /** The layout whose kernel is fastest on this CPU. */
        public static Layout best() { return TernaryMatMul.VECTOR_LOOKUP ? LOOKUP_TILES : BIT_PLANES; }
    }

    public final Layout layout;
    public final int rows;      // N (out_features)
    public final int cols;      // K (in_features)
    public final int tiles;     // ceil(N / 64)
    public final int groups;    // ceil(K / 4), rounded up to even
    public final int words;     // ceil(K / 64)
    public final float scale;   // m = mean|W| (multiply convention)
    final byte[] idx;           // LOOKUP_TILES: [tiles][groups][64] base-3 indices, else null
    final long[] planes;        // BIT_PLANES: [N][words][2] (plus, minus), else null
    final int[] nonzero;        // BIT_PLANES: [N] nonzero codes per row (the bit-plane kernel's bias correction)

    private TernaryMatrix(int rows, int cols, float scale, byte[] idx, long[] planes) {
        this.layout = idx != null ? Layout.LOOKUP_TILES : Layout.BIT_PLANES;
        this.rows = rows;
        this.cols = cols;
        this.tiles = tilesOf(rows);
        this.groups = groupsOf(cols);
        this.words = (cols + 63) >>> 6;
        this.scale = scale;
        this.idx = idx;
        this.planes = planes;
        if (planes == null) {
            this.nonzero = null;
        } else {
            this.nonzero = new int[rows];
            for (int n = 0; n < rows; n++) {
                int c = 0;
                for (int i = n * words * 2; i < (n + 1) * words * 2; i++) c += Long.bitCount(planes[i]);
                nonzero[n] = c;
            }
        }
    }

    static int tilesOf(int rows) { return (rows + TILE - 1) / TILE; }

    /** LOOKUP_TILES: the byte lane of a tile's row r (even lanes: rows 0..31, odd lanes: rows 32..63). */
    static int lane(int r) { return r < 32 ? 2 * r : 2 * r - 63; }

    /** LOOKUP_TILES: the tile row in byte lane l (the inverse of lane). */
    static int rowOfLane(int l) { return (l & 1) * 32 + (l >> 1); }

    static int groupsOf(int cols) { return ((cols + 3) / 4 + 1) & ~1; }

    /** Packs row-major codes {@code codes[n * K + k]} in {-1, 0, 1} in this CPU's best layout. */
    public static TernaryMatrix fromCodes(byte[] codes, int rows, int cols, float scale) {
        return fromCodes(codes, rows, cols, scale, Layout.best());
    }

    /** Packs row-major codes in the given layout (tests and benchmarks use both). */
    public static TernaryMatrix fromCodes(byte[] codes, int rows, int cols, float scale, Layout layout) {
        if (rows <= 0 || cols <= 0) throw new IllegalArgumentException("bad shape [" + rows + ", " + cols + "]");
        if ((long) rows * cols != codes.length) {
            throw new IllegalArgumentException("codes has " + codes.length + " values, shape [" + rows + ", " + cols + "] needs "
                    + (long) rows * cols);
        }
        return layout == Layout.BIT_PLANES ? planes(codes, rows, cols, scale) : tiles(codes, rows, cols, scale);
    }

    private static TernaryMatrix planes(byte[] codes, int rows, int cols, float scale) {
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
        return new TernaryMatrix(rows, cols, scale, null, planes);
    }

    private static TernaryMatrix tiles(byte[] codes, int rows, int cols, float scale) {
        int tiles = tilesOf(rows), groups = groupsOf(cols);
        byte[] idx = new byte[Math.multiplyExact(Math.multiplyExact(tiles, groups), TILE)];
        java.util.Arrays.fill(idx, (byte) ZERO_INDEX);
        for (int n = 0; n < rows; n++) {
            int base = (n / TILE) * groups * TILE + lane(n % TILE);
            for (int g = 0; g * 4 < cols; g++) {
                int v = 0;
                for (int j = 3; j >= 0; j--) {
                    int k = 4 * g + j;
                    int c = k < cols ? codes[n * cols + k] : 0;
                    if (c < -1 || c > 1) throw new IllegalArgumentException("code " + c + " at [" + n + ", " + k + "] is not ternary");
                    v = 3 * v + c + 1;
                }
                idx[base + g * TILE] = (byte) v;
            }
        }
        return new TernaryMatrix(rows, cols, scale, idx, null);
    }

    /**
     * Quantizes a latent weight matrix exactly as training does (bitnet-spec.md §3.1):
     * m = max(mean|W|, 1e-5), code = clip(rint(W * (1/m)), -1, 1), as HF WeightQuant writes it
     * (multiply by the fp32 reciprocal, so ties round exactly as there). Mean accumulated in double.
     */
    public static TernaryMatrix quantize(float[] w, int rows, int cols) {
        return quantize(w, rows, cols, Layout.best());
    }

    /** The same, packed in the given layout. */
    public static TernaryMatrix quantize(float[] w, int rows, int cols, Layout layout) {
        double sum = 0;
        for (float v : w) sum += Math.abs(v);
        float m = Math.max((float) (sum / w.length), 1e-5f);
        float sw = 1f / m;
        byte[] codes = new byte[w.length];
        for (int i = 0; i < w.length; i++) {
            double q = Math.rint(w[i] * sw);
            codes[i] = (byte) Math.max(-1, Math.min(1, q));
        }
        return fromCodes(codes, rows, cols, m, layout);
    }

    /** The base-3 index byte holding W[n, 4g .. 4g+3]. */
    int index(int n, int g) { return idx[((n / TILE) * groups + g) * TILE + lane(n % TILE)]; }

    /** The code of W[n, k]: -1, 0 or +1. */
    public int code(int n, int k) {
        if (planes != null) {
            int at = (n * words + (k >>> 6)) * 2;
            long bit = 1L << (k & 63);
            return (planes[at] & bit) != 0 ? 1 : (planes[at + 1] & bit) != 0 ? -1 : 0;
        }
        int v = index(n, k >>> 2);
        for (int j = k & 3; j > 0; j--) v /= 3;
        return v % 3 - 1;
    }

    /** All codes row-major (for export and tests). */
    public byte[] codes() {
        byte[] out = new byte[rows * cols];
        for (int n = 0; n < rows; n++) for (int k = 0; k < cols; k++) out[n * cols + k] = (byte) code(n, k);
        return out;
    }

    /** Bytes of packed weights (what a decode step streams from memory), padding included. */
    public long packedBytes() { return idx != null ? idx.length : (long) planes.length * Long.BYTES; }
}
