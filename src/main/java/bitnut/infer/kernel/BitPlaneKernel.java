package bitnut.infer.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/*
 * The decode kernel for TernaryMatrix's BIT_PLANES layout: what CPUs without AVX-512 VBMI run (the
 * lookup kernel needs vpermi2b), and the second session's kernel, which DecodeKernelBench times
 * beside the lookup kernel on this CPU. Same contract and scalar reference as TernaryMatMul.
 *
 * Per 64-column word, for 4 rows at once (the activation loads are shared by the 4 rows):
 *   y   = select(plus, qb, select(minus, nb, 0))     unsigned bytes: q+128 / -q+128 / 0
 *   v  += y as int16 lanes (wraps mod 2^16)           each lane = lo + 256 * hi (two bytes)
 *   hs += v >>> 8                                     the high bytes alone, exact
 * and at the end lo = (v - 256 * hs) mod 2^16 recovers the low bytes' sum exactly (both sums stay
 * < 2^16 for <= 257 words: 255 * 257 < 65536), so
 *   sum_k W[n,k] * q[k] = sum(lo + hs) - 128 * nonzero[n]          (every selected byte carries +128)
 * Any preferred vector size (a 64-bit plane word is 64 / lanes mask chunks).
 * JIT note: helpers that take or return vectors must stay tiny (inlined) and vectors must not be
 * carried around an outer loop nest, or C2 boxes them (3-4x slower, measured).
 */
final class BitPlaneKernel {
    static final VectorSpecies<Byte> B = ByteVector.SPECIES_PREFERRED;
    static final VectorSpecies<Short> S = ShortVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    static final int BL = B.length();            // int8 lanes per vector (64 on AVX-512, 32 on AVX2)
    static final int CHUNKS = 64 / BL;           // vectors per 64-bit plane word
    static final int FLUSH_U = 256 / CHUNKS;     // words whose unsigned int16 sums stay exact; K <= 16384 never flushes

    static {
        if (B.vectorShape() != VectorShape.preferredShape() || BL > 64 || 64 % BL != 0) {
            throw new IllegalStateException("unsupported vector shape " + B);
        }
    }

    private BitPlaneKernel() { }

    /** One token t of x: out[outOff + n], rows n in [r0, r1). */
    static void matVec(TernaryMatrix w, Int8Activations x, int t, float[] out, int outOff, int r0, int r1) {
        final float k = w.scale / x.scale[t];
        int n = r0;
        if (w.words <= FLUSH_U) for (; n + 4 <= r1; n += 4) rows4(w, x, t, k, out, outOff, n);
        for (; n < r1; n++) out[outOff + n] = row1(w, x, t, n) * k;
    }

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

    /** The same sum for one row (row counts that are not a multiple of 4, and K > 16384). */
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

    /** Exact lane sums lo + hi from the wrapped int16 sum v and the high-byte sum hs. */
    private static IntVector unbias(ShortVector v, ShortVector hs) {
        // lo = (v - 256 * hs) mod 2^16 per int16 lane; unsigned 16-bit lanes are then read in pairs
        // inside int32 lanes as (x & 0xFFFF) + (x >>> 16)
        IntVector lo = v.sub(hs.lanewise(VectorOperators.LSHL, 8)).reinterpretAsInts();
        IntVector hi = hs.reinterpretAsInts();
        return lo.and(0xFFFF).add(lo.lanewise(VectorOperators.LSHR, 16)).add(hi.and(0xFFFF)).add(hi.lanewise(VectorOperators.LSHR, 16));
    }
}
