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
 * Decode kernel (matVec, one token), per 64-column word and 4 rows at a time: biased unsigned bytes
 * (q+128 / -q+128 / 0) selected by the plane masks and summed in wrapping int16 lanes, corrected by
 * 128 per nonzero weight at the end; see matVec. The previous decode kernel (matVecSelect: signed
 * selects + int8 pair sums, one row at a time) is kept for DecodeKernelBench's side-by-side figures.
 * Measured on the 2-vCPU EPYC (AVX-512) with weights in cache: 1.9 vs 2.5 ns per 64-weight word.
 * Batched kernels (matMul with T >= 4 tokens: matMul4) apply each row's masks to 4 tokens with signed
 * pair sums flushed to int32 every 128 words (|acc16| <= 254 * 128 < 2^15).
 * Earlier measurement (2304x768): the int8 select kernel ran ~2x faster than the same masks applied
 * to fp32 lanes. JIT note: helpers that take or return vectors must stay tiny (inlined) and vectors
 * must not be carried around an outer loop nest, or C2 boxes them (3-4x slower, measured).
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

    /**
     * One token t of x: out[outOff + n], rows n in [r0, r1): the decode matVec.
     *
     * Per 64-column word, for 4 rows at once (the activation loads are shared by the 4 rows):
     *   y   = select(plus, qb, select(minus, nb, 0))     unsigned bytes: q+128 / -q+128 / 0
     *   v  += y as 32 int16 lanes (wraps mod 2^16)       each lane = lo + 256 * hi (two bytes)
     *   hs += v >>> 8                                     the high bytes alone, exact
     * and at the end (or every FLUSH_U words) lo = (v - 256 * hs) mod 2^16 recovers the low bytes' sum
     * exactly (both sums stay < 2^16 for <= 257 words: 255 * 257 < 65536), so
     *   sum_k W[n,k] * q[k] = sum(lo + hs) - 128 * nonzero[n]          (every selected byte carries +128)
     * That is 2 mask moves, 2 blends, 1 shift and 2 adds per row and word, against the previous
     * kernel's 2 blends + 4 shift/add ops to sign-extend byte pairs plus its own 2 loads per row.
     */
    static void matVec(TernaryMatrix w, Int8Activations x, int t, float[] out, int outOff, int r0, int r1) {
        final float k = w.scale / x.scale[t];
        int n = r0;
        if (w.words <= FLUSH_U) for (; n + 4 <= r1; n += 4) rows4(w, x, t, k, out, outOff, n);
        for (; n < r1; n++) out[outOff + n] = row1(w, x, t, n) * k;
    }

    /** Words whose unsigned int16 sums stay exact (255 * 257 < 2^16); K <= 16384 never flushes. */
    static final int FLUSH_U = 256 / CHUNKS;

    /**
     * Four rows n .. n+3, K <= 64 * FLUSH_U (one pass, no flush). Deliberately a single loop: with an
     * outer flush loop around it C2 kept the vector accumulators boxed across the loop nest (3.5x slower).
     */
    private static void rows4(TernaryMatrix w, Int8Activations x, int t, float k, float[] out, int outOff, int n) {
        final long[] planes = w.planes;
        final int words = w.words, w2 = 2 * words;
        final byte[] qb = x.qb, nb = x.nb;
        final int xb = t * x.stride;
        final ByteVector zero = ByteVector.zero(B);
        ShortVector v0 = ShortVector.zero(S), v1 = v0, v2 = v0, v3 = v0, h0 = v0, h1 = v0, h2 = v0, h3 = v0;
        for (int wd = 0, at = n * w2; wd < words; wd++, at += 2) {
            for (int c = 0; c < CHUNKS; c++) {
                int sh = c * BL, x0 = xb + (wd << 6) + sh;
                ByteVector xp = ByteVector.fromArray(B, qb, x0), xn = ByteVector.fromArray(B, nb, x0);
                ShortVector s = zero.blend(xp, VectorMask.fromLong(B, planes[at] >>> sh))
                        .blend(xn, VectorMask.fromLong(B, planes[at + 1] >>> sh)).reinterpretAsShorts();
                v0 = v0.add(s); h0 = h0.add(s.lanewise(VectorOperators.LSHR, 8));
                s = zero.blend(xp, VectorMask.fromLong(B, planes[at + w2] >>> sh))
                        .blend(xn, VectorMask.fromLong(B, planes[at + w2 + 1] >>> sh)).reinterpretAsShorts();
                v1 = v1.add(s); h1 = h1.add(s.lanewise(VectorOperators.LSHR, 8));
                s = zero.blend(xp, VectorMask.fromLong(B, planes[at + 2 * w2] >>> sh))
                        .blend(xn, VectorMask.fromLong(B, planes[at + 2 * w2 + 1] >>> sh)).reinterpretAsShorts();
                v2 = v2.add(s); h2 = h2.add(s.lanewise(VectorOperators.LSHR, 8));
                s = zero.blend(xp, VectorMask.fromLong(B, planes[at + 3 * w2] >>> sh))
                        .blend(xn, VectorMask.fromLong(B, planes[at + 3 * w2 + 1] >>> sh)).reinterpretAsShorts();
                v3 = v3.add(s); h3 = h3.add(s.lanewise(VectorOperators.LSHR, 8));
            }
        }
        // unbias, written out per row: a helper method taking vectors is not inlined in a method this
        // size and C2 then boxes its arguments (measured 3x slower); see unbias for the arithmetic
        final int[] nz = w.nonzero;
        IntVector l0 = v0.sub(h0.lanewise(VectorOperators.LSHL, 8)).reinterpretAsInts(), g0 = h0.reinterpretAsInts();
        IntVector l1 = v1.sub(h1.lanewise(VectorOperators.LSHL, 8)).reinterpretAsInts(), g1 = h1.reinterpretAsInts();
        IntVector l2 = v2.sub(h2.lanewise(VectorOperators.LSHL, 8)).reinterpretAsInts(), g2 = h2.reinterpretAsInts();
        IntVector l3 = v3.sub(h3.lanewise(VectorOperators.LSHL, 8)).reinterpretAsInts(), g3 = h3.reinterpretAsInts();
        out[outOff + n] = (l0.and(0xFFFF).add(l0.lanewise(VectorOperators.LSHR, 16)).add(g0.and(0xFFFF)).add(g0.lanewise(VectorOperators.LSHR, 16))
                .reduceLanes(VectorOperators.ADD) - 128 * nz[n]) * k;
        out[outOff + n + 1] = (l1.and(0xFFFF).add(l1.lanewise(VectorOperators.LSHR, 16)).add(g1.and(0xFFFF)).add(g1.lanewise(VectorOperators.LSHR, 16))
                .reduceLanes(VectorOperators.ADD) - 128 * nz[n + 1]) * k;
        out[outOff + n + 2] = (l2.and(0xFFFF).add(l2.lanewise(VectorOperators.LSHR, 16)).add(g2.and(0xFFFF)).add(g2.lanewise(VectorOperators.LSHR, 16))
                .reduceLanes(VectorOperators.ADD) - 128 * nz[n + 2]) * k;
        out[outOff + n + 3] = (l3.and(0xFFFF).add(l3.lanewise(VectorOperators.LSHR, 16)).add(g3.and(0xFFFF)).add(g3.lanewise(VectorOperators.LSHR, 16))
                .reduceLanes(VectorOperators.ADD) - 128 * nz[n + 3]) * k;
    }

    /** The same sum for one row (row counts that are not a multiple of 4). */
    private static int row1(TernaryMatrix w, Int8Activations x, int t, int n) {
        final long[] planes = w.planes;
        final int words = w.words;
        final byte[] qb = x.qb, nb = x.nb;
        final int xb = t * x.stride;
        final ByteVector zero = ByteVector.zero(B);
        int at = n * words * 2;
        IntVector total = IntVector.zero(I);
        for (int w0 = 0; w0 < words; w0 += FLUSH_U) {
            ShortVector v = ShortVector.zero(S), hs = v;
            int w1 = Math.min(words, w0 + FLUSH_U);
            for (int wd = w0; wd < w1; wd++) {
                int x0 = xb + (wd << 6), p = at + 2 * wd;
                for (int c = 0; c < CHUNKS; c++) {
                    int sh = c * BL;
                    ShortVector s = zero.blend(ByteVector.fromArray(B, qb, x0 + sh), VectorMask.fromLong(B, planes[p] >>> sh))
                            .blend(ByteVector.fromArray(B, nb, x0 + sh), VectorMask.fromLong(B, planes[p + 1] >>> sh)).reinterpretAsShorts();
                    v = v.add(s);
                    hs = hs.add(s.lanewise(VectorOperators.LSHR, 8));
                }
            }
            total = total.add(unbias(v, hs));
        }
        return total.reduceLanes(VectorOperators.ADD) - 128 * w.nonzero[n];
    }

    /** Exact lane sums lo + hi from the wrapped int16 sum v and the high-byte sum hs (see matVec). */
    private static IntVector unbias(ShortVector v, ShortVector hs) {
        // lo = (v - 256 * hs) mod 2^16 per int16 lane; unsigned 16-bit lanes are then read in pairs
        // inside int32 lanes as (x & 0xFFFF) + (x >>> 16): and/shift/add only (convertShape S2I was slower)
        IntVector lo = v.sub(hs.lanewise(VectorOperators.LSHL, 8)).reinterpretAsInts();
        IntVector hi = hs.reinterpretAsInts();
        return lo.and(0xFFFF).add(lo.lanewise(VectorOperators.LSHR, 16)).add(hi.and(0xFFFF)).add(hi.lanewise(VectorOperators.LSHR, 16));
    }

    /** The previous decode kernel (signed int8 select + pair sums), kept for the side-by-side bench. */
    static void matVecSelect(TernaryMatrix w, Int8Activations x, int t, float[] out, int outOff, int r0, int r1) {
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
