package bitnut.infer.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.nio.file.Files;
import java.nio.file.Path;

/*
 * Ternary matrix x int8 activations: y[t, n] = (m / s_t) * sum_k W[n,k] * xq[t,k]
 * (bitnet-spec.md §3.6). Integer sums are exact, so every kernel agrees with the scalar reference
 * bit for bit.
 *
 * Decode kernel (matVec, one token): a lookup-table kernel in the style of T-MAC / bitnet.cpp's TL
 * kernels. Four weights W[n, 4g .. 4g+3] are one base-3 index byte (TernaryMatrix); for the token's
 * four activations a_0..a_3 of group g the 81 possible sums  sum_j d_j a_j  (d in {-1,0,1}^4) are
 * precomputed once per token by each thread (buildTables, Int8Activations.tables), and one
 * byte-permute (vpermi2b: ByteVector.selectFrom with two 64-byte tables) then looks up 64 rows' sums
 * at once: 256 weight-activation products per instruction, with no decoding of the weights at all.
 * Sums of four int8 values reach +-508, more than a byte holds, so each activation is split into
 * nibbles, a = 16 h + l (l = a & 15 in [0, 15], h = a >> 4 in [-8, 7]): the table of the l's
 * (biased +60, [0, 120]) and the table of the h's (biased +32, [0, 64]) are both bytes, two lookups
 * per group; two groups' lookups still fit one unsigned byte, and bytes are summed in wrapping int16
 * lanes with the odd bytes counted apart (see pairs8 and pairs2), so every sum stays exact.
 * Eight tiles per pass, spread over the row range, share the table loads (see lookup and pairs8); a
 * range's last 0-7 tiles take four-, two- and one-tile passes. Groups are taken in blocks of at most
 * EIGHT_BLOCK_PAIRS (BLOCK_PAIRS) pairs, the most whose int16 sums cannot overflow. Measured (2-vCPU
 * EPYC, all 84 bitnut-133m BitLinears, DecodeKernelBench): docs/benchmarks.md, "Decode: lookup-table
 * ternary kernel" and the later sessions at the top.
 *
 * Machines without AVX-512 VBMI (vpermi2b) would run the Vector API's Java fallback of selectFrom,
 * which is far slower than plain code: they pack their matrices as bit planes (TernaryMatrix.Layout)
 * and matVec hands those to BitPlaneKernel. (lookupScalar reads the same tables one index at a time:
 * the vector kernel's twin in tests, 20x slower than the bit-plane kernel.)
 * Batched tokens (matMul: prefill and batched decode) are matVec per token. Rows are processed in
 * [r0, r1) ranges so the engine can split them across a ThreadTeam (64-row aligned ranges waste nothing).
 */
public final class TernaryMatMul {
    static final VectorSpecies<Byte> B = ByteVector.SPECIES_512;
    static final VectorSpecies<Short> S = ShortVector.SPECIES_512;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_512;
    static final int TILE = TernaryMatrix.TILE;       // 64 rows = 64 byte lanes
    static final int TABLE_BYTES = 256;               // per group: 128 low-nibble entries, then 128 high-nibble
    static final int LO_BIAS = 60, HI_BIAS = 32;      // 4 * 15, 4 * 8: makes every entry >= 0
    /**
     * The int16 shift count 8 as a vector: lanewise(LSHR, 8) with a scalar count made C2 (JDK 25) move the
     * count into an xmm register before every vpsrlw of the four-tile loop (8 extra instructions per pass,
     * and vector spills); a vector count compiles to one vpsrlvw each. Weights in L2: 0.054 -> 0.049 ms
     * per bitnut-133m layer on 1 thread (DecodeKernelBench 5 1).
     */
    private static final ShortVector SHIFT_8 = ShortVector.broadcast(S, (short) 8);
    private static final ShortVector SHIFT_4 = ShortVector.broadcast(S, (short) 4);
    static final int BLOCK_PAIRS = 128;               // group pairs per block of pairs4/2/1 (int16 sums stay below 2^15)
    static final int EIGHT_BLOCK_PAIRS = 28;          // the same for pairs8 (its sums of 16 high + low stay below 2^16)

    /**
     * True when the lookup kernel can use vpermi2b (512-bit vectors with AVX-512 VBMI);
     * -Dbitnut.infer.lookup=scalar forces the path machines without it take (to measure it here).
     */
    public static final boolean VECTOR_LOOKUP = ByteVector.SPECIES_PREFERRED.vectorBitSize() >= 512 && cpuHas("avx512vbmi")
            && !"scalar".equals(System.getProperty("bitnut.infer.lookup"));

    private TernaryMatMul() { }

    // ---------------------------------------------------------------------------------------------
    // reference (scalar) kernel

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
    // lookup tables

    /**
     * The tables of `groups` groups of activations q[qOff + 4g .. 4g+3] into lut[off + 256 g ..]:
     * entry e (base-3 digits e_j, d_j = e_j - 1) of the low table = 60 + sum_j d_j (q_j & 15), of the
     * high table = 32 + sum_j d_j (q_j >> 4); entries 81..127 are never indexed.
     */
    static void buildTables(byte[] q, int qOff, int groups, byte[] lut, int off) {
        if (VECTOR_LOOKUP) buildTablesVector(q, qOff, groups, lut, off);
        else buildTablesReference(q, qOff, groups, lut, off);
    }

    /** Scalar reference: digit by digit, the 3^j entries so far copied three times with d_j = -1, 0, +1 added. */
    static void buildTablesReference(byte[] q, int qOff, int groups, byte[] lut, int off) {
        for (int g = 0; g < groups; g++) {
            int lo = off + g * TABLE_BYTES, hi = lo + 128;
            lut[lo] = LO_BIAS;
            lut[hi] = HI_BIAS;
            for (int j = 0, size = 1; j < 4; j++, size *= 3) {
                int a = q[qOff + 4 * g + j];
                int l = a & 15, h = a >> 4;
                for (int e = size - 1; e >= 0; e--) {       // top copy first: the base entries are overwritten last
                    int vl = lut[lo + e], vh = lut[hi + e];
                    lut[lo + e] = (byte) (vl - l);
                    lut[lo + size + e] = (byte) vl;
                    lut[lo + 2 * size + e] = (byte) (vl + l);
                    lut[hi + e] = (byte) (vh - h);
                    lut[hi + size + e] = (byte) vh;
                    lut[hi + 2 * size + e] = (byte) (vh + h);
                }
            }
        }
    }

    // Constant lane patterns of buildTablesVector (lane i of each; "-" = any value, never read):
    //   SPREAD: lanes 3j+d -> j (low nibble of a_j), lanes 16+3j+d -> 64+j (high nibble): the u_j(d)
    //   NEGATE lanes where d = 0 (u = -x), ZERO lanes where d = 1 (u = 0)
    //   PAIR_A / PAIR_B: P(i) = u_0(i%3) + u_1(i/3) in lanes 0..8 (low) and 32..40 (high),
    //                    Q(i) = u_2(i%3) + u_3(i/3) in lanes 16..24 (low) and 48..56 (high)
    //   BIAS: 60 on the low P lanes, 32 on the high P lanes
    //   TABLE_A[k] / TABLE_B[k]: table vector k (low 0..63, low 64..127, high 0..63, high 64..127) of
    //                    entry e = P(e % 9) + Q(e / 9)
    private static final byte[] SPREAD = new byte[64], PAIR_A = new byte[64], PAIR_B = new byte[64], BIAS = new byte[64];
    private static final byte[][] TABLE_A = new byte[4][64], TABLE_B = new byte[4][64];
    private static final long NEGATE, ZERO;
    static {
        long neg = 0, zero = 0;
        for (int half = 0; half < 2; half++) {
            for (int j = 0; j < 4; j++) {
                for (int d = 0; d < 3; d++) {
                    int lane = 16 * half + 3 * j + d;
                    SPREAD[lane] = (byte) (64 * half + j);
                    if (d == 0) neg |= 1L << lane;
                    if (d == 1) zero |= 1L << lane;
                }
            }
            for (int i = 0; i < 9; i++) {
                PAIR_A[32 * half + i] = (byte) (16 * half + i % 3);
                PAIR_B[32 * half + i] = (byte) (16 * half + 3 + i / 3);
                PAIR_A[32 * half + 16 + i] = (byte) (16 * half + 6 + i % 3);
                PAIR_B[32 * half + 16 + i] = (byte) (16 * half + 9 + i / 3);
                BIAS[32 * half + i] = (byte) (half == 0 ? LO_BIAS : HI_BIAS);
            }
        }
        NEGATE = neg;
        ZERO = zero;
        for (int k = 0; k < 4; k++) {
            for (int lane = 0; lane < 64; lane++) {
                int e = Math.min(80, 64 * (k & 1) + lane);
                TABLE_A[k][lane] = (byte) (32 * (k >> 1) + e % 9);
                TABLE_B[k][lane] = (byte) (32 * (k >> 1) + 16 + e / 9);
            }
        }
    }
    private static final java.lang.invoke.VarHandle INT_LE =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(int[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    /**
     * The same tables with byte permutes, ~30 vector ops per group instead of ~500 scalar ones:
     * the four activations' nibbles are spread into the 24 values u_j(d) = (d - 1) * nibble_j, pairs of
     * digits are summed into P (digits 0, 1) and Q (digits 2, 3), and each of the four 64-entry table
     * vectors is one permute of P plus one of Q.
     */
    static void buildTablesVector(byte[] q, int qOff, int groups, byte[] lut, int off) {
        final ByteVector spread = ByteVector.fromArray(B, SPREAD, 0), pairA = ByteVector.fromArray(B, PAIR_A, 0);
        final ByteVector pairB = ByteVector.fromArray(B, PAIR_B, 0), bias = ByteVector.fromArray(B, BIAS, 0);
        final ByteVector a0 = ByteVector.fromArray(B, TABLE_A[0], 0), b0 = ByteVector.fromArray(B, TABLE_B[0], 0);
        final ByteVector a1 = ByteVector.fromArray(B, TABLE_A[1], 0), b1 = ByteVector.fromArray(B, TABLE_B[1], 0);
        final ByteVector a2 = ByteVector.fromArray(B, TABLE_A[2], 0), b2 = ByteVector.fromArray(B, TABLE_B[2], 0);
        final ByteVector a3 = ByteVector.fromArray(B, TABLE_A[3], 0), b3 = ByteVector.fromArray(B, TABLE_B[3], 0);
        final ByteVector zero = ByteVector.zero(B);
        final VectorMask<Byte> negate = VectorMask.fromLong(B, NEGATE), zeroes = VectorMask.fromLong(B, ZERO);
        for (int g = 0; g < groups; g++) {
            IntVector x = IntVector.broadcast(I, (int) INT_LE.get(q, qOff + 4 * g));          // a_0..a_3 repeated
            ByteVector lo = x.and(0x0F0F0F0F).reinterpretAsBytes();                         // a & 15
            ByteVector hi = x.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F).reinterpretAsBytes()
                    .lanewise(VectorOperators.XOR, (byte) 8).sub((byte) 8);                 // a >> 4, sign restored
            ByteVector u = spread.selectFrom(lo, hi).lanewise(VectorOperators.NEG, negate).blend(zero, zeroes);
            ByteVector pq = pairA.selectFrom(u).add(pairB.selectFrom(u)).add(bias);
            int t = off + g * TABLE_BYTES;
            a0.selectFrom(pq).add(b0.selectFrom(pq)).intoArray(lut, t);
            a1.selectFrom(pq).add(b1.selectFrom(pq)).intoArray(lut, t + 64);
            a2.selectFrom(pq).add(b2.selectFrom(pq)).intoArray(lut, t + 128);
            a3.selectFrom(pq).add(b3.selectFrom(pq)).intoArray(lut, t + 192);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // decode kernels

    /**
     * Same contract as {@link #matMulReference}: matVec per token (prefill and batched decode too: a
     * thread's row range stays in L2 across the tokens).
     */
    public static void matMul(TernaryMatrix w, Int8Activations x, float[] out, int ldo, int outOff, int r0, int r1) {
        check(w, x);
        for (int t = 0; t < x.tokens(); t++) matVec(w, x, t, out, t * ldo + outOff, r0, r1);
    }

    /** One token t of x: out[outOff + n], rows n in [r0, r1): the decode matVec. */
    public static void matVec(TernaryMatrix w, Int8Activations x, int t, float[] out, int outOff, int r0, int r1) {
        check(w, x);
        if (r0 >= r1) return;
        if (w.layout == TernaryMatrix.Layout.BIT_PLANES) {
            BitPlaneKernel.matVec(w, x, t, out, outOff, r0, r1);
            return;
        }
        int t0 = r0 / TILE, t1 = (r1 + TILE - 1) / TILE;
        int[] acc = Scratch.of().acc((t1 - t0) * TILE);     // [row - 64 t0]: sums 16 H + L, biased; zeroed
        byte[] lut = x.tables(t);
        int lutOff = x.lutOffset(t);
        if (VECTOR_LOOKUP) lookup(w, lut, lutOff, t0, t1, acc);
        else lookupScalar(w, lut, lutOff, t0, t1, acc);
        final float k = w.scale / x.scale[t];
        final int bias = (16 * HI_BIAS + LO_BIAS) * w.groups;
        final int base = t0 * TILE;
        int n = r0;
        for (; n + I.length() <= r1; n += I.length()) {         // (sum - bias) * k, 16 rows at a time
            ((FloatVector) IntVector.fromArray(I, acc, n - base).sub(bias).convert(VectorOperators.I2F, 0)).mul(k).intoArray(out, outOff + n);
        }
        for (; n < r1; n++) out[outOff + n] = (acc[n - base] - bias) * k;
    }

    /**
     * Steal granularity (ThreadTeam chunks per thread) for splitting a ternary matrix of `rows` rows:
     * chunks of at least 8 tiles (512 rows) where the matrix allows, since the kernel runs eight (then
     * four) tiles per pass and a chunk's leftover tiles take the slower two- and one-tile passes (o_proj's
     * 12 tiles in 8 one-tile chunks would never use the wide passes). Ranges should be aligned to TILE rows.
     */
    public static int chunksPerThread(int rows, int threads) {
        int tiles = (rows + TILE - 1) / TILE;
        for (int c = ThreadTeam.STREAMING; c >= 1; c--) {             // equal chunks of 8, 12, 16 ... tiles: no two- or one-tile passes
            int per = tiles / (threads * c);
            if (tiles % (threads * c) == 0 && per >= 8 && per % 4 == 0) return c;
        }
        return Math.max(1, Math.min(ThreadTeam.STREAMING, tiles / (8 * threads)));
    }

    /**
     * Per-thread buffers of the lookup kernel, reused across calls: allocating them per call was ~150 MB/s
     * of garbage during decode (JFR), i.e. a young GC every few seconds. Per thread, not per ThreadTeam
     * participant, because two engines may run at once on different caller threads.
     */
    private static final class Scratch {
        private static final ThreadLocal<Scratch> BY_THREAD = ThreadLocal.withInitial(Scratch::new);
        final short[] blockSums = new short[4 * 128];
        private int[] acc = new int[0];

        static Scratch of() { return BY_THREAD.get(); }

        /** A zeroed int[n] (valid until this thread's next call). */
        int[] acc(int n) {
            if (acc.length < n) acc = new int[n];
            else java.util.Arrays.fill(acc, 0, n, 0);
            return acc;
        }
    }

    /** The tables read one index at a time (machines without vpermi2b; also the vector kernel's twin). */
    static void lookupScalar(TernaryMatrix w, byte[] lut, int lutOff, int t0, int t1, int[] acc) {
        final byte[] idx = w.idx;
        final int groups = w.groups;
        for (int tile = t0; tile < t1; tile++) {
            int base = tile * groups * TILE, a = (tile - t0) * TILE;
            for (int g = 0; g < groups; g++) {
                int tab = lutOff + g * TABLE_BYTES, at = base + g * TILE;
                for (int r = 0; r < TILE; r++) {
                    int e = idx[at + r];
                    acc[a + TernaryMatrix.rowOfLane(r)] += 16 * lut[tab + 128 + e] + lut[tab + e];
                }
            }
        }
    }

    /**
     * Tiles [t0, t1) into acc, eight tiles per pass (they share the table loads). The eight tiles of a pass
     * are spread over the range: with e = (t1 - t0) / 8 passes, pass j takes tiles t0 + j, + e, ..., + 7e, so
     * each of the eight weight streams runs through e consecutive tiles (gate_proj on one thread: 4 tiles,
     * 48 KB) instead of restarting every 12 KB tile, which the hardware prefetcher follows better. Each pass
     * runs all its group blocks before the next, so every stream stays sequential through a tile's blocks.
     * The last (t1 - t0) % 8 tiles take a four-, a two- and a one-tile pass as needed.
     */
    static void lookup(TernaryMatrix w, byte[] lut, int lutOff, int t0, int t1, int[] acc) {
        final int pairs = w.groups / 2;
        final short[] tmp = Scratch.of().blockSums;        // a block's int16 sums of up to eight tiles
        final int eighths = (t1 - t0) / 8;
        for (int j = 0; j < eighths; j++) {
            for (int p0 = 0; p0 < pairs; p0 += EIGHT_BLOCK_PAIRS) {
                pairs8(w, lut, lutOff, t0 + j, eighths, p0, Math.min(pairs, p0 + EIGHT_BLOCK_PAIRS), tmp, acc, j * TILE);
            }
        }
        for (int tile = t0 + 8 * eighths; tile < t1; ) {              // the last 0-7 tiles
            int n = t1 - tile >= 4 ? 4 : t1 - tile >= 2 ? 2 : 1, a = (tile - t0) * TILE;
            for (int p0 = 0; p0 < pairs; p0 += BLOCK_PAIRS) {
                int p1 = Math.min(pairs, p0 + BLOCK_PAIRS);
                if (n == 4) pairs4(w, lut, lutOff, tile, p0, p1, tmp, acc, a);
                else if (n == 2) pairs2(w, lut, lutOff, tile, p0, p1, tmp, acc, a);
                else pairs1(w, lut, lutOff, tile, p0, p1, tmp, acc, a);
            }
            tile += n;
        }
    }

    /**
     * Group pairs [p0, p1) of tiles `tile` and `tile + 1`, added to acc[a ..] (two tiles of 64 sums:
     * rows 0..31 from the even byte lanes, then 32..63 from the odd ones: TernaryMatrix.lane) through tmp and addBlockSums. Per pair and tile: y = both groups' lookups added as unsigned bytes
     * (<= 240 and <= 128); v += y as 32 int16 lanes (wraps: lane = even row + 256 * odd row),
     * hs += y >>> 8 (the odd rows alone, exact); even rows = v - 256 hs. All stay below 2^15 for a
     * block of <= 136 pairs (240 * 136 < 32768), so 16 * high + low is formed in int32 lanes after it.
     * Written out for both tiles in one method (a helper taking vectors would box them: BitPlaneKernel's
     * JIT note).
     */
    private static void pairs2(TernaryMatrix w, byte[] lut, int lutOff, int tile, int p0, int p1, short[] tmp, int[] acc, int a) {
        final byte[] idx = w.idx;
        final int a0 = tile * w.groups * TILE, b0 = a0 + w.groups * TILE;
        ShortVector va = ShortVector.zero(S), ha = va, wa = va, ga = va, vb = va, hb = va, wb = va, gb = va;
        for (int p = p0; p < p1; p++) {
            int tab = lutOff + 2 * p * TABLE_BYTES, at = 2 * p * TILE;
            ByteVector l0 = ByteVector.fromArray(B, lut, tab), l1 = ByteVector.fromArray(B, lut, tab + 64);
            ByteVector h0 = ByteVector.fromArray(B, lut, tab + 128), h1 = ByteVector.fromArray(B, lut, tab + 192);
            ByteVector l2 = ByteVector.fromArray(B, lut, tab + 256), l3 = ByteVector.fromArray(B, lut, tab + 320);
            ByteVector h2 = ByteVector.fromArray(B, lut, tab + 384), h3 = ByteVector.fromArray(B, lut, tab + 448);
            ByteVector i0 = ByteVector.fromArray(B, idx, a0 + at), i1 = ByteVector.fromArray(B, idx, a0 + at + TILE);
            ByteVector j0 = ByteVector.fromArray(B, idx, b0 + at), j1 = ByteVector.fromArray(B, idx, b0 + at + TILE);
            ShortVector y = i0.selectFrom(l0, l1).add(i1.selectFrom(l2, l3)).reinterpretAsShorts();
            va = va.add(y); ha = ha.add(y.lanewise(VectorOperators.LSHR, SHIFT_8));
            y = i0.selectFrom(h0, h1).add(i1.selectFrom(h2, h3)).reinterpretAsShorts();
            wa = wa.add(y); ga = ga.add(y.lanewise(VectorOperators.LSHR, SHIFT_8));
            y = j0.selectFrom(l0, l1).add(j1.selectFrom(l2, l3)).reinterpretAsShorts();
            vb = vb.add(y); hb = hb.add(y.lanewise(VectorOperators.LSHR, SHIFT_8));
            y = j0.selectFrom(h0, h1).add(j1.selectFrom(h2, h3)).reinterpretAsShorts();
            wb = wb.add(y); gb = gb.add(y.lanewise(VectorOperators.LSHR, SHIFT_8));
        }
        va.sub(ha.lanewise(VectorOperators.LSHL, 8)).intoArray(tmp, 0);   ha.intoArray(tmp, 32);
        wa.sub(ga.lanewise(VectorOperators.LSHL, 8)).intoArray(tmp, 64);  ga.intoArray(tmp, 96);
        vb.sub(hb.lanewise(VectorOperators.LSHL, 8)).intoArray(tmp, 128); hb.intoArray(tmp, 160);
        wb.sub(gb.lanewise(VectorOperators.LSHL, 8)).intoArray(tmp, 192); gb.intoArray(tmp, 224);
        addBlockSums(tmp, 2, acc, a);
    }

    /**
     * Eight tiles per pass, the kernel's main loop. Why eight: from DRAM on one thread the kernel is bound by
     * the table reads that come from L2 with every pair (the tables of a matrix row are 48-147 KB), not by
     * its arithmetic: a copy of the loop whose tables fit L1 read 24-27 instead of 15 GB/s. Eight tiles per
     * pair's eight table loads halve that traffic per weight byte against four: 24 layers from DRAM on one
     * thread 2.35-2.41 vs 2.62-2.70 ms, the bf16-head decode step +4% (docs/benchmarks.md, eighth session).
     * Eight tiles fit the 32 vector registers only with two accumulators per tile instead of four: per pair
     * and tile, lo and hi = both groups' low- and high-table lookups as unsigned bytes (<= 240, <= 128);
     * v += lo + (hi << 4) in wrapping int16 lanes (= the even rows' 16 high + low, plus 256 x the odd
     * rows'), g += (lo >>> 8) + ((hi >>> 8) << 4) (the odd rows' 16 high + low, exact); even = v - (g << 8).
     * A pair adds at most 2 x (4 x 128 + 572) = 2168 to a row (572 = 16 x 32 + 60, the tables' biases), so
     * both stay below 2^16 for EIGHT_BLOCK_PAIRS pairs and are read back as unsigned. The tiles are
     * tile + k gap (k < 8), their sums added to acc[a + 64 k gap ..]; each tile's base offset is its own
     * variable so that C2 hoists the range checks (with one offset stepped by the gap they stayed in the
     * loop: 227 vs 185 instructions). Written out tile by tile, like pairs4: vectors kept in arrays or handed
     * to a helper would be boxed on the heap (BitPlaneKernel's JIT note).
     */
    private static void pairs8(TernaryMatrix w, byte[] lut, int lutOff, int tile, int gap, int p0, int p1, short[] tmp, int[] acc, int a) {
        final byte[] idx = w.idx;
        final int tileBytes = w.groups * TILE, st = gap * tileBytes, o0 = tile * tileBytes;
        final int o1 = o0 + st, o2 = o1 + st, o3 = o2 + st, o4 = o3 + st, o5 = o4 + st, o6 = o5 + st, o7 = o6 + st;
        ShortVector v0 = ShortVector.zero(S), g0 = v0, v1 = v0, g1 = v0, v2 = v0, g2 = v0, v3 = v0, g3 = v0;
        ShortVector v4 = v0, g4 = v0, v5 = v0, g5 = v0, v6 = v0, g6 = v0, v7 = v0, g7 = v0;
        for (int p = p0; p < p1; p++) {
            int tab = lutOff + 2 * p * TABLE_BYTES, at = 2 * p * TILE;
            ByteVector l0 = ByteVector.fromArray(B, lut, tab), l1 = ByteVector.fromArray(B, lut, tab + 64);
            ByteVector h0 = ByteVector.fromArray(B, lut, tab + 128), h1 = ByteVector.fromArray(B, lut, tab + 192);
            ByteVector l2 = ByteVector.fromArray(B, lut, tab + 256), l3 = ByteVector.fromArray(B, lut, tab + 320);
            ByteVector h2 = ByteVector.fromArray(B, lut, tab + 384), h3 = ByteVector.fromArray(B, lut, tab + 448);
            ByteVector i0, i1;
            ShortVector lo, hi;
            i0 = ByteVector.fromArray(B, idx, o0 + at); i1 = ByteVector.fromArray(B, idx, o0 + at + TILE);
            lo = i0.selectFrom(l0, l1).add(i1.selectFrom(l2, l3)).reinterpretAsShorts();
            hi = i0.selectFrom(h0, h1).add(i1.selectFrom(h2, h3)).reinterpretAsShorts();
            v0 = v0.add(lo).add(hi.lanewise(VectorOperators.LSHL, SHIFT_4));
            g0 = g0.add(lo.lanewise(VectorOperators.LSHR, SHIFT_8)).add(hi.lanewise(VectorOperators.LSHR, SHIFT_8).lanewise(VectorOperators.LSHL, SHIFT_4));
            i0 = ByteVector.fromArray(B, idx, o1 + at); i1 = ByteVector.fromArray(B, idx, o1 + at + TILE);
            lo = i0.selectFrom(l0, l1).add(i1.selectFrom(l2, l3)).reinterpretAsShorts();
            hi = i0.selectFrom(h0, h1).add(i1.selectFrom(h2, h3)).reinterpretAsShorts();
            v1 = v1.add(lo).add(hi.lanewise(VectorOperators.LSHL, SHIFT_4));
            g1 = g1.add(lo.lanewise(VectorOperators.LSHR, SHIFT_8)).add(hi.lanewise(VectorOperators.LSHR, SHIFT_8).lanewise(VectorOperators.LSHL, SHIFT_4));
            i0 = ByteVector.fromArray(B, idx, o2 + at); i1 = ByteVector.fromArray(B, idx, o2 + at + TILE);
            lo = i0.selectFrom(l0, l1).add(i1.selectFrom(l2, l3)).reinterpretAsShorts();
            hi = i0.selectFrom(h0, h1).add(i1.selectFrom(h2, h3)).reinterpretAsShorts();
            v2 = v2.add(lo).add(hi.lanewise(VectorOperators.LSHL, SHIFT_4));
            g2 = g2.add(lo.lanewise(VectorOperators.LSHR, SHIFT_8)).add(hi.lanewise(VectorOperators.LSHR, SHIFT_8).lanewise(VectorOperators.LSHL, SHIFT_4));
            i0 = ByteVector.fromArray(B, idx, o3 + at); i1 = ByteVector.fromArray(B, idx, o3 + at + TILE);
            lo = i0.selectFrom(l0, l1).add(i1.selectFrom(l2, l3)).reinterpretAsShorts();
            hi = i0.selectFrom(h0, h1).add(i1.selectFrom(h2, h3)).reinterpretAsShorts();
            v3 = v3.add(lo).add(hi.lanewise(VectorOperators.LSHL, SHIFT_4));
            g3 = g3.add(lo.lanewise(VectorOperators.LSHR, SHIFT_8)).add(hi.lanewise(VectorOperators.LSHR, SHIFT_8).lanewise(VectorOperators.LSHL, SHIFT_4));
            i0 = ByteVector.fromArray(B, idx, o4 + at); i1 = ByteVector.fromArray(B, idx, o4 + at + TILE);
            lo = i0.selectFrom(l0, l1).add(i1.selectFrom(l2, l3)).reinterpretAsShorts();
            hi = i0.selectFrom(h0, h1).add(i1.selectFrom(h2, h3)).reinterpretAsShorts();
            v4 = v4.add(lo).add(hi.lanewise(VectorOperators.LSHL, SHIFT_4));
            g4 = g4.add(lo.lanewise(VectorOperators.LSHR, SHIFT_8)).add(hi.lanewise(VectorOperators.LSHR, SHIFT_8).lanewise(VectorOperators.LSHL, SHIFT_4));
            i0 = ByteVector.fromArray(B, idx, o5 + at); i1 = ByteVector.fromArray(B, idx, o5 + at + TILE);
            lo = i0.selectFrom(l0, l1).add(i1.selectFrom(l2, l3)).reinterpretAsShorts();
            hi = i0.selectFrom(h0, h1).add(i1.selectFrom(h2, h3)).reinterpretAsShorts();
            v5 = v5.add(lo).add(hi.lanewise(VectorOperators.LSHL, SHIFT_4));
            g5 = g5.add(lo.lanewise(VectorOperators.LSHR, SHIFT_8)).add(hi.lanewise(VectorOperators.LSHR, SHIFT_8).lanewise(VectorOperators.LSHL, SHIFT_4));
            i0 = ByteVector.fromArray(B, idx, o6 + at); i1 = ByteVector.fromArray(B, idx, o6 + at + TILE);
            lo = i0.selectFrom(l0, l1).add(i1.selectFrom(l2, l3)).reinterpretAsShorts();
            hi = i0.selectFrom(h0, h1).add(i1.selectFrom(h2, h3)).reinterpretAsShorts();
            v6 = v6.add(lo).add(hi.lanewise(VectorOperators.LSHL, SHIFT_4));
            g6 = g6.add(lo.lanewise(VectorOperators.LSHR, SHIFT_8)).add(hi.lanewise(VectorOperators.LSHR, SHIFT_8).lanewise(VectorOperators.LSHL, SHIFT_4));
            i0 = ByteVector.fromArray(B, idx, o7 + at); i1 = ByteVector.fromArray(B, idx, o7 + at + TILE);
            lo = i0.selectFrom(l0, l1).add(i1.selectFrom(l2, l3)).reinterpretAsShorts();
            hi = i0.selectFrom(h0, h1).add(i1.selectFrom(h2, h3)).reinterpretAsShorts();
            v7 = v7.add(lo).add(hi.lanewise(VectorOperators.LSHL, SHIFT_4));
            g7 = g7.add(lo.lanewise(VectorOperators.LSHR, SHIFT_8)).add(hi.lanewise(VectorOperators.LSHR, SHIFT_8).lanewise(VectorOperators.LSHL, SHIFT_4));
        }
        v0.sub(g0.lanewise(VectorOperators.LSHL, 8)).intoArray(tmp, 0); g0.intoArray(tmp, 32);
        v1.sub(g1.lanewise(VectorOperators.LSHL, 8)).intoArray(tmp, 64); g1.intoArray(tmp, 96);
        v2.sub(g2.lanewise(VectorOperators.LSHL, 8)).intoArray(tmp, 128); g2.intoArray(tmp, 160);
        v3.sub(g3.lanewise(VectorOperators.LSHL, 8)).intoArray(tmp, 192); g3.intoArray(tmp, 224);
        v4.sub(g4.lanewise(VectorOperators.LSHL, 8)).intoArray(tmp, 256); g4.intoArray(tmp, 288);
        v5.sub(g5.lanewise(VectorOperators.LSHL, 8)).intoArray(tmp, 320); g5.intoArray(tmp, 352);
        v6.sub(g6.lanewise(VectorOperators.LSHL, 8)).intoArray(tmp, 384); g6.intoArray(tmp, 416);
        v7.sub(g7.lanewise(VectorOperators.LSHL, 8)).intoArray(tmp, 448); g7.intoArray(tmp, 480);
        for (int k = 0; k < 8; k++) {
            for (int half = 0; half < 2; half++) {                    // even byte lanes (rows 0..31), then odd (32..63)
                ShortVector sums = ShortVector.fromArray(S, tmp, 64 * k + 32 * half);
                for (int part = 0; part < 2; part++) {                // int32 lanes 0..15, then 16..31, as unsigned
                    int to = a + TILE * gap * k + 32 * half + 16 * part;
                    ((IntVector) sums.convertShape(VectorOperators.S2I, I, part)).and(0xFFFF).add(IntVector.fromArray(I, acc, to)).intoArray(acc, to);
                }
            }
        }
    }

    /**
     * Four neighbouring tiles: a range's last four to seven tiles (pairs8 takes the rest). Accumulators as
     * in pairs2; tile tile + k's sums go to acc[a + 64 k ..].
     */
    private static void pairs4(TernaryMatrix w, byte[] lut, int lutOff, int tile, int p0, int p1, short[] tmp, int[] acc, int a) {
        final byte[] idx = w.idx;
        final int tileBytes = w.groups * TILE, a0 = tile * tileBytes, b0 = a0 + tileBytes, c0 = b0 + tileBytes, d0 = c0 + tileBytes;
        ShortVector va = ShortVector.zero(S), ha = va, wa = va, ga = va, vb = va, hb = va, wb = va, gb = va;
        ShortVector vc = va, hc = va, wc = va, gc = va, vd = va, hd = va, wd = va, gd = va;
        for (int p = p0; p < p1; p++) {
            int tab = lutOff + 2 * p * TABLE_BYTES, at = 2 * p * TILE;
            ByteVector l0 = ByteVector.fromArray(B, lut, tab), l1 = ByteVector.fromArray(B, lut, tab + 64);
            ByteVector h0 = ByteVector.fromArray(B, lut, tab + 128), h1 = ByteVector.fromArray(B, lut, tab + 192);
            ByteVector l2 = ByteVector.fromArray(B, lut, tab + 256), l3 = ByteVector.fromArray(B, lut, tab + 320);
            ByteVector h2 = ByteVector.fromArray(B, lut, tab + 384), h3 = ByteVector.fromArray(B, lut, tab + 448);
            ByteVector i0 = ByteVector.fromArray(B, idx, a0 + at), i1 = ByteVector.fromArray(B, idx, a0 + at + TILE);
            ShortVector y = i0.selectFrom(l0, l1).add(i1.selectFrom(l2, l3)).reinterpretAsShorts();
            va = va.add(y); ha = ha.add(y.lanewise(VectorOperators.LSHR, SHIFT_8));
            y = i0.selectFrom(h0, h1).add(i1.selectFrom(h2, h3)).reinterpretAsShorts();
            wa = wa.add(y); ga = ga.add(y.lanewise(VectorOperators.LSHR, SHIFT_8));
            i0 = ByteVector.fromArray(B, idx, b0 + at); i1 = ByteVector.fromArray(B, idx, b0 + at + TILE);
            y = i0.selectFrom(l0, l1).add(i1.selectFrom(l2, l3)).reinterpretAsShorts();
            vb = vb.add(y); hb = hb.add(y.lanewise(VectorOperators.LSHR, SHIFT_8));
            y = i0.selectFrom(h0, h1).add(i1.selectFrom(h2, h3)).reinterpretAsShorts();
            wb = wb.add(y); gb = gb.add(y.lanewise(VectorOperators.LSHR, SHIFT_8));
            i0 = ByteVector.fromArray(B, idx, c0 + at); i1 = ByteVector.fromArray(B, idx, c0 + at + TILE);
            y = i0.selectFrom(l0, l1).add(i1.selectFrom(l2, l3)).reinterpretAsShorts();
            vc = vc.add(y); hc = hc.add(y.lanewise(VectorOperators.LSHR, SHIFT_8));
            y = i0.selectFrom(h0, h1).add(i1.selectFrom(h2, h3)).reinterpretAsShorts();
            wc = wc.add(y); gc = gc.add(y.lanewise(VectorOperators.LSHR, SHIFT_8));
            i0 = ByteVector.fromArray(B, idx, d0 + at); i1 = ByteVector.fromArray(B, idx, d0 + at + TILE);
            y = i0.selectFrom(l0, l1).add(i1.selectFrom(l2, l3)).reinterpretAsShorts();
            vd = vd.add(y); hd = hd.add(y.lanewise(VectorOperators.LSHR, SHIFT_8));
            y = i0.selectFrom(h0, h1).add(i1.selectFrom(h2, h3)).reinterpretAsShorts();
            wd = wd.add(y); gd = gd.add(y.lanewise(VectorOperators.LSHR, SHIFT_8));
        }
        va.sub(ha.lanewise(VectorOperators.LSHL, 8)).intoArray(tmp, 0);   ha.intoArray(tmp, 32);
        wa.sub(ga.lanewise(VectorOperators.LSHL, 8)).intoArray(tmp, 64);  ga.intoArray(tmp, 96);
        vb.sub(hb.lanewise(VectorOperators.LSHL, 8)).intoArray(tmp, 128); hb.intoArray(tmp, 160);
        wb.sub(gb.lanewise(VectorOperators.LSHL, 8)).intoArray(tmp, 192); gb.intoArray(tmp, 224);
        vc.sub(hc.lanewise(VectorOperators.LSHL, 8)).intoArray(tmp, 256); hc.intoArray(tmp, 288);
        wc.sub(gc.lanewise(VectorOperators.LSHL, 8)).intoArray(tmp, 320); gc.intoArray(tmp, 352);
        vd.sub(hd.lanewise(VectorOperators.LSHL, 8)).intoArray(tmp, 384); hd.intoArray(tmp, 416);
        wd.sub(gd.lanewise(VectorOperators.LSHL, 8)).intoArray(tmp, 448); gd.intoArray(tmp, 480);
        addBlockSums(tmp, 4, acc, a);
    }

    /** The same for a single tile. */
    private static void pairs1(TernaryMatrix w, byte[] lut, int lutOff, int tile, int p0, int p1, short[] tmp, int[] acc, int a) {
        final byte[] idx = w.idx;
        final int a0 = tile * w.groups * TILE;
        ShortVector va = ShortVector.zero(S), ha = va, wa = va, ga = va;
        for (int p = p0; p < p1; p++) {
            int tab = lutOff + 2 * p * TABLE_BYTES, at = 2 * p * TILE;
            ByteVector i0 = ByteVector.fromArray(B, idx, a0 + at), i1 = ByteVector.fromArray(B, idx, a0 + at + TILE);
            ShortVector y = i0.selectFrom(ByteVector.fromArray(B, lut, tab), ByteVector.fromArray(B, lut, tab + 64))
                    .add(i1.selectFrom(ByteVector.fromArray(B, lut, tab + 256), ByteVector.fromArray(B, lut, tab + 320))).reinterpretAsShorts();
            va = va.add(y); ha = ha.add(y.lanewise(VectorOperators.LSHR, SHIFT_8));
            y = i0.selectFrom(ByteVector.fromArray(B, lut, tab + 128), ByteVector.fromArray(B, lut, tab + 192))
                    .add(i1.selectFrom(ByteVector.fromArray(B, lut, tab + 384), ByteVector.fromArray(B, lut, tab + 448))).reinterpretAsShorts();
            wa = wa.add(y); ga = ga.add(y.lanewise(VectorOperators.LSHR, SHIFT_8));
        }
        va.sub(ha.lanewise(VectorOperators.LSHL, 8)).intoArray(tmp, 0);   ha.intoArray(tmp, 32);
        wa.sub(ga.lanewise(VectorOperators.LSHL, 8)).intoArray(tmp, 64);  ga.intoArray(tmp, 96);
        addBlockSums(tmp, 1, acc, a);
    }

    /**
     * Adds the block sums of `tiles` tiles, stored in tmp as 128 shorts per tile (low table, rows 0..31
     * (even byte lanes); low, rows 32..63; high, 0..31; high, 32..63; each < 2^15), into
     * acc[a + 64 k + row] as 16 * high + low in int32.
     */
    private static void addBlockSums(short[] tmp, int tiles, int[] acc, int a) {
        for (int k = 0; k < tiles; k++) {
            for (int half = 0; half < 2; half++) {                    // even byte lanes (rows 0..31), then odd (32..63)
                int at = 128 * k + 32 * half;
                ShortVector lo = ShortVector.fromArray(S, tmp, at), hi = ShortVector.fromArray(S, tmp, at + 64);
                for (int part = 0; part < 2; part++) {                // int32 lanes 0..15, then 16..31
                    int to = a + TILE * k + 32 * half + 16 * part;
                    ((IntVector) hi.convertShape(VectorOperators.S2I, I, part)).lanewise(VectorOperators.LSHL, 4)
                            .add(lo.convertShape(VectorOperators.S2I, I, part)).add(IntVector.fromArray(I, acc, to)).intoArray(acc, to);
                }
            }
        }
    }

    private static void check(TernaryMatrix w, Int8Activations x) {
        if (x.cols != w.cols) {
            throw new IllegalArgumentException("activations have K=" + x.cols + " but the matrix has K=" + w.cols);
        }
    }

    /** Whether /proc/cpuinfo lists a CPU flag (Linux; false elsewhere, which picks the scalar kernel). */
    static boolean cpuHas(String flag) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) return java.util.Arrays.asList(line.substring(line.indexOf(':') + 1).trim().split("\\s+")).contains(flag);
            }
        } catch (Exception e) {
            // not Linux, or unreadable: assume no
        }
        return false;
    }
}
