package bitnut.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.engine.Engine;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Quantizer test vectors of bitnet-spec.md §9 and the straight-through gradients of §3.3. */
class BitLinearTest {

    @Test
    void weightQuantMatchesSpecVector() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray w = m.create(new float[] {0.8f, -0.5f, 1.2f, -1.5f, 0.4f, -0.9f, 1.3f, -0.7f, 0.2f}, new Shape(3, 3));
            float mean = (0.8f + 0.5f + 1.2f + 1.5f + 0.4f + 0.9f + 1.3f + 0.7f + 0.2f) / 9;
            assertArrayEquals(new float[] {1, -1, 1, -1, 0, -1, 1, -1, 0}, BitLinear.ternaryCodes(w).toFloatArray());
            float[] q = BitLinear.weightQuant(w).toFloatArray();
            float[] codes = {1, -1, 1, -1, 0, -1, 1, -1, 0};
            for (int i = 0; i < 9; i++) assertEquals(codes[i] * mean, q[i], 1e-6);
        }
    }

    @Test
    void actQuantMatchesSpecVectors() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray x = m.create(new float[] {1.0f, -0.6f, 0.7f, -0.9f, 0.4f, -1.2f, 0.8f, -0.5f, 0.3f}, new Shape(3, 3));
            float[] q = BitLinear.actQuant(x).toFloatArray();
            int[][] xq = {{127, -76, 89}, {-95, 42, -127}, {127, -79, 48}};
            float[] s = {127f / 1.0f, 127f / 1.2f, 127f / 0.8f};
            for (int r = 0; r < 3; r++) for (int c = 0; c < 3; c++) assertEquals(xq[r][c] / s[r], q[r * 3 + c], 1e-6, r + "," + c);
        }
    }

    @Test
    void tiesRoundHalfToEvenAndZeroTokensStayZero() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            // weights with mean|W| = 1: W*s = 0.5 -> 0, 1.5 -> 2 -> 1, 2.5 -> 2 -> 1, -0.5 -> 0 ; mean = (0.5+1.5+2.5+0.5+0)/5 = 1
            NDArray w = m.create(new float[] {0.5f, 1.5f, 2.5f, -0.5f, 0f}, new Shape(1, 5));
            assertArrayEquals(new float[] {0, 1, 1, 0, 0}, plusZero(BitLinear.ternaryCodes(w).toFloatArray()));  // -0.0 counts as 0
            // activations with max 127 -> s = 1: 2.5 -> 2, -3.5 -> -4, 0.5 -> 0
            NDArray x = m.create(new float[] {2.5f, -3.5f, 0.5f, 127f}, new Shape(1, 4));
            assertArrayEquals(new float[] {2, -4, 0, 127}, BitLinear.actQuant(x).toFloatArray());
            NDArray zero = m.zeros(new Shape(2, 4));
            float[] z = BitLinear.actQuant(zero).toFloatArray();
            for (float v : z) assertEquals(0f, v);
            float[] y = BitLinear.forward(zero, m.randomNormal(new Shape(3, 4)), true).toFloatArray();
            for (float v : y) { assertFalse(Float.isNaN(v)); assertEquals(0f, v, 0f); }
            float[] wz = BitLinear.weightQuant(m.zeros(new Shape(2, 2))).toFloatArray();
            for (float v : wz) assertEquals(0f, v);
        }
    }

    private static float[] plusZero(float[] a) {
        for (int i = 0; i < a.length; i++) a[i] += 0f;
        return a;
    }

    @Test
    void steGradientsEqualTheAnalyticOnes() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray x = m.randomNormal(new Shape(5, 8));
            NDArray w = m.randomNormal(0f, 0.5f, new Shape(6, 8), ai.djl.ndarray.types.DataType.FLOAT32);
            NDArray dy = m.randomNormal(new Shape(5, 6));
            x.setRequiresGradient(true);
            w.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray y = BitLinear.forward(x, w, true);
                gc.backward(y.mul(dy).sum());
            }
            float[] dx = x.getGradient().toFloatArray();
            float[] dw = w.getGradient().toFloatArray();
            JniUtils.setGradMode(false);
            float[] dxExpect = dy.matMul(BitLinear.weightQuant(w.stopGradient())).toFloatArray();          // dy @ What
            float[] dwExpect = dy.transpose().matMul(BitLinear.actQuant(x.stopGradient())).toFloatArray(); // dyᵀ @ xhat
            assertArrayEquals(dxExpect, dx, 1e-4f);
            assertArrayEquals(dwExpect, dw, 1e-4f);
            // and the forward value is the quantized product
            float[] y = BitLinear.forward(x.stopGradient(), w.stopGradient(), true).toFloatArray();
            float[] yExpect = BitLinear.actQuant(x.stopGradient()).matMul(BitLinear.weightQuant(w.stopGradient()).transpose()).toFloatArray();
            assertArrayEquals(yExpect, y, 1e-4f);
        }
    }
}
