package bitnut.parity;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import bitnut.infer.InferenceEngine;
import bitnut.infer.ModelLoader;
import bitnut.infer.TinyCheckpoint;
import bitnut.infer.Transformer;
import bitnut.model.BitNetConfig;
import bitnut.model.BitNetModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Parity of the pure-Java ternary engine (bitnut.infer: packed 2-bit weights, int8 activations,
 * KV cache, batched prefill) with the DJL training forward (bitnut.model.BitNetModel: fake-quant
 * BitLinear with STE on libtorch) on the same tiny checkpoint file: same top-1 at every position and
 * a small max |logit difference|. The only package allowed to use both.
 */
class EngineParityTest {
    static final int[] IDS = {2, 17, 99, 140, 33, 33, 250, 7, 64, 201, 11, 180, 90, 45, 3, 120, 77, 5, 260, 31};

    @Test
    void engineLogitsMatchTheDjlTrainingForward(@TempDir Path tmp) throws Exception {
        for (boolean tied : new boolean[] {true, false}) {
            BitNetConfig c = TinyCheckpoint.config(tied);
            Map<String, float[]> w = TinyCheckpoint.latents(c, 77);
            Path dir = TinyCheckpoint.writeLatent(tmp.resolve("ckpt-" + tied), c, w);
            int T = IDS.length, V = c.vocabSize();

            float[] djl;
            try (NDManager manager = NDManager.newBaseManager(); BitNetModel model = BitNetModel.load(c, manager, dir.resolve("model.safetensors"))) {
                long[] ids = new long[T];
                for (int i = 0; i < T; i++) ids[i] = IDS[i];
                NDArray logits = model.forward(manager.create(ids, new Shape(1, T)), null, null);     // [T, V]
                djl = logits.toFloatArray();
            }

            float[] engine = new float[T * V];
            try (Transformer tf = new Transformer(ModelLoader.loadAny(dir, ModelLoader.Options.DEFAULT), 2, 8)) {
                tf.forwardAll(IDS, T, tf.newCache(T), engine);                                       // prefill in batches of 8
            }

            double maxDiff = 0, maxAbs = 0;
            for (int t = 0; t < T; t++) {
                int a = 0, b = 0;
                for (int r = 0; r < V; r++) {
                    float x = djl[t * V + r], y = engine[t * V + r];
                    maxDiff = Math.max(maxDiff, Math.abs(x - y));
                    maxAbs = Math.max(maxAbs, Math.abs(x));
                    if (x > djl[t * V + a]) a = r;
                    if (y > engine[t * V + b]) b = r;
                }
                assertEquals(a, b, "top-1 differs at position " + t + " (tied=" + tied + ")");
            }
            assertTrue(maxAbs > 0.5, "logits not trivially small: " + maxAbs);
            assertTrue(maxDiff < 2e-3 * maxAbs, "max |engine - DJL| = " + maxDiff + " with max |logit| " + maxAbs);
        }
    }

    @Test
    void decodingTokenByTokenAgreesWithTheDjlForwardToo(@TempDir Path tmp) throws Exception {
        BitNetConfig c = TinyCheckpoint.config(true);
        Path dir = TinyCheckpoint.writeLatent(tmp, c, TinyCheckpoint.latents(c, 78));
        int T = IDS.length, V = c.vocabSize();
        float[] djl;
        try (NDManager manager = NDManager.newBaseManager(); BitNetModel model = BitNetModel.load(c, manager, dir.resolve("model.safetensors"))) {
            long[] ids = new long[T];
            for (int i = 0; i < T; i++) ids[i] = IDS[i];
            djl = model.forward(manager.create(ids, new Shape(1, T)), null, null).toFloatArray();
        }
        try (InferenceEngine engine = InferenceEngine.open(dir, null, new InferenceEngine.Options(1, bitnut.infer.kernel.DenseMatrix.Precision.F32, 0, 1))) {
            var cache = engine.transformer().newCache(T);
            for (int t = 0; t < T; t++) {
                float[] l = engine.transformer().forward(new int[] {IDS[t]}, 1, cache);   // one token at a time (KV cache)
                for (int r = 0; r < V; r++) assertEquals(djl[t * V + r], l[r], 2e-3f * (1 + Math.abs(l[r])), "position " + t);
            }
        }
    }
}
