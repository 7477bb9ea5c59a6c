package bitnut.infer.kernel;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
