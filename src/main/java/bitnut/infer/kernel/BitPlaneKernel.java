package bitnut.infer.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/*
 * The previous decode kernel (second session), kept only so DecodeKernelBench can time it side by
 * side with the lookup kernel on the same codes. Weights as two bit-planes per 64-column word (bit j
 * of `plus` set <=> W = +1, of `minus` <=> W = -1); per word and 4 rows: biased unsigned bytes
 * (q+128 / -q+128 / 0) selected by the plane masks, summed in wrapping int16 lanes with the high bytes
 * counted apart, corrected by 128 per nonzero weight. Exact; needs K <= 16384 (no flush).
 */
final class BitPlaneKernel {
    static final VectorSpecies<Byte> B = ByteVector.SPECIES_512;
    static final VectorSpecies<Short> S = ShortVector.SPECIES_512;

    final int rows, cols, words;
    final long[] planes;        // [N][words][2]
    final int[] nonzero;        // [N]

    BitPlaneKernel(byte[] codes, int rows, int cols) {
        if (cols > 16384) throw new IllegalArgumentException("K > 16384");
        this.rows = rows;
        this.cols = cols;
        this.words = (cols + 63) >>> 6;
        planes = new long[rows * words * 2];
        nonzero = new int[rows];
        for (int n = 0; n < rows; n++) {
            for (int k = 0; k < cols; k++) {
                int c = codes[n * cols + k], at = (n * words + (k >>> 6)) * 2;
                if (c == 1) planes[at] |= 1L << (k & 63);
                if (c == -1) planes[at + 1] |= 1L << (k & 63);
                if (c != 0) nonzero[n]++;
            }
        }
    }

    long packedBytes() { return (long) planes.length * Long.BYTES; }

    /** The activations as the kernel wants them: q + 128 and -q + 128 as unsigned bytes, [words * 64]. */
    static byte[][] biased(Int8Activations x, int t) {
        byte[] qb = new byte[x.stride], nb = new byte[x.stride];
        for (int i = 0; i < x.stride; i++) {
            byte q = x.q[t * x.stride + i];
            qb[i] = (byte) (q ^ 0x80);
            nb[i] = (byte) (((byte) -q) ^ 0x80);
        }
        return new byte[][] {qb, nb};
    }

    /** Integer sums of rows [r0, r1) (r1 - r0 a multiple of 4) into out. */
    void matVec(byte[] qb, byte[] nb, int[] out, int r0, int r1) {
        for (int n = r0; n + 4 <= r1; n += 4) rows4(qb, nb, out, n);
    }

    private void rows4(byte[] qb, byte[] nb, int[] out, int n) {
        final int w2 = 2 * words;
        final ByteVector zero = ByteVector.zero(B);
        ShortVector v0 = ShortVector.zero(S), v1 = v0, v2 = v0, v3 = v0, h0 = v0, h1 = v0, h2 = v0, h3 = v0;
        for (int wd = 0, at = n * w2; wd < words; wd++, at += 2) {
            int x0 = wd << 6;
            ByteVector xp = ByteVector.fromArray(B, qb, x0), xn = ByteVector.fromArray(B, nb, x0);
            ShortVector s = zero.blend(xp, VectorMask.fromLong(B, planes[at])).blend(xn, VectorMask.fromLong(B, planes[at + 1])).reinterpretAsShorts();
            v0 = v0.add(s); h0 = h0.add(s.lanewise(VectorOperators.LSHR, 8));
            s = zero.blend(xp, VectorMask.fromLong(B, planes[at + w2])).blend(xn, VectorMask.fromLong(B, planes[at + w2 + 1])).reinterpretAsShorts();
            v1 = v1.add(s); h1 = h1.add(s.lanewise(VectorOperators.LSHR, 8));
            s = zero.blend(xp, VectorMask.fromLong(B, planes[at + 2 * w2])).blend(xn, VectorMask.fromLong(B, planes[at + 2 * w2 + 1])).reinterpretAsShorts();
            v2 = v2.add(s); h2 = h2.add(s.lanewise(VectorOperators.LSHR, 8));
            s = zero.blend(xp, VectorMask.fromLong(B, planes[at + 3 * w2])).blend(xn, VectorMask.fromLong(B, planes[at + 3 * w2 + 1])).reinterpretAsShorts();
            v3 = v3.add(s); h3 = h3.add(s.lanewise(VectorOperators.LSHR, 8));
        }
        out[n] = sum(v0, h0) - 128 * nonzero[n];
        out[n + 1] = sum(v1, h1) - 128 * nonzero[n + 1];
        out[n + 2] = sum(v2, h2) - 128 * nonzero[n + 2];
        out[n + 3] = sum(v3, h3) - 128 * nonzero[n + 3];
    }

    private static int sum(ShortVector v, ShortVector hs) {
        IntVector lo = v.sub(hs.lanewise(VectorOperators.LSHL, 8)).reinterpretAsInts(), hi = hs.reinterpretAsInts();
        return lo.and(0xFFFF).add(lo.lanewise(VectorOperators.LSHR, 16)).add(hi.and(0xFFFF)).add(hi.lanewise(VectorOperators.LSHR, 16))
                .reduceLanes(VectorOperators.ADD);
    }
}
