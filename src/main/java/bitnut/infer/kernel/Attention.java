package bitnut.infer.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
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
 * The p.V pass keeps 8 independent FMA chains (4 column slices x even/odd positions), so it runs
 * at FMA throughput instead of the latency of one accumulator per slice.
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
        for (int t = 0; t < tiles; t++) {
            int kb = kOff + t * hd * TILE;
            for (int j = 0; j < g; j++) tileScores(q, qOff + j * hd, hd, K, kb, scale, scores, j * ld + t * TILE);
        }
        for (int j = 0; j < g; j++) {
            int sb = j * ld;
            float max = Float.NEGATIVE_INFINITY;
            for (int p = 0; p < n; p++) max = Math.max(max, scores[sb + p]);
            float inv = 1f / expInPlace(scores, sb, n, max);
            int c = 0;
            for (; c + 4 * LANES <= hd; c += 4 * LANES) weightedSum4(scores, sb, n, V, vOff + c, hd, inv, out, outOff + j * hd + c);
            for (; c < hd; c += LANES) weightedSum1(scores, sb, n, V, vOff + c, hd, inv, out, outOff + j * hd + c);
        }
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
     * out[o .. o + 4 * LANES) = inv * sum_p w[wOff + p] * V[vOff + p * stride .. + 4 * LANES): four
     * LANES-wide column slices times two position streams (even / odd p) = 8 independent FMA chains.
     */
    private static void weightedSum4(float[] w, int wOff, int n, float[] V, int vOff, int stride, float inv, float[] out, int o) {
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
        a0.add(b0).mul(inv).intoArray(out, o);
        a1.add(b1).mul(inv).intoArray(out, o + LANES);
        a2.add(b2).mul(inv).intoArray(out, o + 2 * LANES);
        a3.add(b3).mul(inv).intoArray(out, o + 3 * LANES);
    }

    /** One LANES-wide slice of {@link #weightedSum4} (head dims that are not a multiple of 4 * LANES). */
    private static void weightedSum1(float[] w, int wOff, int n, float[] V, int vOff, int stride, float inv, float[] out, int o) {
        FloatVector a = FloatVector.zero(F), b = FloatVector.zero(F);
        int p = 0, pairs = n & ~1;
        for (; p < pairs; p += 2) {
            a = FloatVector.fromArray(F, V, vOff + p * stride).fma(FloatVector.broadcast(F, w[wOff + p]), a);
            b = FloatVector.fromArray(F, V, vOff + (p + 1) * stride).fma(FloatVector.broadcast(F, w[wOff + p + 1]), b);
        }
        if (p < n) a = FloatVector.fromArray(F, V, vOff + p * stride).fma(FloatVector.broadcast(F, w[wOff + p]), a);
        a.add(b).mul(inv).intoArray(out, o);
    }

    /** x[off + i] = exp(x[off + i] - max) for i < n; returns their sum. */
    private static float expInPlace(float[] x, int off, int n, float max) {
        FloatVector sumV = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector e = FloatVector.fromArray(F, x, off + i).sub(max).lanewise(VectorOperators.EXP);
            e.intoArray(x, off + i);
            sumV = sumV.add(e);
        }
        float sum = sumV.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            x[off + i] = (float) Math.exp(x[off + i] - max);
            sum += x[off + i];
        }
        return sum;
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
