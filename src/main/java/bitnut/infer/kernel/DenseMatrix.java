package bitnut.infer.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Locale;

/*
 * A full-precision matrix M[V, C] (token embeddings, lm_head) stored in one of three precisions:
 *   F32  - 4 bytes/weight, exact
 *   BF16 - 2 bytes/weight, the upper half of the fp32 bits (round-to-nearest-even when converting)
 *   INT8 - 1 byte/weight + one fp32 absmax scale per row (q = rint(127 * w / max|row|))
 * The lm_head is the largest single read of a decode step for a 133M model (25M weights vs 20.6 MB
 * of ternary codes), so its precision sets most of the memory floor; benchmarks.md measures the
 * quality cost of each (bitnet-spec.md §7.3, pitfall 13).
 *
 * Rows are stored with a stride padded to a multiple of 32 columns (zeros), so the vector loops have
 * no tails. BF16 packs two values per int (column 2j in the low half, 2j+1 in the high half); the
 * kernel splits even / odd columns with a shift and a mask, and dots them with de-interleaved x.
 * matVec: out[r] = sum_c M[r, c] * x[c] for rows r in [r0, r1); a scalar reference sits beside it.
 */
public abstract sealed class DenseMatrix permits DenseMatrix.F32, DenseMatrix.Bf16, DenseMatrix.Int8 {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    static final VectorSpecies<Byte> B = F.length() == 16 ? ByteVector.SPECIES_128
            : F.length() == 8 ? ByteVector.SPECIES_64 : ByteVector.SPECIES_PREFERRED;
    static final int LANES = F.length();
    /**
     * Rows per call of the inner kernel. matVec walks its range in blocks of this many rows so that the
     * kernel is a method called thousands of times per decoded token and C2 compiles it normally. One
     * call per token over all 32768 rows (a 1-thread decode) left it to on-stack replacement only:
     * ~500 calls per benchmark run stay under C2's invocation threshold, and the OSR-compiled loop ran
     * the bf16 lm_head at 3.9 ms instead of 2.9 ms per token (bitnut-133m, measured in benchmarks.md).
     */
    static final int ROW_BLOCK = 16;
    /** Rows interleaved per group in the BF16 and INT8 layouts (see those classes). */
    static final int GROUP = 4;

    /** First element of row r in a layout of GROUP rows interleaved in chunks of LANES, rows `width` elements long. */
    static int groupedRowBase(int r, int width) { return (r / GROUP) * GROUP * width + (r % GROUP) * LANES; }

    /** Storage precision of embeddings and lm_head. */
    public enum Precision {
        F32, BF16, INT8;

        /** The lower-case name the tabs and the CLI show ("int8"); {@link #parse} reads it back. */
        public String label() { return name().toLowerCase(Locale.ROOT); }

        public static Precision parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "f32", "fp32", "float32" -> F32;
                case "bf16", "bfloat16" -> BF16;
                case "int8", "i8", "q8" -> INT8;
                default -> throw new IllegalArgumentException("unknown precision '" + s + "' (expected f32, bf16 or int8)");
            };
        }
    }

    public final int rows;     // V
    public final int cols;     // C
    public final int stride;   // C rounded up to 32

    DenseMatrix(int rows, int cols) {
        this.rows = rows;
        this.cols = cols;
        this.stride = (cols + 31) & ~31;
    }

    /** Converts row-major fp32 values into the given precision. */
    public static DenseMatrix of(float[] values, int rows, int cols, Precision p) {
        if ((long) rows * cols != values.length) throw new IllegalArgumentException("shape [" + rows + ", " + cols + "] vs " + values.length);
        return switch (p) {
            case F32 -> new F32(values, rows, cols);
            case BF16 -> new Bf16(values, rows, cols);
            case INT8 -> new Int8(values, rows, cols);
        };
    }

    public abstract Precision precision();

    /** Dequantizes row r into out[0 .. cols). */
    public abstract void row(int r, float[] out, int outOff);

    /** Vector kernel; x has at least {@link #stride} entries (zero past cols). */
    public abstract void matVec(float[] x, float[] out, int r0, int r1);

    /** Scalar reference of {@link #matVec}. */
    public void matVecReference(float[] x, float[] out, int r0, int r1) {
        float[] row = new float[cols];
        for (int r = r0; r < r1; r++) {
            row(r, row, 0);
            float acc = 0f;
            for (int c = 0; c < cols; c++) acc += row[c] * x[c];
            out[r] = acc;
        }
    }

    /** Bytes of stored weights (what one full matVec streams). */
    public abstract long bytes();

    /** Round-to-nearest-even fp32 -> bf16 bits (NaN kept quiet). */
    public static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((bits >>> 16) | 0x40);
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    public static float fromBf16(short h) { return Float.intBitsToFloat((h & 0xFFFF) << 16); }

    // ---------------------------------------------------------------------------------------------

    public static final class F32 extends DenseMatrix {
        final float[] data;

        F32(float[] values, int rows, int cols) {
            super(rows, cols);
            data = new float[rows * stride];
            for (int r = 0; r < rows; r++) System.arraycopy(values, r * cols, data, r * stride, cols);
        }

        @Override public Precision precision() { return Precision.F32; }
        @Override public long bytes() { return (long) rows * cols * 4; }
        @Override public void row(int r, float[] out, int outOff) { System.arraycopy(data, r * stride, out, outOff, cols); }

        @Override public void matVec(float[] x, float[] out, int r0, int r1) {
            for (int r = r0; r < r1; r += ROW_BLOCK) rows(data, stride, x, out, r, Math.min(r + ROW_BLOCK, r1));
        }

        private static void rows(float[] data, int stride, float[] x, float[] out, int r0, int r1) {
            for (int r = r0; r < r1; r++) {
                int base = r * stride;
                FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
                int c = 0;
                for (; c + 2 * LANES <= stride; c += 2 * LANES) {
                    a0 = FloatVector.fromArray(F, data, base + c).fma(FloatVector.fromArray(F, x, c), a0);
                    a1 = FloatVector.fromArray(F, data, base + c + LANES).fma(FloatVector.fromArray(F, x, c + LANES), a1);
                }
                for (; c < stride; c += LANES) a0 = FloatVector.fromArray(F, data, base + c).fma(FloatVector.fromArray(F, x, c), a0);
                out[r] = VectorMath.sum(a0.add(a1));
            }
        }
    }

    /**
     * BF16 rows are stored like INT8 ones: four at a time, interleaved in chunks of LANES ints (2 LANES
     * values), so each load of x serves four rows and the weights stream as one run:
     *   data[(r / 4) * 4 * half + (j / LANES) * 4 * LANES + (r % 4) * LANES + j % LANES] = columns 2j, 2j+1 of row r
     * Median per 50 MB head at 1 thread: 2.39-2.45 -> 2.03-2.30 ms (benchmarks.md, sixth session).
     */
    public static final class Bf16 extends DenseMatrix {
        final int[] data;          // [ceil(rows / 4)][half / LANES][4][LANES]: two bf16 per int
        final int half;            // stride / 2
        private final ThreadLocal<float[]> split;

        Bf16(float[] values, int rows, int cols) {
            super(rows, cols);
            half = stride / 2;
            data = new int[(rows + GROUP - 1) / GROUP * GROUP * half];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    int h = toBf16(values[r * cols + c]) & 0xFFFF;
                    data[at(r, c >>> 1)] |= (c & 1) == 0 ? h : h << 16;
                }
            }
            split = ThreadLocal.withInitial(() -> new float[2 * half]);
        }

        /** Index of the int holding columns 2j and 2j+1 of row r. */
        int at(int r, int j) { return rowBase(r) + (j / LANES) * GROUP * LANES + j % LANES; }

        /** Index of row r's first int; the row's next chunk of LANES ints is GROUP * LANES further on. */
        int rowBase(int r) { return groupedRowBase(r, half); }

        @Override public Precision precision() { return Precision.BF16; }
        @Override public long bytes() { return (long) rows * cols * 2; }

        @Override public void row(int r, float[] out, int outOff) {
            for (int c = 0; c < cols; c++) {
                int v = data[at(r, c >>> 1)];
                out[outOff + c] = Float.intBitsToFloat((c & 1) == 0 ? v << 16 : v & 0xFFFF0000);
            }
        }

        /**
         * x de-interleaved (this thread's scratch): even columns in [0, half), odd ones in [half, 2 half). One
         * array, not two: one base register fewer in rows4's loop, where C2 otherwise reloaded bases from the stack.
         */
        float[] split(float[] x) {
            float[] eo = split.get();
            for (int j = 0; j < half; j++) {
                eo[j] = 2 * j < x.length ? x[2 * j] : 0f;
                eo[half + j] = 2 * j + 1 < x.length ? x[2 * j + 1] : 0f;
            }
            return eo;
        }

        @Override public void matVec(float[] x, float[] out, int r0, int r1) {
            float[] eo = split(x);
            int r = r0;
            for (; r < r1 && r % GROUP != 0; r++) row1(r, eo, out);                  // a range that starts mid-group
            int whole = r1 - Math.max(0, r1 - r) % GROUP;
            for (; r < whole; r += ROW_BLOCK) rows4(data, half, eo, out, r, Math.min(r + ROW_BLOCK, whole));
            for (r = Math.max(r0, whole); r < r1; r++) row1(r, eo, out);            // and one that ends mid-group
        }

        /**
         * Rows [r0, r1) (whole groups) four at a time; each int is two bf16: the even column by a shift, the
         * odd one by a mask, each row with its two accumulators (even / odd columns) and the four rows' sums in
         * one VectorMath.sum4, so the sums are the same bits as one row at a time (row1, DenseGemm).
         */
        private static void rows4(int[] data, int half, float[] eo, float[] out, int r0, int r1) {
            final IntVector high = IntVector.fromArray(I, ODD_MASKS, 0);
            for (int r = r0; r < r1; r += GROUP) {
                int base = r * half;                                  // == rowBase(r): r is a multiple of GROUP
                FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
                for (int j = 0; j < half; j += LANES) {
                    FloatVector e = FloatVector.fromArray(F, eo, j), o = FloatVector.fromArray(F, eo, half + j);
                    int at = base + GROUP * j;
                    IntVector v = IntVector.fromArray(I, data, at), w = IntVector.fromArray(I, data, at + LANES);
                    IntVector y = IntVector.fromArray(I, data, at + 2 * LANES), z = IntVector.fromArray(I, data, at + 3 * LANES);
                    a0 = even(v).fma(e, a0); a1 = v.and(high).reinterpretAsFloats().fma(o, a1);
                    b0 = even(w).fma(e, b0); b1 = w.and(high).reinterpretAsFloats().fma(o, b1);
                    c0 = even(y).fma(e, c0); c1 = y.and(high).reinterpretAsFloats().fma(o, c1);
                    d0 = even(z).fma(e, d0); d1 = z.and(high).reinterpretAsFloats().fma(o, d1);
                }
                VectorMath.sum4(a0.add(a1), b0.add(b1), c0.add(c1), d0.add(d1), out, r);
            }
        }

        /** One row alone (a range's ragged ends), with the same accumulators. */
        private void row1(int r, float[] eo, float[] out) {
            int base = rowBase(r);
            FloatVector a0 = FloatVector.zero(F), a1 = a0;
            for (int j = 0; j < half; j += LANES) {
                IntVector v = IntVector.fromArray(I, data, base + GROUP * j);
                a0 = even(v).fma(FloatVector.fromArray(F, eo, j), a0);
                a1 = odd(v).fma(FloatVector.fromArray(F, eo, half + j), a1);
            }
            out[r] = VectorMath.sum(a0.add(a1));
        }

        /** The even columns' bf16 (low halves) as fp32. */
        static FloatVector even(IntVector v) { return v.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(); }

        /** The odd columns' bf16 (high halves) as fp32. */
        static FloatVector odd(IntVector v) { return v.and(ODD_MASK).reinterpretAsFloats(); }

        /** The odd column's bits of an int (its high half). */
        static final int ODD_MASK = 0xFFFF0000;
        /**
         * ODD_MASK in every lane, loaded as a vector by rows4: a broadcast constant (v.and(ODD_MASK)) made C2
         * re-broadcast it before each of the loop's four ANDs (vpbroadcastd + vpandd); a loaded vector is
         * one register or one memory operand.
         */
        private static final int[] ODD_MASKS = new int[I.length()];
        static { java.util.Arrays.fill(ODD_MASKS, ODD_MASK); }
    }

    /**
     * INT8 rows are stored four at a time (as BF16 ones), interleaved in chunks of LANES bytes:
     *   data[(r / 4) * 4 * stride + (c / LANES) * 4 * LANES + (r % 4) * LANES + c % LANES] = q[r, c]
     * so that matVec dots four rows per pass and each load of x serves four rows, while the weights
     * still stream as one sequential run. Row-major storage spent a load of x per 16 weights (8 loads
     * per 64-byte line): 1.47 -> 1.01 ms median per 25 MB head at 1 thread (benchmarks.md, sixth
     * session). Rows past V in the last group are zeros.
     */
    public static final class Int8 extends DenseMatrix {
        final byte[] data;         // [ceil(rows / 4)][stride / LANES][4][LANES] (+ one vector of slack for B loads)
        final float[] rowScale;    // max|row| / 127

        Int8(float[] values, int rows, int cols) {
            super(rows, cols);
            int groups = (rows + GROUP - 1) / GROUP;
            data = new byte[groups * GROUP * stride + B.length()];
            rowScale = new float[rows];
            for (int r = 0; r < rows; r++) {
                float amax = 0f;
                for (int c = 0; c < cols; c++) amax = Math.max(amax, Math.abs(values[r * cols + c]));
                float s = amax > 0 ? 127f / amax : 0f;
                rowScale[r] = amax > 0 ? amax / 127f : 0f;
                for (int c = 0; c < cols; c++) {
                    data[at(r, c)] = (byte) Math.max(-127, Math.min(127, Math.rint(values[r * cols + c] * s)));
                }
            }
        }

        /** Index of q[r, c] in data. */
        int at(int r, int c) { return rowBase(r) + (c / LANES) * GROUP * LANES + c % LANES; }

        /** Index of q[r, 0]; the row's next chunk of LANES values is GROUP * LANES further on. */
        int rowBase(int r) { return groupedRowBase(r, stride); }

        @Override public Precision precision() { return Precision.INT8; }
        @Override public long bytes() { return (long) rows * cols + rows * 4L; }

        @Override public void row(int r, float[] out, int outOff) {
            float s = rowScale[r];
            for (int c = 0; c < cols; c++) out[outOff + c] = data[at(r, c)] * s;
        }

        @Override public void matVecReference(float[] x, float[] out, int r0, int r1) {
            for (int r = r0; r < r1; r++) {
                float acc = 0f;
                for (int c = 0; c < cols; c++) acc += data[at(r, c)] * x[c];
                out[r] = acc * rowScale[r];
            }
        }

        @Override public void matVec(float[] x, float[] out, int r0, int r1) {
            int r = r0;
            for (; r < r1 && r % GROUP != 0; r++) row1(r, x, out);                  // a range that starts mid-group
            int whole = r1 - Math.max(0, r1 - r) % GROUP;
            for (; r < whole; r += ROW_BLOCK) rows4(data, rowScale, stride, x, out, r, Math.min(r + ROW_BLOCK, whole));
            for (r = Math.max(r0, whole); r < r1; r++) row1(r, x, out);            // and one that ends mid-group
        }

        /**
         * Rows [r0, r1) (whole groups) four at a time. Each row keeps the two accumulators of the row-major
         * kernel (even / odd chunks), so the sums are the same as one row at a time (and as DenseGemm's).
         * `c < stride` with the invariant stride: C2 compiles a counted loop without a range check per load.
         */
        private static void rows4(byte[] data, float[] rowScale, int stride, float[] x, float[] out, int r0, int r1) {
            for (int r = r0; r < r1; r += GROUP) {
                int base = r * stride;                                // == rowBase(r): r is a multiple of GROUP
                FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
                for (int c = 0; c < stride; c += 2 * LANES) {
                    FloatVector x0 = FloatVector.fromArray(F, x, c), x1 = FloatVector.fromArray(F, x, c + LANES);
                    int at = base + GROUP * c;                        // chunk c / LANES of the group's four rows, then the next
                    a0 = widen(data, at).fma(x0, a0);
                    b0 = widen(data, at + LANES).fma(x0, b0);
                    c0 = widen(data, at + 2 * LANES).fma(x0, c0);
                    d0 = widen(data, at + 3 * LANES).fma(x0, d0);
                    a1 = widen(data, at + 4 * LANES).fma(x1, a1);
                    b1 = widen(data, at + 5 * LANES).fma(x1, b1);
                    c1 = widen(data, at + 6 * LANES).fma(x1, c1);
                    d1 = widen(data, at + 7 * LANES).fma(x1, d1);
                }
                VectorMath.sum4(a0.add(a1), b0.add(b1), c0.add(c1), d0.add(d1), out, r);
                out[r] *= rowScale[r];
                out[r + 1] *= rowScale[r + 1];
                out[r + 2] *= rowScale[r + 2];
                out[r + 3] *= rowScale[r + 3];
            }
        }

        /** One row alone (a range's ragged ends), with the same accumulator order. */
        private void row1(int r, float[] x, float[] out) {
            int base = rowBase(r);
            FloatVector a0 = FloatVector.zero(F), a1 = a0;
            for (int c = 0; c < stride; c += 2 * LANES) {
                a0 = widen(data, base + GROUP * c).fma(FloatVector.fromArray(F, x, c), a0);
                a1 = widen(data, base + GROUP * (c + LANES)).fma(FloatVector.fromArray(F, x, c + LANES), a1);
            }
            out[r] = VectorMath.sum(a0.add(a1)) * rowScale[r];
        }

        /** LANES int8 weights from data[i ..] as fp32 lanes. */
        static FloatVector widen(byte[] data, int i) {
            return (FloatVector) ByteVector.fromArray(B, data, i).convertShape(VectorOperators.B2F, F, 0);
        }
    }
}
