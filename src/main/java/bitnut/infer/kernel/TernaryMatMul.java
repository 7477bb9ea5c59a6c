package bitnut.infer.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/*
 * Ternary matrix x int8 activations: y[t, n] = (m / s_t) * sum_k W[n,k] * xq[t,k]
 * (bitnet-spec.md §3.6). Integer sums are exact (int16 lanes, flushed to int32), so the vector
 * kernel and the scalar reference agree bit for bit.
 *
 * Two kernels per operation, side by side (llm.c / Jlama habit): a plain scalar reference that
 * decodes one code at a time, and the Vector API kernel the engine uses. Tests compare them.
 *
 * Vector kernel, per 64-column word of a row (see TernaryMatrix for the bit-plane layout):
 *   y  = select(plus, xq, select(minus, -xq, 0))      two masked blends on 64 int8 lanes; the
 *                                                     plane words ARE the masks (one kmov each)
 *   acc16 += pairSum(y)                               adjacent int8 pairs -> int16 (shifts only)
 * and every 128 words the int16 lanes are flushed into int32 (|acc16| <= 254 * 128 < 2^15).
 * A measurement on the dev box (AVX-512, 2304x768): this int8 select kernel ran ~2x faster than the
 * same masks applied to fp32 lanes, and int16 masked add/sub was ~100x slower (not intrinsified).
 * Batched prefill (matMul) builds each row's masks once and applies them to 4 tokens.
 * Rows are processed in [r0, r1) ranges so the engine can split them across a ThreadTeam.
 */
public final class TernaryMatMul {
    static final VectorSpecies<Byte> B = ByteVector.SPECIES_PREFERRED;
    static final VectorSpecies<Short> S = ShortVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    static final int BL = B.length();            // int8 lanes per vector (64 on AVX-512)
    static final int CHUNKS = 64 / BL;           // vectors per 64-bit plane word
    static final int FLUSH = 128 / CHUNKS;       // words between int16 -> int32 flushes: 254 * 128 < 2^15

    static {
        if (B.vectorShape() != VectorShape.preferredShape() || BL > 64 || 64 % BL != 0) {
            throw new IllegalStateException("unsupported vector shape " + B);
        }
    }

    private TernaryMatMul() { }

    // ---------------------------------------------------------------------------------------------
    // reference (scalar) kernels

    /** out[t * ldo + outOff + n] for tokens t < x.tokens(), rows n in [r0, r1). */
    public static void matMulReference(TernaryMatrix w, Int8Activations x, float[] out, int ldo, int outOff, int r0, int r1) {
        check(w, x);
        for (int t = 0; t < x.tokens(); t++) {
            int base = t * x.stride;
            for (int n = r0; n < r1; n++) {
                int acc = 0;
                for (int k = 0; k < w.cols; k++) acc += w.code(n, k) * x.q[base + k];
                out[t * ldo + outOff + n] = acc * (w.scale / x.scale[t]);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Vector API kernels

    /** Same contract as {@link #matMulReference}. One token = the decode matVec. */
    public static void matMul(TernaryMatrix w, Int8Activations x, float[] out, int ldo, int outOff, int r0, int r1) {
        check(w, x);
        int tokens = x.tokens();
        int t = 0;
        for (; t + 4 <= tokens; t += 4) matMul4(w, x, t, out, ldo, outOff, r0, r1);
        for (; t < tokens; t++) matVec(w, x, t, out, t * ldo + outOff, r0, r1);
    }

    /** One token t of x: out[outOff + n], rows n in [r0, r1). */
    static void matVec(TernaryMatrix w, Int8Activations x, int t, float[] out, int outOff, int r0, int r1) {
        final long[] planes = w.planes;
        final int words = w.words;
        final byte[] q = x.q, neg = x.neg;
        final int xb = t * x.stride;
        final float k = w.scale / x.scale[t];
        final ByteVector zero = ByteVector.zero(B);
        for (int n = r0; n < r1; n++) {
            int at = n * words * 2;
            IntVector total = IntVector.zero(I);
            for (int w0 = 0; w0 < words; w0 += FLUSH) {
                ShortVector acc = ShortVector.zero(S);
                int w1 = Math.min(words, w0 + FLUSH);
                for (int wd = w0; wd < w1; wd++, at += 2) {
                    long plus = planes[at], minus = planes[at + 1];
                    int x0 = xb + (wd << 6);
                    for (int c = 0; c < CHUNKS; c++) {
                        ByteVector y = zero
                                .blend(ByteVector.fromArray(B, q, x0 + c * BL), VectorMask.fromLong(B, plus >>> (c * BL)))
                                .blend(ByteVector.fromArray(B, neg, x0 + c * BL), VectorMask.fromLong(B, minus >>> (c * BL)));
                        acc = acc.add(pairSum(y));
                    }
                }
                total = total.add(widen(acc));
            }
            out[outOff + n] = total.reduceLanes(VectorOperators.ADD) * k;
        }
    }

    private static void matMul4(TernaryMatrix w, Int8Activations x, int t, float[] out, int ldo, int outOff, int r0, int r1) {
        final long[] planes = w.planes;
        final int words = w.words;
        final byte[] q = x.q, neg = x.neg;
        final int s = x.stride;
        final int b0 = t * s, b1 = b0 + s, b2 = b1 + s, b3 = b2 + s;
        final ByteVector zero = ByteVector.zero(B);
        for (int n = r0; n < r1; n++) {
            int at = n * words * 2;
            IntVector t0 = IntVector.zero(I), t1 = IntVector.zero(I), t2 = IntVector.zero(I), t3 = IntVector.zero(I);
            for (int w0 = 0; w0 < words; w0 += FLUSH) {
                ShortVector a0 = ShortVector.zero(S), a1 = ShortVector.zero(S), a2 = ShortVector.zero(S), a3 = ShortVector.zero(S);
                int w1 = Math.min(words, w0 + FLUSH);
                for (int wd = w0; wd < w1; wd++, at += 2) {
                    long plus = planes[at], minus = planes[at + 1];
                    for (int c = 0; c < CHUNKS; c++) {
                        VectorMask<Byte> pm = VectorMask.fromLong(B, plus >>> (c * BL));
                        VectorMask<Byte> mm = VectorMask.fromLong(B, minus >>> (c * BL));
                        int xo = (wd << 6) + c * BL;
                        a0 = a0.add(pairSum(zero.blend(ByteVector.fromArray(B, q, b0 + xo), pm).blend(ByteVector.fromArray(B, neg, b0 + xo), mm)));
                        a1 = a1.add(pairSum(zero.blend(ByteVector.fromArray(B, q, b1 + xo), pm).blend(ByteVector.fromArray(B, neg, b1 + xo), mm)));
                        a2 = a2.add(pairSum(zero.blend(ByteVector.fromArray(B, q, b2 + xo), pm).blend(ByteVector.fromArray(B, neg, b2 + xo), mm)));
                        a3 = a3.add(pairSum(zero.blend(ByteVector.fromArray(B, q, b3 + xo), pm).blend(ByteVector.fromArray(B, neg, b3 + xo), mm)));
                    }
                }
                t0 = t0.add(widen(a0)); t1 = t1.add(widen(a1)); t2 = t2.add(widen(a2)); t3 = t3.add(widen(a3));
            }
            out[t * ldo + outOff + n] = t0.reduceLanes(VectorOperators.ADD) * (w.scale / x.scale[t]);
            out[(t + 1) * ldo + outOff + n] = t1.reduceLanes(VectorOperators.ADD) * (w.scale / x.scale[t + 1]);
            out[(t + 2) * ldo + outOff + n] = t2.reduceLanes(VectorOperators.ADD) * (w.scale / x.scale[t + 2]);
            out[(t + 3) * ldo + outOff + n] = t3.reduceLanes(VectorOperators.ADD) * (w.scale / x.scale[t + 3]);
        }
    }

    /** int8 lanes -> int16 lanes holding the sum of each adjacent pair (|sum| <= 254). */
    private static ShortVector pairSum(ByteVector y) {
        ShortVector v = y.reinterpretAsShorts();
        // low byte sign-extended + high byte sign-extended (little-endian lanes)
        return v.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8).add(v.lanewise(VectorOperators.ASHR, 8));
    }

    private static IntVector widen(ShortVector v) {
        return ((IntVector) v.convertShape(VectorOperators.S2I, I, 0)).add((IntVector) v.convertShape(VectorOperators.S2I, I, 1));
    }

    private static void check(TernaryMatrix w, Int8Activations x) {
        if (x.cols != w.cols) {
            throw new IllegalArgumentException("activations have K=" + x.cols + " but the matrix has K=" + w.cols);
        }
    }
}
