package bitnut.infer.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/*
 * Decode attention of one query row against the KV cache, for the g query heads that share one kv
 * head (GQA, bitnet-spec.md §2.3: query head h reads kv head h / g), fp32 softmax:
 *   s_j[p] = (q_j . K[p]) * scale          p < n (causal: positions 0 .. pos)
 *   out_j  = sum_p softmax(s_j)[p] * V[p]
 * A scalar reference sits beside the vector kernel; tests compare them (tolerance: exp differs in ulps).
 *
 * Why a kernel of its own: the per-head loop it replaces re-read each K/V row once per query head
 * (g = 3 times in bitnut-133m), called scalar Math.exp per position and accumulated p * V with a
 * load-modify-store of the output row per position. Here the g heads are one unit of work (the K/V
 * rows come from L1 for heads 2..g), exp runs on whole vectors of scores, and out_j is accumulated in
 * registers over all positions (one vector accumulator per LANES-wide slice of the head dim,
 * innermost loop over p) and stored once.
 */
public final class Attention {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int LANES = F.length();

    private Attention() { }

    /**
     * q_j at q[qOff + j * hd], j < g; K/V row of position p at K/V[p * kvDim + kvOff]; out_j at
     * out[outOff + j * hd]; scores is scratch of at least g * n floats. Needs hd % LANES == 0 for the
     * vector path (else it runs the reference).
     */
    public static void gqaRow(float[] q, int qOff, int g, int hd, float[] K, float[] V, int kvDim, int kvOff, int n,
                              float scale, float[] scores, float[] out, int outOff) {
        if (hd % LANES != 0) {
            gqaRowReference(q, qOff, g, hd, K, V, kvDim, kvOff, n, scale, scores, out, outOff);
            return;
        }
        // scores[j * n + p] = q_j . K[p] * scale
        for (int p = 0; p < n; p++) {
            int kb = p * kvDim + kvOff;
            for (int j = 0; j < g; j++) scores[j * n + p] = dot(q, qOff + j * hd, K, kb, hd) * scale;
        }
        for (int j = 0; j < g; j++) {
            int sb = j * n;
            float max = Float.NEGATIVE_INFINITY;
            for (int p = 0; p < n; p++) max = Math.max(max, scores[sb + p]);
            float sum = expInPlace(scores, sb, n, max);
            float inv = 1f / sum;
            for (int c = 0; c < hd; c += LANES) {
                FloatVector acc = FloatVector.zero(F);
                for (int p = 0; p < n; p++) {
                    acc = FloatVector.fromArray(F, V, p * kvDim + kvOff + c).fma(FloatVector.broadcast(F, scores[sb + p]), acc);
                }
                acc.mul(inv).intoArray(out, outOff + j * hd + c);
            }
        }
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

    /** hd is a multiple of LANES here: a plain FMA loop and one reduction. */
    private static float dot(float[] a, int aOff, float[] b, int bOff, int hd) {
        FloatVector acc = FloatVector.zero(F);
        for (int i = 0; i < hd; i += LANES) acc = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc);
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /** Scalar reference of {@link #gqaRow}: one head at a time, as the spec writes it. */
    public static void gqaRowReference(float[] q, int qOff, int g, int hd, float[] K, float[] V, int kvDim, int kvOff, int n,
                                       float scale, float[] scores, float[] out, int outOff) {
        for (int j = 0; j < g; j++) {
            int qb = qOff + j * hd, ob = outOff + j * hd;
            float max = Float.NEGATIVE_INFINITY;
            for (int p = 0; p < n; p++) {
                float s = 0f;
                for (int d = 0; d < hd; d++) s += q[qb + d] * K[p * kvDim + kvOff + d];
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
                for (int p = 0; p < n; p++) acc += scores[p] * V[p * kvDim + kvOff + d];
                out[ob + d] = acc / sum;
            }
        }
    }
}
