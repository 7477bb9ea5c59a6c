package bitnut.infer;

import bitnut.infer.kernel.DenseMatrix;
import bitnut.model.BitNetConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The decode profile of `bench infer --profile`: every phase is timed on the real forward, bytes add up. */
class InferBenchTest {
    @Test
    void profileChargesEveryPhaseAndItsBytesMatchTheFloorsDenominator() {
        BitNetConfig c = TinyCheckpoint.config(false);
        BitNetModel m = BitNetModel.random(c, DenseMatrix.Precision.F32, 5);
        List<InferBench.PhaseCost> costs = InferBench.profile(m, 2, 8, 9, 1);
        assertEquals(DecodeProfile.Phase.values().length, costs.size());
        for (InferBench.PhaseCost pc : costs) {
            if (pc.phase() != DecodeProfile.Phase.EMBED) assertTrue(pc.msPerToken() > 0, pc.toString());
        }
        long bytes = costs.stream().mapToLong(InferBench.PhaseCost::bytesPerToken).sum();
        long weights = costs.stream().filter(pc -> pc.phase() != DecodeProfile.Phase.ATTENTION)
                .mapToLong(InferBench.PhaseCost::bytesPerToken).sum();
        // weights + head + norms (+ one embedding row) == the model's own count; attention == the KV cache at the mean context
        assertEquals(m.bytesPerDecodedToken() + m.embed.bytes() / m.embed.rows, weights);
        assertEquals(InferBench.bytesPerToken(m, 8 + 9 / 2) + m.embed.bytes() / m.embed.rows, bytes);
    }

    @Test
    void warmUpLeavesTheEngineGeneratingTheSameText(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        BitNetConfig c = TinyCheckpoint.config(true);
        java.nio.file.Path dir = TinyCheckpoint.writeLatent(tmp.resolve("ckpt"), c, TinyCheckpoint.latents(c, 8));
        SamplingSettings greedy = new SamplingSettings(12, 0f, 0, 1f, 0f, 1f, 1, List.of(), false, List.of());
        try (InferenceEngine cold = InferenceEngine.open(dir, null, InferenceEngine.Options.defaults());
             InferenceEngine warm = InferenceEngine.open(dir, null, InferenceEngine.Options.defaults())) {
            assertTrue(warm.warmUp() > 0);
            GenerationResult a = cold.generator().generate("woof", greedy, null, null);
            GenerationResult b = warm.generator().generate("woof", greedy, null, null);
            assertEquals(12, b.newTokens());
            assertEquals(a.text(), b.text());
        }
    }

    @Test
    void headQualityIsExactAgainstItselfAndCostsALittleInInt8() {
        BitNetConfig c = TinyCheckpoint.config(false);
        BitNetModel f32 = BitNetModel.random(c, DenseMatrix.Precision.F32, 9);
        BitNetModel int8 = BitNetModel.random(c, DenseMatrix.Precision.INT8, 9);      // same seed: same weights, int8 head
        int[] tokens = InferBench.randomPrompt(c.vocabSize(), 70, 4);
        InferBench.Quality self = InferBench.quality(f32, f32, tokens, 32);
        assertEquals(69 - 2, self.positions());                                        // windows 32 + 32 + 6: 31 + 31 + 5
        assertEquals(1.0, self.top1());
        // Two runs of the same model agree bit for bit, whatever C2 has compiled in between: the kernels
        // add vector lanes and take exps in one fixed order (VectorMath.sum, VectorMath.exp).
        assertEquals(0.0, self.meanKl());
        assertEquals(self.pplReference(), self.pplOther());
        assertTrue(self.pplReference() > 1 && self.pplReference() < 10 * c.vocabSize(), self.toString());
        InferBench.Quality q = InferBench.quality(f32, int8, tokens, 32);
        assertTrue(q.meanKl() > 0 && q.meanKl() < 0.05, q.toString());
        assertEquals(self.pplReference(), q.pplReference(), 1e-5 * self.pplReference());
    }

    @Test
    void attachingAProfileDoesNotChangeTheLogits() {
        BitNetConfig c = TinyCheckpoint.config(true);
        BitNetModel m = BitNetModel.random(c, DenseMatrix.Precision.F32, 6);
        int[] ids = InferBench.randomPrompt(c.vocabSize(), 6, 3);
        try (Transformer tf = new Transformer(m, 2, 8)) {
            float[] plain = tf.forward(ids, ids.length, tf.newCache(8));
            DecodeProfile p = new DecodeProfile();
            tf.profile(p);
            float[] profiled = tf.forward(ids, ids.length, tf.newCache(8));
            p.countToken();
            assertArrayEquals(plain, profiled, 0f);
            Map<DecodeProfile.Phase, Double> ms = p.msPerToken();
            assertTrue(ms.get(DecodeProfile.Phase.QKV) > 0 && ms.get(DecodeProfile.Phase.HEAD) > 0, ms.toString());
        }
    }
}
