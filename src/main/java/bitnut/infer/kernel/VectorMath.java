package bitnut.infer.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.util.function.IntUnaryOperator;

/*
 * The small fp32 vector loops (RMSNorm; q.k scores and p*v accumulation), with scalar
 * references beside them. Head dims are 64-128, so each call is short: loops end with a scalar
 * tail instead of masks.
 */
public final class VectorMath {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int LANES = F.length();

    private VectorMath() { }

    // lane i <- lane i + h (mod LANES): the steps of sum's fixed pairwise order
    private static final VectorShuffle<Float> NEXT_8 = VectorShuffle.iota(F, 8 % LANES, 1, true);
    private static final VectorShuffle<Float> NEXT_4 = VectorShuffle.iota(F, 4 % LANES, 1, true);
    private static final VectorShuffle<Float> NEXT_2 = VectorShuffle.iota(F, 2 % LANES, 1, true);
    private static final VectorShuffle<Float> NEXT_1 = VectorShuffle.iota(F, 1 % LANES, 1, true);

    /**
     * The sum of v's lanes in one fixed pairwise order (lane i + lane i + LANES/2, and so on down to
     * lane 0), used instead of reduceLanes(ADD) by every inference kernel. Why: reduceLanes(ADD) on
     * floats may add in any order, and it does differ: C2's compiled reduction adds in a tree, the
     * interpreter / C1 fallback lane by lane, so the same generation came out different depending on
     * which kernels C2 had compiled yet (a seeded sample changed text after the 4th of 6 identical
     * runs on a fresh engine). Lane-wise adds and rearranges round the same compiled or not.
     */
    public static float sum(FloatVector v) {
        if (LANES >= 16) v = v.add(v.rearrange(NEXT_8));
        if (LANES >= 8) v = v.add(v.rearrange(NEXT_4));
        if (LANES >= 4) v = v.add(v.rearrange(NEXT_2));
        if (LANES >= 2) v = v.add(v.rearrange(NEXT_1));
        return v.lane(0);
    }

    // sum4's lane patterns (16 lanes): two-vector selects (index < 16: first vector, else second) and
    // one-vector ones, each step pairing the same lanes as sum's step for every one of the four inputs
    private static final FloatVector LO_HALVES = twoVectorIndex(i -> i < 8 ? i : 16 + i - 8);          // a[0..7], b[0..7]
    private static final FloatVector HI_HALVES = twoVectorIndex(i -> i < 8 ? i + 8 : 16 + i);          // a[8..15], b[8..15]
    private static final FloatVector LO_QUARTERS = twoVectorIndex(i -> (i < 8 ? 0 : 16) + (i & 4) * 2 + (i & 3));      // lanes 0..3 of each 8
    private static final FloatVector HI_QUARTERS = twoVectorIndex(i -> (i < 8 ? 0 : 16) + (i & 4) * 2 + (i & 3) + 4);  // lanes 4..7 of each 8
    private static final VectorShuffle<Float> EVEN_PAIRS = shuffle(i -> i < 8 ? (i / 2) * 4 + (i & 1) : 0);     // lanes 0,1 of each 4
    private static final VectorShuffle<Float> ODD_PAIRS = shuffle(i -> i < 8 ? (i / 2) * 4 + (i & 1) + 2 : 0);  // lanes 2,3 of each 4
    private static final VectorShuffle<Float> EVEN_LANES = shuffle(i -> i < 4 ? 2 * i : 0);
    private static final VectorShuffle<Float> ODD_LANES = shuffle(i -> i < 4 ? 2 * i + 1 : 0);
    private static final VectorMask<Float> FIRST_4 = VectorMask.fromLong(F, 0xF);

    private static FloatVector twoVectorIndex(IntUnaryOperator f) {
        float[] idx = new float[LANES];
        for (int i = 0; i < LANES && LANES == 16; i++) idx[i] = f.applyAsInt(i);
        return FloatVector.fromArray(F, idx, 0);
    }

    private static VectorShuffle<Float> shuffle(IntUnaryOperator f) {
        int[] idx = new int[LANES];
        for (int i = 0; i < LANES && LANES == 16; i++) idx[i] = f.applyAsInt(i);
        return VectorShuffle.fromArray(F, idx, 0);
    }

    /**
     * out[off + k] = sum(k-th of a, b, c, d), bit for bit, with 15 vector ops instead of 4 x 8: the four
     * inputs share each step of sum's pairwise order (16 lanes: halves, then quarters of the lanes a and b,
     * c and d still need, and so on). Why: four sum calls made the lm_head's four-row loop so large that
     * C2 stopped inlining at the third or fourth (NodeCountInliningCutoff), and each call not inlined
     * boxed its vector on the heap. Falls back to four sum calls on other vector sizes.
     */
    public static void sum4(FloatVector a, FloatVector b, FloatVector c, FloatVector d, float[] out, int off) {
        if (LANES != 16) {
            out[off] = sum(a);
            out[off + 1] = sum(b);
            out[off + 2] = sum(c);
            out[off + 3] = sum(d);
            return;
        }
        FloatVector ab = LO_HALVES.selectFrom(a, b).add(HI_HALVES.selectFrom(a, b));   // a[i] + a[i+8] | b[i] + b[i+8]
        FloatVector cd = LO_HALVES.selectFrom(c, d).add(HI_HALVES.selectFrom(c, d));
        FloatVector q = LO_QUARTERS.selectFrom(ab, cd).add(HI_QUARTERS.selectFrom(ab, cd));  // + lane 4 ahead: a | b | c | d, 4 lanes each
        FloatVector p = q.rearrange(EVEN_PAIRS).add(q.rearrange(ODD_PAIRS));               // + lane 2 ahead: 2 lanes each
        p.rearrange(EVEN_LANES).add(p.rearrange(ODD_LANES)).intoArray(out, off, FIRST_4); // + lane 1 ahead
    }

    // exp: Cephes expf's range reduction and polynomial (rel. error ~1e-7 on [-87, 88])
    private static final float LOG2E = 1.44269504088896341f, LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    private static final float EXP_LO = -87.33654f, EXP_HI = 88.72283f, RNE = 12582912f;   // RNE = 1.5 * 2^23
    private static final float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f,
            P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;

    /**
     * exp of every lane, from lane-wise adds, multiplies, FMAs and integer ops only, so it gives the same
     * bits compiled or interpreted. Why not lanewise(EXP): C2 compiles it to SVML, whose results differ
     * from the interpreter's Math.exp in ~1% of lanes (last bit), so attention weights, and through them
     * a seeded sample, depended on what C2 had compiled yet. Inputs are clamped to [-87.34, 88.72]
     * (below: ~1e-38 instead of 0, harmless in a softmax whose largest term is 1).
     * exp(x) = 2^n * e^r, n = rint(x log2 e), r = x - n ln 2 in two parts, e^r a degree-7 polynomial.
     */
    public static FloatVector exp(FloatVector x) {
        x = x.max(EXP_LO).min(EXP_HI);
        FloatVector n = x.fma(FloatVector.broadcast(F, LOG2E), FloatVector.broadcast(F, RNE)).sub(RNE);   // round half even
        FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_HI), x);
        r = n.fma(FloatVector.broadcast(F, -LN2_LO), r);
        FloatVector p = r.fma(FloatVector.broadcast(F, P0), FloatVector.broadcast(F, P1));
        p = p.fma(r, FloatVector.broadcast(F, P2));
        p = p.fma(r, FloatVector.broadcast(F, P3));
        p = p.fma(r, FloatVector.broadcast(F, P4));
        p = p.fma(r, FloatVector.broadcast(F, P5));
        p = p.fma(r.mul(r), r).add(1f);
        IntVector bits = ((IntVector) n.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23);
        return p.mul(bits.reinterpretAsFloats());
    }

    /** sum_i a[aOff+i] * b[bOff+i], i < n. */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            acc = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc);
        }
        float s = sum(acc);
        for (; i < n; i++) s += a[aOff + i] * b[bOff + i];
        return s;
    }

    public static float dotReference(float[] a, int aOff, float[] b, int bOff, int n) {
        float s = 0f;
        for (int i = 0; i < n; i++) s += a[aOff + i] * b[bOff + i];
        return s;
    }

    /** y[yOff+i] += alpha * x[xOff+i], i < n. */
    public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        FloatVector a = FloatVector.broadcast(F, alpha);
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(F, x, xOff + i).fma(a, FloatVector.fromArray(F, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
    }

    /**
     * RMSNorm (HF BitNetRMSNorm, fp32): y = x * rsqrt(mean(x^2) + eps) * g over n values; in place is
     * fine. The sum of squares is accumulated in vector lanes, so it differs from the reference in
     * the last bits (summation order), never more.
     */
    public static void rmsnorm(float[] x, int xOff, float[] g, float[] y, int yOff, int n, float eps) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        int bound = F.loopBound(n);
        for (; i < bound; i += LANES) {
            FloatVector v = FloatVector.fromArray(F, x, xOff + i);
            acc = v.fma(v, acc);
        }
        float ss = sum(acc);
        for (; i < n; i++) ss += x[xOff + i] * x[xOff + i];
        float r = (float) (1.0 / Math.sqrt(ss / n + eps));
        for (i = 0; i < bound; i += LANES) {
            FloatVector.fromArray(F, x, xOff + i).mul(r).mul(FloatVector.fromArray(F, g, i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] = x[xOff + i] * r * g[i];
    }

    public static void rmsnormReference(float[] x, int xOff, float[] g, float[] y, int yOff, int n, float eps) {
        float ss = 0f;
        for (int i = 0; i < n; i++) ss += x[xOff + i] * x[xOff + i];
        float r = (float) (1.0 / Math.sqrt(ss / n + eps));
        for (int i = 0; i < n; i++) y[yOff + i] = x[xOff + i] * r * g[i];
    }

    public static void axpyReference(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
    }
}
