package bitnut.infer.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/*
 * Decode attention of one query row against the KV cache, for the g query heads that share one kv
 * head (GQA, bitnet-spec.md §2.3: query head h reads kv head h / g), fp32 softmax:
 *   s_j[p] = (q_j . K[p]) * scale          p < n (causal: positions 0 .. pos)
 *   out_j  = sum_p softmax(s_j)[p] * V[p]
 * A scalar reference sits beside the vector kernel; tests compare them (tolerance: exp and the
 * summation order differ in ulps).
 *
 * Cache layout of ONE kv head (the KvCache keeps each head's positions contiguous, so a head is two
 * sequential streams from memory, not 4-line bursts at a 1 KB stride):
 *   keys   in tiles of TILE positions:  K[kOff + (p / TILE) * hd * TILE + d * TILE + p % TILE]
 *          (within a tile, dimension-major: the TILE keys' d-th components are one vector)
 *   values row-major:                   V[vOff + p * hd + d]
 * Why tiled keys: with row-major keys every score is a dot product of hd values ending in a
 * horizontal reduction of one vector (~20 cycles per position and head, measured: the score pass
 * was most of the kernel's time with the cache in L3). With a tile, the scores of TILE positions are
 * one vector: sum_d q[d] * tile[d], hd broadcast FMAs and no reduction at all.
 * The query heads of a group are processed three (then two, then one) at a time, so each K tile row
 * and each V row loaded feeds 3 FMAs instead of 1, and the p.V pass runs 12 (8) independent FMA
 * chains (heads x 4 column slices; a single head splits even / odd positions instead): it runs at
 * FMA throughput, not at the latency of one accumulator per slice.
 */
public final class Attention {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int LANES = F.length();
    /** Positions per key tile (one vector of scores). */
    public static final int TILE = LANES;

    private Attention() { }

    /** Index of key component d of position p in a kv head's tiled key block starting at 0. */
    public static int keyIndex(int p, int d, int hd) {
        return (p / TILE) * hd * TILE + d * TILE + p % TILE;
    }

    /** Floats a kv head's tiled key block needs for {@code capacity} positions. */
    public static int keyBlockSize(int capacity, int hd) {
        return Math.multiplyExact((capacity + TILE - 1) / TILE * TILE, hd);
    }

    /**
     * q_j at q[qOff + j * hd], j < g; the kv head's keys tiled at kOff, values at vOff (layout above);
     * out_j at out[outOff + j * hd]; scores is scratch of at least g * roundUp(n, TILE) floats.
     * Needs hd % LANES == 0 for the vector path (else it runs the reference).
     */
    public static void gqaRow(float[] q, int qOff, int g, int hd, float[] K, int kOff, float[] V, int vOff, int n,
                              float scale, float[] scores, float[] out, int outOff) {
        if (hd % LANES != 0) {
            gqaRowReference(q, qOff, g, hd, K, kOff, V, vOff, n, scale, scores, out, outOff);
            return;
        }
        int tiles = (n + TILE - 1) / TILE, ld = tiles * TILE;
        // scores[j * ld + p] = q_j . K[p] * scale, a whole tile of positions per call (lanes >= n unused)
        // the query heads of the group three (then two, then one) at a time, sharing each K tile row and
        // each V row they load: measured 0.26 -> 0.20 (pairs) -> 0.17 ms (triples) per token from DRAM,
        // 0.116 -> 0.072 ms in cache, 12 layers of bitnut-133m (g = 3) at context 128, 1 thread
        for (int t = 0; t < tiles; t++) {
            int kb = kOff + t * hd * TILE;
            int j = 0;
            for (; j + 2 < g; j += 3) tileScores3(q, qOff + j * hd, hd, K, kb, scale, scores, j * ld + t * TILE, ld);
            for (; j + 1 < g; j += 2) tileScores2(q, qOff + j * hd, qOff + (j + 1) * hd, hd, K, kb, scale, scores, j * ld + t * TILE, (j + 1) * ld + t * TILE);
            for (; j < g; j++) tileScores(q, qOff + j * hd, hd, K, kb, scale, scores, j * ld + t * TILE);
        }
        for (int j = 0; j < g; j++) softmaxInPlace(scores, j * ld, n);           // scores -> attention weights
        int j = 0;
        if (hd % (4 * LANES) == 0) {
            for (; j + 2 < g; j += 3) {
                for (int c = 0; c < hd; c += 4 * LANES) weightedSum4x3(scores, j * ld, ld, n, V, vOff + c, hd, out, outOff + j * hd + c, hd);
            }
            for (; j + 1 < g; j += 2) {
                for (int c = 0; c < hd; c += 4 * LANES) {
                    weightedSum4x2(scores, j * ld, (j + 1) * ld, n, V, vOff + c, hd, out, outOff + j * hd + c, outOff + (j + 1) * hd + c);
                }
            }
        }
        for (; j < g; j++) {
            int sb = j * ld, c = 0;
            for (; c + 4 * LANES <= hd; c += 4 * LANES) weightedSum4(scores, sb, n, V, vOff + c, hd, out, outOff + j * hd + c);
            for (; c < hd; c += LANES) weightedSum1(scores, sb, n, V, vOff + c, hd, out, outOff + j * hd + c);
        }
    }

    /** tileScores for three consecutive query heads (q at qa, qa + hd, qa + 2 hd; scores ld apart): 6 chains. */
    private static void tileScores3(float[] q, int qa, int hd, float[] K, int kb, float scale, float[] s, int sa, int ld) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), b0 = FloatVector.zero(F), b1 = FloatVector.zero(F);
        FloatVector c0 = FloatVector.zero(F), c1 = FloatVector.zero(F);
        int qb = qa + hd, qc = qb + hd;
        int d = 0, bound = hd & ~1;
        for (; d < bound; d += 2) {
            int k = kb + d * TILE;
            FloatVector k0 = FloatVector.fromArray(F, K, k), k1 = FloatVector.fromArray(F, K, k + TILE);
            a0 = k0.fma(FloatVector.broadcast(F, q[qa + d]), a0);
            a1 = k1.fma(FloatVector.broadcast(F, q[qa + d + 1]), a1);
            b0 = k0.fma(FloatVector.broadcast(F, q[qb + d]), b0);
            b1 = k1.fma(FloatVector.broadcast(F, q[qb + d + 1]), b1);
            c0 = k0.fma(FloatVector.broadcast(F, q[qc + d]), c0);
            c1 = k1.fma(FloatVector.broadcast(F, q[qc + d + 1]), c1);
        }
        if (d < hd) {
            FloatVector k0 = FloatVector.fromArray(F, K, kb + d * TILE);
            a0 = k0.fma(FloatVector.broadcast(F, q[qa + d]), a0);
            b0 = k0.fma(FloatVector.broadcast(F, q[qb + d]), b0);
            c0 = k0.fma(FloatVector.broadcast(F, q[qc + d]), c0);
        }
        a0.add(a1).mul(scale).intoArray(s, sa);
        b0.add(b1).mul(scale).intoArray(s, sa + ld);
        c0.add(c1).mul(scale).intoArray(s, sa + 2 * ld);
    }

    /** weightedSum4 for three consecutive heads (weights ld apart, outputs hd apart) sharing V loads: 12 chains. */
    private static void weightedSum4x3(float[] w, int wa, int ld, int n, float[] V, int vOff, int stride, float[] out, int oa, int hd) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        FloatVector b0 = FloatVector.zero(F), b1 = FloatVector.zero(F), b2 = FloatVector.zero(F), b3 = FloatVector.zero(F);
        FloatVector c0 = FloatVector.zero(F), c1 = FloatVector.zero(F), c2 = FloatVector.zero(F), c3 = FloatVector.zero(F);
        int wb = wa + ld, wc = wb + ld;
        for (int p = 0; p < n; p++) {
            int va = vOff + p * stride;
            FloatVector v0 = FloatVector.fromArray(F, V, va), v1 = FloatVector.fromArray(F, V, va + LANES);
            FloatVector v2 = FloatVector.fromArray(F, V, va + 2 * LANES), v3 = FloatVector.fromArray(F, V, va + 3 * LANES);
            FloatVector sa = FloatVector.broadcast(F, w[wa + p]), sb = FloatVector.broadcast(F, w[wb + p]), sc = FloatVector.broadcast(F, w[wc + p]);
            a0 = v0.fma(sa, a0);
            a1 = v1.fma(sa, a1);
            a2 = v2.fma(sa, a2);
            a3 = v3.fma(sa, a3);
            b0 = v0.fma(sb, b0);
            b1 = v1.fma(sb, b1);
            b2 = v2.fma(sb, b2);
            b3 = v3.fma(sb, b3);
            c0 = v0.fma(sc, c0);
            c1 = v1.fma(sc, c1);
            c2 = v2.fma(sc, c2);
            c3 = v3.fma(sc, c3);
        }
        int ob = oa + hd, oc = ob + hd;
        a0.intoArray(out, oa);
        a1.intoArray(out, oa + LANES);
        a2.intoArray(out, oa + 2 * LANES);
        a3.intoArray(out, oa + 3 * LANES);
        b0.intoArray(out, ob);
        b1.intoArray(out, ob + LANES);
        b2.intoArray(out, ob + 2 * LANES);
        b3.intoArray(out, ob + 3 * LANES);
        c0.intoArray(out, oc);
        c1.intoArray(out, oc + LANES);
        c2.intoArray(out, oc + 2 * LANES);
        c3.intoArray(out, oc + 3 * LANES);
    }

    /** tileScores for two query heads (q at qa and qb) sharing the K tile loads: 4 FMA chains. */
    private static void tileScores2(float[] q, int qa, int qb, int hd, float[] K, int kb, float scale, float[] s, int sa, int sb) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), b0 = FloatVector.zero(F), b1 = FloatVector.zero(F);
        int d = 0, bound = hd & ~1;
        for (; d < bound; d += 2) {
            int k = kb + d * TILE;
            FloatVector k0 = FloatVector.fromArray(F, K, k), k1 = FloatVector.fromArray(F, K, k + TILE);
            a0 = k0.fma(FloatVector.broadcast(F, q[qa + d]), a0);
            a1 = k1.fma(FloatVector.broadcast(F, q[qa + d + 1]), a1);
            b0 = k0.fma(FloatVector.broadcast(F, q[qb + d]), b0);
            b1 = k1.fma(FloatVector.broadcast(F, q[qb + d + 1]), b1);
        }
        if (d < hd) {
            FloatVector k0 = FloatVector.fromArray(F, K, kb + d * TILE);
            a0 = k0.fma(FloatVector.broadcast(F, q[qa + d]), a0);
            b0 = k0.fma(FloatVector.broadcast(F, q[qb + d]), b0);
        }
        a0.add(a1).mul(scale).intoArray(s, sa);
        b0.add(b1).mul(scale).intoArray(s, sb);
    }

    /** weightedSum4 for two heads (weights at wa and wb) sharing the V row loads: 8 FMA chains. */
    private static void weightedSum4x2(float[] w, int wa, int wb, int n, float[] V, int vOff, int stride, float[] out, int oa, int ob) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        FloatVector b0 = FloatVector.zero(F), b1 = FloatVector.zero(F), b2 = FloatVector.zero(F), b3 = FloatVector.zero(F);
        for (int p = 0; p < n; p++) {
            int va = vOff + p * stride;
            FloatVector v0 = FloatVector.fromArray(F, V, va), v1 = FloatVector.fromArray(F, V, va + LANES);
            FloatVector v2 = FloatVector.fromArray(F, V, va + 2 * LANES), v3 = FloatVector.fromArray(F, V, va + 3 * LANES);
            FloatVector sa = FloatVector.broadcast(F, w[wa + p]), sb = FloatVector.broadcast(F, w[wb + p]);
            a0 = v0.fma(sa, a0);
            a1 = v1.fma(sa, a1);
            a2 = v2.fma(sa, a2);
            a3 = v3.fma(sa, a3);
            b0 = v0.fma(sb, b0);
            b1 = v1.fma(sb, b1);
            b2 = v2.fma(sb, b2);
            b3 = v3.fma(sb, b3);
        }
        a0.intoArray(out, oa);
        a1.intoArray(out, oa + LANES);
        a2.intoArray(out, oa + 2 * LANES);
        a3.intoArray(out, oa + 3 * LANES);
        b0.intoArray(out, ob);
        b1.intoArray(out, ob + LANES);
        b2.intoArray(out, ob + 2 * LANES);
        b3.intoArray(out, ob + 3 * LANES);
    }

    /** s[sOff .. + TILE) = scale * sum_d q[qOff + d] * tile[d]: four FMA chains over d, no reduction. */
    private static void tileScores(float[] q, int qOff, int hd, float[] K, int kb, float scale, float[] s, int sOff) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        int d = 0, bound = hd & ~3;                      // `d < bound`: a counted loop for C2 (no range checks)
        for (; d < bound; d += 4) {
            int k = kb + d * TILE;
            a0 = FloatVector.fromArray(F, K, k).fma(FloatVector.broadcast(F, q[qOff + d]), a0);
            a1 = FloatVector.fromArray(F, K, k + TILE).fma(FloatVector.broadcast(F, q[qOff + d + 1]), a1);
            a2 = FloatVector.fromArray(F, K, k + 2 * TILE).fma(FloatVector.broadcast(F, q[qOff + d + 2]), a2);
            a3 = FloatVector.fromArray(F, K, k + 3 * TILE).fma(FloatVector.broadcast(F, q[qOff + d + 3]), a3);
        }
        for (; d < hd; d++) a0 = FloatVector.fromArray(F, K, kb + d * TILE).fma(FloatVector.broadcast(F, q[qOff + d]), a0);
        a0.add(a1).add(a2.add(a3)).mul(scale).intoArray(s, sOff);
    }

    /**
     * out[o .. o + 4 * LANES) = sum_p w[wOff + p] * V[vOff + p * stride .. + 4 * LANES): four
     * LANES-wide column slices times two position streams (even / odd p) = 8 independent FMA chains.
     */
    private static void weightedSum4(float[] w, int wOff, int n, float[] V, int vOff, int stride, float[] out, int o) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        FloatVector b0 = FloatVector.zero(F), b1 = FloatVector.zero(F), b2 = FloatVector.zero(F), b3 = FloatVector.zero(F);
        int p = 0, pairs = n & ~1;
        for (; p < pairs; p += 2) {
            int va = vOff + p * stride, vb = va + stride;
            FloatVector sa = FloatVector.broadcast(F, w[wOff + p]), sb = FloatVector.broadcast(F, w[wOff + p + 1]);
            a0 = FloatVector.fromArray(F, V, va).fma(sa, a0);
            a1 = FloatVector.fromArray(F, V, va + LANES).fma(sa, a1);
            a2 = FloatVector.fromArray(F, V, va + 2 * LANES).fma(sa, a2);
            a3 = FloatVector.fromArray(F, V, va + 3 * LANES).fma(sa, a3);
            b0 = FloatVector.fromArray(F, V, vb).fma(sb, b0);
            b1 = FloatVector.fromArray(F, V, vb + LANES).fma(sb, b1);
            b2 = FloatVector.fromArray(F, V, vb + 2 * LANES).fma(sb, b2);
            b3 = FloatVector.fromArray(F, V, vb + 3 * LANES).fma(sb, b3);
        }
        if (p < n) {
            int va = vOff + p * stride;
            FloatVector sa = FloatVector.broadcast(F, w[wOff + p]);
            a0 = FloatVector.fromArray(F, V, va).fma(sa, a0);
            a1 = FloatVector.fromArray(F, V, va + LANES).fma(sa, a1);
            a2 = FloatVector.fromArray(F, V, va + 2 * LANES).fma(sa, a2);
            a3 = FloatVector.fromArray(F, V, va + 3 * LANES).fma(sa, a3);
        }
        a0.add(b0).intoArray(out, o);
        a1.add(b1).intoArray(out, o + LANES);
        a2.add(b2).intoArray(out, o + 2 * LANES);
        a3.add(b3).intoArray(out, o + 3 * LANES);
    }

    /** One LANES-wide slice of {@link #weightedSum4} (head dims that are not a multiple of 4 * LANES). */
    private static void weightedSum1(float[] w, int wOff, int n, float[] V, int vOff, int stride, float[] out, int o) {
        FloatVector a = FloatVector.zero(F), b = FloatVector.zero(F);
        int p = 0, pairs = n & ~1;
        for (; p < pairs; p += 2) {
            a = FloatVector.fromArray(F, V, vOff + p * stride).fma(FloatVector.broadcast(F, w[wOff + p]), a);
            b = FloatVector.fromArray(F, V, vOff + (p + 1) * stride).fma(FloatVector.broadcast(F, w[wOff + p + 1]), b);
        }
        if (p < n) a = FloatVector.fromArray(F, V, vOff + p * stride).fma(FloatVector.broadcast(F, w[wOff + p]), a);
        a.add(b).intoArray(out, o);
    }

    /**
     * x[off .. off + n) = softmax of itself: exp(x - max) / sum, exp on whole vectors (VectorMath.exp,
     * which rounds the same compiled or not; the scalar tail uses Math.exp).
     */
    private static void softmaxInPlace(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int p = 0; p < n; p++) max = Math.max(max, x[off + p]);
        FloatVector sumV = FloatVector.zero(F);
        int i = 0, bound = F.loopBound(n);
        for (; i < bound; i += LANES) {
            FloatVector e = VectorMath.exp(FloatVector.fromArray(F, x, off + i).sub(max));
            e.intoArray(x, off + i);
            sumV = sumV.add(e);
        }
        float sum = VectorMath.sum(sumV);
        for (int k = i; k < n; k++) {
            x[off + k] = (float) Math.exp(x[off + k] - max);
            sum += x[off + k];
        }
        float inv = 1f / sum;
        for (i = 0; i < bound; i += LANES) FloatVector.fromArray(F, x, off + i).mul(inv).intoArray(x, off + i);
        for (; i < n; i++) x[off + i] *= inv;
    }

    /** Scalar reference of {@link #gqaRow}: one head at a time, as the spec writes it (same cache layout). */
    public static void gqaRowReference(float[] q, int qOff, int g, int hd, float[] K, int kOff, float[] V, int vOff, int n,
                                       float scale, float[] scores, float[] out, int outOff) {
        for (int j = 0; j < g; j++) {
            int qb = qOff + j * hd, ob = outOff + j * hd;
            float max = Float.NEGATIVE_INFINITY;
            for (int p = 0; p < n; p++) {
                float s = 0f;
                for (int d = 0; d < hd; d++) s += q[qb + d] * K[kOff + keyIndex(p, d, hd)];
                scores[p] = s * scale;
                max = Math.max(max, scores[p]);
            }
            float sum = 0f;
            for (int p = 0; p < n; p++) {
                scores[p] = (float) Math.exp(scores[p] - max);
                sum += scores[p];
            }
            for (int d = 0; d < hd; d++) {
                float acc = 0f;
                for (int p = 0; p < n; p++) acc += scores[p] * V[vOff + p * hd + d];
                out[ob + d] = acc / sum;
            }
        }
    }
}
