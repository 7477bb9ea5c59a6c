package bitnut.infer.kernel;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** VectorMath.sum: one fixed order of additions, whether the JIT has compiled it or not. */
class VectorMathTest {
    /** The order sum promises, written out in scalar code: lane i += lane i + h for h = LANES/2 .. 1. */
    static float pairwise(float[] lanes) {
        float[] v = lanes.clone();
        for (int h = v.length / 2; h >= 1; h /= 2) {
            for (int i = 0; i < h; i++) v[i] = v[i] + v[i + h];
        }
        return v[0];
    }

    @Test
    void sumAddsInTheSameFixedOrderInterpretedAndCompiled() {
        // Lanes of very different magnitudes, so that another order rounds differently (reduceLanes(ADD)
        // did: the interpreter adds lane by lane, C2's compiled code in a tree, and a seeded generation
        // changed once C2 had compiled the head kernel). The first calls run interpreted or in C1, the
        // last ones in C2 code: all must equal the scalar replica of the pairwise order.
        Random rnd = new Random(5);
        int lanes = VectorMath.LANES;
        float[][] cases = new float[64][lanes];
        int differsFromSequential = 0;
        for (float[] c : cases) {
            for (int i = 0; i < lanes; i++) c[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(9) - 4));
            float seq = 0f;
            for (float x : c) seq += x;
            if (seq != pairwise(c)) differsFromSequential++;
        }
        if (lanes > 2) assertEquals(true, differsFromSequential > 0, "the cases tell the two orders apart");
        for (int round = 0; round < 20_000; round++) {
            float[] c = cases[round % cases.length];
            float got = VectorMath.sum(FloatVector.fromArray(VectorMath.F, c, 0));
            if (got != pairwise(c)) assertEquals(pairwise(c), got, "round " + round);
        }
    }

    @Test
    void sum4GivesEachVectorsSumBitForBitInterpretedAndCompiled() {
        // The lm_head's four-row loops reduce four accumulators at once (sum4); row ranges' ragged ends
        // and the batched head (DenseGemm) reduce one at a time (sum). Both must give the same bits, or
        // a row's logit would depend on where a thread's range starts. Magnitudes as above, so that a
        // wrong pairing rounds differently.
        Random rnd = new Random(7);
        int lanes = VectorMath.LANES;
        float[][] v = new float[4 * 16][lanes];
        for (float[] c : v) for (int i = 0; i < lanes; i++) c[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(9) - 4));
        float[] out = new float[8];
        for (int round = 0; round < 20_000; round++) {
            int k = 4 * (round % 16);
            java.util.Arrays.fill(out, Float.NaN);
            VectorMath.sum4(FloatVector.fromArray(VectorMath.F, v[k], 0), FloatVector.fromArray(VectorMath.F, v[k + 1], 0),
                    FloatVector.fromArray(VectorMath.F, v[k + 2], 0), FloatVector.fromArray(VectorMath.F, v[k + 3], 0), out, 2);
            for (int j = 0; j < 4; j++) {
                if (out[2 + j] != pairwise(v[k + j])) assertEquals(pairwise(v[k + j]), out[2 + j], "round " + round + " vector " + j);
            }
            if (!Float.isNaN(out[0]) || !Float.isNaN(out[1]) || !Float.isNaN(out[6])) fail("wrote outside out[2..5]");
        }
    }

    /** VectorMath.exp written out in scalar code: the same roundings, lane by lane. */
    static float expReplica(float x) {
        x = Math.min(Math.max(x, -87.33654f), 88.72283f);
        float n = Math.fma(x, 1.44269504088896341f, 12582912f) - 12582912f;
        float r = Math.fma(n, -0.693359375f, x);
        r = Math.fma(n, 2.12194440e-4f, r);
        float p = Math.fma(r, 1.9875691500e-4f, 1.3981999507e-3f);
        p = Math.fma(p, r, 8.3334519073e-3f);
        p = Math.fma(p, r, 4.1665795894e-2f);
        p = Math.fma(p, r, 1.6666665459e-1f);
        p = Math.fma(p, r, 5.0000001201e-1f);
        p = Math.fma(p, r * r, r) + 1f;
        return p * Float.intBitsToFloat(((int) n + 127) << 23);
    }

    @Test
    void expIsAccurateAndRoundsTheSameInterpretedAndCompiled() {
        Random rnd = new Random(6);
        int lanes = VectorMath.LANES;
        float[] x = new float[lanes * 256], y = new float[x.length];
        for (int i = 0; i < x.length; i++) x[i] = (float) (i % 7 == 0 ? 20 * rnd.nextDouble() : -90 * rnd.nextDouble());
        x[0] = 0f;
        x[1] = -100f;                                                   // clamped: ~1e-38, not 0
        for (int round = 0; round < 400; round++) {                   // the first rounds interpreted, the last compiled
            for (int i = 0; i < x.length; i += lanes) VectorMath.exp(FloatVector.fromArray(VectorMath.F, x, i)).intoArray(y, i);
            for (int i = 0; i < x.length; i++) {
                if (Float.floatToIntBits(y[i]) != Float.floatToIntBits(expReplica(x[i]))) assertEquals(expReplica(x[i]), y[i], "round " + round + ", x = " + x[i]);
            }
        }
        for (int i = 0; i < x.length; i++) {
            if (x[i] < -87.3f) continue;
            double want = Math.exp(x[i]);
            assertEquals(want, y[i], 3e-7 * want, "x = " + x[i]);
        }
        assertEquals(1f, y[0]);
        assertEquals(true, y[1] >= 0f && y[1] < 1e-37f);
    }
}
