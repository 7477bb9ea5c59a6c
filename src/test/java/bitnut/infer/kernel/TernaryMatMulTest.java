package bitnut.infer.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Vector kernels against their scalar references: random shapes, ragged tails, +-127 extremes. */
class TernaryMatMulTest {
    private static final int[][] SHAPES = {{1, 1}, {3, 63}, {4, 64}, {5, 65}, {17, 127}, {32, 128}, {33, 200}, {64, 768}, {7, 2304}, {12, 2304}, {6, 16_500}};

    static byte[] randomCodes(Random rnd, int n) {
        byte[] c = new byte[n];
        for (int i = 0; i < n; i++) c[i] = (byte) (rnd.nextInt(3) - 1);
        return c;
    }

    static float[] randomQuant(Random rnd, int n, int padded) {
        float[] x = new float[padded];
        for (int i = 0; i < n; i++) x[i] = rnd.nextInt(255) - 127;
        return x;
    }

    @Test
    void packedCodesRoundTrip() {
        Random rnd = new Random(1);
        for (int[] s : SHAPES) {
            byte[] codes = randomCodes(rnd, s[0] * s[1]);
            for (TernaryMatrix.Layout layout : TernaryMatrix.Layout.values()) {
                TernaryMatrix w = TernaryMatrix.fromCodes(codes, s[0], s[1], 1f, layout);
                assertArrayEquals(codes, w.codes(), layout + " " + s[0] + "x" + s[1]);
                assertEquals(layout, w.layout);
            }
        }
    }

    static Int8Activations randomActivations(Random rnd, int k, int tokens) {
        Int8Activations x = new Int8Activations(k, tokens);
        float[] v = new float[k];
        for (int t = 0; t < tokens; t++) {
            for (int i = 0; i < k; i++) v[i] = (float) rnd.nextGaussian() * (1 + t);
            x.quantize(t, v, 0);
        }
        x.setTokens(tokens);
        return x;
    }

    @Test
    void vectorMatchesReferenceBitForBitIncludingRaggedTokenTails() {
        Random rnd = new Random(2);
        for (int tokens : new int[] {1, 3, 4, 5, 9}) {
            for (int[] s : SHAPES) for (TernaryMatrix.Layout layout : TernaryMatrix.Layout.values()) {
                TernaryMatrix w = TernaryMatrix.fromCodes(randomCodes(rnd, s[0] * s[1]), s[0], s[1], 0.05f, layout);
                Int8Activations x = randomActivations(rnd, s[1], tokens);
                int ldo = s[0] + 3;
                float[] fast = new float[ldo * tokens], ref = new float[ldo * tokens];
                TernaryMatMul.matMul(w, x, fast, ldo, 2, 0, s[0]);
                TernaryMatMul.matMulReference(w, x, ref, ldo, 2, 0, s[0]);
                assertArrayEquals(ref, fast, 0f, tokens + " tokens, shape " + s[0] + "x" + s[1]);
                // batched == one matVec per token (prefill and decode give the same numbers)
                for (int t = 0; t < tokens; t++) {
                    float[] one = new float[s[0]];
                    TernaryMatMul.matVec(w, x, t, one, 0, 0, s[0]);
                    for (int r = 0; r < s[0]; r++) assertEquals(one[r], fast[t * ldo + 2 + r]);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TernaryMatrix.Layout.class)
    void extremesAreExactUpToAndBeyondTheInt16FlushBlock(TernaryMatrix.Layout layout) {
        // +-127 activations against all +1 / all -1 / alternating rows: 127 * K must come out exactly,
        // also for K large enough that the int16 lanes are flushed several times
        for (int k : new int[] {6912, 20_000}) {
            int n = 3;
            byte[] codes = new byte[n * k];
            for (int i = 0; i < k; i++) {
                codes[i] = 1;
                codes[k + i] = -1;
                codes[2 * k + i] = (byte) (i % 2 == 0 ? 1 : -1);
            }
            TernaryMatrix w = TernaryMatrix.fromCodes(codes, n, k, 1f, layout);
            for (float sign : new float[] {1f, -1f}) {
                Int8Activations x = new Int8Activations(k, 4);
                float[] v = new float[k];
                java.util.Arrays.fill(v, sign * 3.5f);
                for (int t = 0; t < 4; t++) assertEquals(127f / 3.5f, x.quantize(t, v, 0));
                x.setTokens(4);
                float[] y = new float[4 * n];
                TernaryMatMul.matMul(w, x, y, n, 0, 0, n);
                float unscale = 127f / 3.5f;
                for (int t = 0; t < 4; t++) {
                    assertEquals(sign * 127f * k, y[t * n] * unscale, 1e-3f * k, "K=" + k);
                    assertEquals(-sign * 127f * k, y[t * n + 1] * unscale, 1e-3f * k);
                    assertEquals(0f, y[t * n + 2]);
                }
                float[] ref = new float[4 * n];
                TernaryMatMul.matMulReference(w, x, ref, n, 0, 0, n);
                assertArrayEquals(ref, y, 0f);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TernaryMatrix.Layout.class)
    void decodeKernelIsExactAtExtremesOnBothSidesOfItsFourRowAndNoFlushLimits(TernaryMatrix.Layout layout) {
        // the bit-plane kernel sums biased unsigned bytes in wrapping int16 lanes (exact up to 256 words,
        // K <= 16384, four rows at a time) and falls back to a flushing one-row loop beyond; the lookup
        // kernel flushes int16 block sums every 128 group pairs: +-127 activations against saturated rows
        // must come out exactly on every path
        Random rnd = new Random(9);
        for (int k : new int[] {64, 2304, 16_383, 16_384, 16_448, 20_000}) {
            int n = 9;                                  // two blocks of four rows + a one-row tail
            byte[] codes = new byte[n * k];
            for (int i = 0; i < k; i++) {
                codes[i] = 1;
                codes[k + i] = -1;
                codes[2 * k + i] = (byte) (i % 2 == 0 ? 1 : -1);
                codes[3 * k + i] = 0;
                for (int r = 4; r < n; r++) codes[r * k + i] = (byte) (rnd.nextInt(3) - 1);
            }
            TernaryMatrix w = TernaryMatrix.fromCodes(codes, n, k, 1f, layout);
            for (float[] v : extremeInputs(k, 3)) {
                float[] sums = exactMatVec(w, v);
                if (v[0] == v[1]) assertEquals(127f * k * Math.signum(v[0]), sums[0], 1e-3f * k);
                assertEquals(0f, sums[3]);
            }
        }
    }

    /** Inputs that quantize to +-127 everywhere: all +, all -, and - on every m-th column. */
    private static float[][] extremeInputs(int k, int m) {
        float[][] inputs = new float[3][k];
        for (int i = 0; i < k; i++) {
            inputs[0][i] = 3.5f;
            inputs[1][i] = -3.5f;
            inputs[2][i] = i % m == 0 ? -3.5f : 3.5f;
        }
        return inputs;
    }

    /** matVec of one token v over all rows, checked bit for bit against matMulReference; returns the sums (y * s_x). */
    private static float[] exactMatVec(TernaryMatrix w, float[] v) {
        Int8Activations x = new Int8Activations(w.cols, 1);
        x.quantize(0, v, 0);
        x.setTokens(1);
        float[] fast = new float[w.rows], ref = new float[w.rows];
        TernaryMatMul.matVec(w, x, 0, fast, 0, 0, w.rows);
        TernaryMatMul.matMulReference(w, x, ref, w.rows, 0, 0, w.rows);
        assertArrayEquals(ref, fast, 0f, "K=" + w.cols);
        for (int i = 0; i < fast.length; i++) fast[i] *= x.scale[0];
        return fast;
    }

    @Test
    void eightTilePassIsExactAtExtremesOnBothSidesOfItsFlushLimit() {
        // the eight-tile pass keeps 16 high + low of 28 group pairs in unsigned int16 lanes: saturated rows
        // (all +1, all -1) against +-127 activations reach its bound, in every tile of the pass (each tile's
        // first row) and over one, several and a partial block of pairs
        Random rnd = new Random(31);
        for (int k : new int[] {224, 232, 2304, 9000}) {
            int n = 23 * TernaryMatrix.TILE;            // two spread eight-tile passes, then four, two, one
            byte[] codes = new byte[n * k];
            for (int r = 0; r < n; r++) {
                for (int i = 0; i < k; i++) {
                    codes[r * k + i] = (byte) (r % 64 == 0 ? 1 : r % 64 == 33 ? -1 : rnd.nextInt(3) - 1);
                }
            }
            TernaryMatrix w = TernaryMatrix.fromCodes(codes, n, k, 1f, TernaryMatrix.Layout.LOOKUP_TILES);
            for (float[] v : extremeInputs(k, 5)) {
                float[] sums = exactMatVec(w, v);
                if (v[0] == v[1]) {
                    for (int tile = 0; tile < 23; tile++) {
                        assertEquals(127f * k * Math.signum(v[0]), sums[64 * tile], 1e-3f * k, "K=" + k + " tile " + tile);
                        assertEquals(-127f * k * Math.signum(v[0]), sums[64 * tile + 33], 1e-3f * k);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TernaryMatrix.Layout.class)
    void rowRangesAndThreadTeamCoverEveryRowOnce(TernaryMatrix.Layout layout) {
        Random rnd = new Random(4);
        TernaryMatrix w = TernaryMatrix.fromCodes(randomCodes(rnd, 301 * 100), 301, 100, 1f, layout);
        Int8Activations x = randomActivations(rnd, 100, 1);
        float[] ref = new float[301], par = new float[301];
        TernaryMatMul.matMulReference(w, x, ref, 301, 0, 0, 301);
        try (ThreadTeam team = new ThreadTeam(3)) {
            for (int rep = 0; rep < 50; rep++) {
                java.util.Arrays.fill(par, Float.NaN);
                team.forRange(301, 8, (a, b) -> TernaryMatMul.matMul(w, x, par, 301, 0, a, b));
                assertArrayEquals(ref, par, 0f);
            }
            assertThrows(IllegalStateException.class, () -> team.forRange(100, 1, (a, b) -> {
                if (a > 0) throw new IllegalStateException("boom");
            }));
        }
    }

    @Test
    void quantizeMatchesLatentQuantizer() {
        // bitnet-spec.md §9.2: mean|W| = 0.8333, codes [[1,-1,1],[-1,0,-1],[1,-1,0]]
        float[] w = {0.8f, -0.5f, 1.2f, -1.5f, 0.4f, -0.9f, 1.3f, -0.7f, 0.2f};
        TernaryMatrix t = TernaryMatrix.quantize(w, 3, 3);
        assertArrayEquals(new byte[] {1, -1, 1, -1, 0, -1, 1, -1, 0}, t.codes());
        assertEquals(0.8333333f, t.scale, 1e-6f);
        // ties: W/m = 0.5 -> 0 (half to even), 1.5 -> 2 -> clipped 1, -2.5 -> -1
        TernaryMatrix ties = TernaryMatrix.quantize(new float[] {0.5f, 1.5f, -2.5f, 1.5f}, 1, 4);
        // mean|W| = 1.5 -> W/m = 1/3, 1, -5/3, 1
        assertArrayEquals(new byte[] {0, 1, -1, 1}, ties.codes());
        assertThrows(IllegalArgumentException.class, () -> TernaryMatrix.fromCodes(new byte[] {2}, 1, 1, 1f));
    }

    @Test
    void vectorQuantizerMatchesTheScalarReferenceIncludingTiesAndExtremes() {
        Random rnd = new Random(12);
        for (int k : new int[] {1, 15, 16, 17, 63, 64, 100, 768, 2304}) {
            Int8Activations act = new Int8Activations(k, 2);
            for (int kind = 0; kind < 4; kind++) {
                float[] x = new float[k + 3];
                for (int i = 0; i < x.length; i++) {
                    x[i] = switch (kind) {
                        case 0 -> (float) rnd.nextGaussian();
                        case 1 -> (rnd.nextInt(255) - 127) * 0.5f;          // absmax 63.5: many exact .5 ties after scaling by 2
                        case 2 -> i % 2 == 0 ? 3.5f : -3.5f;                // +-127
                        default -> 1e-7f * (float) rnd.nextGaussian();       // below EPS: s = 127 / 1e-5
                    };
                }
                byte[] ref = new byte[k];
                float sRef = Int8Activations.quantize(x, 3, k, ref, 0);
                float s = act.quantize(1, x, 3);
                assertEquals(sRef, s, "K=" + k + " kind " + kind);
                int base = act.stride;
                for (int i = 0; i < k; i++) {
                    assertEquals(ref[i], act.q[base + i], "K=" + k + " kind " + kind + " i=" + i);
                    assertEquals(ref[i], act.f[base + i]);
                }
            }
        }
    }

    @Test
    void activationQuantFollowsTheSpecVectors() {
        byte[] xq = new byte[3];
        float s = Int8Activations.quantize(new float[] {1.0f, -0.6f, 0.7f}, 0, 3, xq, 0);
        assertEquals(127f, s);
        assertArrayEquals(new byte[] {127, -76, 89}, xq);
        Int8Activations.quantize(new float[] {-0.9f, 0.4f, -1.2f}, 0, 3, xq, 0);
        assertArrayEquals(new byte[] {-95, 42, -127}, xq);
        Int8Activations.quantize(new float[] {0.8f, -0.5f, 0.3f}, 0, 3, xq, 0);
        assertArrayEquals(new byte[] {127, -79, 48}, xq);
        // half-to-even ties: x*s = 2.5 -> 2, -3.5 -> -4 (absmax 127 keeps s = 1)
        Int8Activations.quantize(new float[] {2.5f, -3.5f, 127f}, 0, 3, xq, 0);
        assertArrayEquals(new byte[] {2, -4, 127}, xq);
        // zero token: no NaN, all zero
        float sz = Int8Activations.quantize(new float[3], 0, 3, xq, 0);
        assertArrayEquals(new byte[3], xq);
        assertEquals(127f / 1e-5f, sz);
        // the batch buffer keeps zero padding past K
        Int8Activations x = new Int8Activations(3, 2);
        x.quantize(1, new float[] {1.0f, -0.6f, 0.7f}, 0);
        assertEquals(64, x.stride);
        assertEquals(127, x.q[64]);
        assertEquals(-76, x.q[65]);
        assertEquals(0, x.q[67]);
    }

    @Test
    void lookupTablesHoldEveryWeightPatternsSumOfBothNibbles() {
        Random rnd = new Random(21);
        byte[] q = new byte[64];
        for (int i = 0; i < q.length; i++) q[i] = (byte) (i < 8 ? (i % 2 == 0 ? 127 : -127) : rnd.nextInt(255) - 127);
        byte[] lut = new byte[16 * TernaryMatMul.TABLE_BYTES];
        TernaryMatMul.buildTablesReference(q, 0, 16, lut, 0);
        if (TernaryMatMul.VECTOR_LOOKUP) {          // the permute build gives the same entries 0..80 of both tables
            byte[] fast = new byte[lut.length + 8];
            TernaryMatMul.buildTablesVector(q, 0, 16, fast, 8);
            for (int g = 0; g < 16; g++) {
                for (int e = 0; e < 81; e++) {
                    assertEquals(lut[g * 256 + e], fast[8 + g * 256 + e], "low, group " + g + " entry " + e);
                    assertEquals(lut[g * 256 + 128 + e], fast[8 + g * 256 + 128 + e], "high, group " + g + " entry " + e);
                }
            }
        }
        for (int g = 0; g < 16; g++) {
            for (int e = 0; e < 81; e++) {
                int lo = TernaryMatMul.LO_BIAS, hi = TernaryMatMul.HI_BIAS, full = 0;
                for (int j = 0, v = e; j < 4; j++, v /= 3) {
                    int d = v % 3 - 1, a = q[4 * g + j];
                    lo += d * (a & 15);
                    hi += d * (a >> 4);
                    full += d * a;
                }
                int at = g * TernaryMatMul.TABLE_BYTES + e;
                assertEquals(lo, lut[at], "group " + g + " entry " + e);
                assertEquals(hi, lut[at + 128]);
                assertEquals(full, 16 * (lut[at + 128] - TernaryMatMul.HI_BIAS) + lut[at] - TernaryMatMul.LO_BIAS);
            }
        }
    }

    @Test
    void scalarTableKernelAndVectorKernelAgreeWithTheReference() {
        // the scalar lookup is what machines without AVX-512 VBMI run; the vector one is what this CPU runs
        Random rnd = new Random(22);
        int[][] shapes = java.util.Arrays.copyOf(SHAPES, SHAPES.length + 7);
        shapes[SHAPES.length] = new int[] {448, 130};       // 7 tiles: the four-, two- and one-tile passes
        shapes[SHAPES.length + 1] = new int[] {256, 1100};  // 4 tiles, 2 group blocks (138 pairs)
        shapes[SHAPES.length + 2] = new int[] {390, 64};    // 6 tiles, the last one ragged
        shapes[SHAPES.length + 3] = new int[] {896, 130};   // 14 tiles: an eight-tile pass, then a four- and a two-tile one
        shapes[SHAPES.length + 4] = new int[] {1216, 1100}; // 19 tiles, 138 pairs: two spread eight-tile passes (gap 2) in 5 blocks, then two and one
        shapes[SHAPES.length + 5] = new int[] {1536, 224};  // 24 tiles, exactly one eight-tile block (28 pairs): three passes, gap 3
        shapes[SHAPES.length + 6] = new int[] {1472, 232};  // 23 tiles, 29 pairs: a one-pair second block, then four, two and one
        for (int[] s : shapes) {
            TernaryMatrix w = TernaryMatrix.fromCodes(randomCodes(rnd, s[0] * s[1]), s[0], s[1], 0.05f, TernaryMatrix.Layout.LOOKUP_TILES);
            Int8Activations x = randomActivations(rnd, s[1], 1);
            int t0 = 0, t1 = w.tiles;
            int[] scalar = new int[w.tiles * TernaryMatrix.TILE];
            TernaryMatMul.lookupScalar(w, x.tables(0), x.lutOffset(0), t0, t1, scalar);
            if (TernaryMatMul.VECTOR_LOOKUP) {
                int[] vector = new int[scalar.length];
                TernaryMatMul.lookup(w, x.tables(0), x.lutOffset(0), t0, t1, vector);
                assertArrayEquals(scalar, vector, "shape " + s[0] + "x" + s[1]);
                for (int from = 1; from < w.tiles; from += 5) {              // ranges that start mid-matrix
                    int[] part = new int[(w.tiles - from) * TernaryMatrix.TILE];
                    TernaryMatMul.lookup(w, x.tables(0), x.lutOffset(0), from, w.tiles, part);
                    assertArrayEquals(java.util.Arrays.copyOfRange(scalar, from * TernaryMatrix.TILE, scalar.length), part,
                            "shape " + s[0] + "x" + s[1] + " from tile " + from);
                }
            }
            int bias = (16 * TernaryMatMul.HI_BIAS + TernaryMatMul.LO_BIAS) * w.groups;
            for (int n = 0; n < s[0]; n++) {
                int ref = 0;
                for (int k = 0; k < s[1]; k++) ref += w.code(n, k) * x.q[k];
                assertEquals(ref, scalar[n] - bias, "row " + n);
            }
        }
    }

    @Test
    void tablesFollowTheLatestQuantizeAndUnalignedRowRangesAreExact() {
        // a token quantized again must not be read through its old tables; row ranges that cut a
        // 64-row tile (work stealing hands out any range) still write exactly their rows
        Random rnd = new Random(23);
        TernaryMatrix w = TernaryMatrix.fromCodes(randomCodes(rnd, 200 * 96), 200, 96, 0.5f, TernaryMatrix.Layout.LOOKUP_TILES);
        Int8Activations x = randomActivations(rnd, 96, 1);
        float[] first = new float[200], again = new float[200], ref = new float[200];
        TernaryMatMul.matVec(w, x, 0, first, 0, 0, 200);
        float[] v = new float[96];
        for (int i = 0; i < 96; i++) v[i] = (float) rnd.nextGaussian();
        x.quantize(0, v, 0);
        java.util.Arrays.fill(again, Float.NaN);
        for (int[] r : new int[][] {{0, 7}, {7, 70}, {70, 128}, {128, 129}, {129, 200}}) TernaryMatMul.matVec(w, x, 0, again, 0, r[0], r[1]);
        TernaryMatMul.matMulReference(w, x, ref, 200, 0, 0, 200);
        assertArrayEquals(ref, again, 0f);
        assertFalse(java.util.Arrays.equals(first, again));
    }
}
