package bitnut.infer;

import bitnut.infer.kernel.DenseMatrix;
import bitnut.infer.kernel.TernaryMatrix;
import bitnut.model.BitNetConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Engine forward vs the spec's slow reference; prefill vs decode; the three checkpoint kinds. */
class TransformerTest {
    static final int[] IDS = {2, 40, 77, 120, 9, 250, 33, 33, 101, 7, 64, 200, 18};

    static float[] run(Transformer tf, int[] ids) {
        float[] all = new float[ids.length * tf.config.vocabSize()];
        tf.forwardAll(ids, ids.length, tf.newCache(64), all);
        return all;
    }

    @Test
    void matchesTheSpecReferenceForwardAtEveryPosition(@TempDir Path tmp) throws IOException {
        for (boolean tied : new boolean[] {true, false}) {
            BitNetConfig c = TinyCheckpoint.config(tied);
            Map<String, float[]> w = TinyCheckpoint.latents(c, 11);
            Path dir = TinyCheckpoint.writeLatent(tmp.resolve("latent-" + tied), c, w);
            double[][] ref = new ReferenceForward(c, w).logits(IDS);
            try (Transformer tf = new Transformer(ModelLoader.loadAny(dir, ModelLoader.Options.DEFAULT), 2, 4)) {
                float[] got = run(tf, IDS);
                int V = c.vocabSize();
                double maxDiff = 0, maxAbs = 0;
                for (int t = 0; t < IDS.length; t++) {
                    int refTop = 0, gotTop = 0;
                    for (int r = 0; r < V; r++) {
                        maxDiff = Math.max(maxDiff, Math.abs(ref[t][r] - got[t * V + r]));
                        maxAbs = Math.max(maxAbs, Math.abs(ref[t][r]));
                        if (ref[t][r] > ref[t][refTop]) refTop = r;
                        if (got[t * V + r] > got[t * V + gotTop]) gotTop = r;
                    }
                    assertEquals(refTop, gotTop, "top-1 at position " + t);
                }
                assertTrue(maxAbs > 0.5, "logits are not trivially small: " + maxAbs);
                assertTrue(maxDiff < 2e-3 * maxAbs, "max |engine - reference| = " + maxDiff + " (max |logit| " + maxAbs + ")");
            }
        }
    }

    @Test
    void batchedPrefillEqualsTokenByTokenDecode(@TempDir Path tmp) throws IOException {
        BitNetConfig c = TinyCheckpoint.config(true);
        Path dir = TinyCheckpoint.writeLatent(tmp, c, TinyCheckpoint.latents(c, 12));
        BitNetModel model = ModelLoader.loadAny(dir, ModelLoader.Options.DEFAULT);
        try (Transformer batched = new Transformer(model, 1, 8); Transformer single = new Transformer(model, 2, 1)) {
            float[] a = run(batched, IDS);
            float[] b = run(single, IDS);
            for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-4f * (1 + Math.abs(a[i])));
            // forward() returns the last position's logits
            float[] last = batched.forward(IDS, IDS.length, batched.newCache(32));
            int V = c.vocabSize();
            for (int r = 0; r < V; r++) assertEquals(a[(IDS.length - 1) * V + r], last[r], 1e-5f * (1 + Math.abs(last[r])));
        }
    }

    @Test
    void bothTernaryLayoutsGiveTheSameLogits(@TempDir Path tmp) throws IOException {
        // LOOKUP_TILES (lookup kernel, also in prefill) vs BIT_PLANES (bit-plane kernel, prefill GEMM):
        // the CPU picks one; both are exact integer sums, so only fp32 reduction order may differ
        BitNetConfig c = TinyCheckpoint.config(true);
        Path dir = TinyCheckpoint.writeLatent(tmp, c, TinyCheckpoint.latents(c, 15));
        var f32 = DenseMatrix.Precision.F32;
        BitNetModel tiles = ModelLoader.loadAny(dir, new ModelLoader.Options(f32, TernaryMatrix.Layout.LOOKUP_TILES));
        BitNetModel planes = ModelLoader.loadAny(dir, new ModelLoader.Options(f32, TernaryMatrix.Layout.BIT_PLANES));
        assertEquals(TernaryMatrix.Layout.BIT_PLANES, planes.layers[0].q().layout);
        try (Transformer a = new Transformer(tiles, 2, 8); Transformer b = new Transformer(planes, 2, 8)) {
            float[] x = run(a, IDS), y = run(b, IDS);
            for (int i = 0; i < x.length; i++) assertEquals(x[i], y[i], 1e-5f * (1 + Math.abs(x[i])));
            float[] px = a.forward(IDS, IDS.length, a.newCache(32)), py = b.forward(IDS, IDS.length, b.newCache(32));   // prefill paths
            for (int i = 0; i < px.length; i++) assertEquals(px[i], py[i], 1e-5f * (1 + Math.abs(px[i])));
        }
    }

    @Test
    void packedCheckpointsOfBothScaleConventionsGiveTheLatentLogits(@TempDir Path tmp) throws IOException {
        BitNetConfig c = TinyCheckpoint.config(false);
        Map<String, float[]> w = TinyCheckpoint.latents(c, 13);
        BitNetModel latent = ModelLoader.loadAny(TinyCheckpoint.writeLatent(tmp.resolve("l"), c, w), ModelLoader.Options.DEFAULT);
        BitNetModel auto = ModelLoader.loadAny(TinyCheckpoint.writePacked(tmp.resolve("a"), c, w, "autobitlinear"), ModelLoader.Options.DEFAULT);
        BitNetModel bit = ModelLoader.loadAny(TinyCheckpoint.writePacked(tmp.resolve("b"), c, w, "bitlinear"), ModelLoader.Options.DEFAULT);
        try (Transformer tl = new Transformer(latent, 1, 4); Transformer ta = new Transformer(auto, 1, 4); Transformer tb = new Transformer(bit, 1, 4)) {
            float[] l = run(tl, IDS), a = run(ta, IDS), b = run(tb, IDS);
            for (int i = 0; i < l.length; i++) {
                // same codes and scale (the 1e-6 tolerance dates from before the kernels summed lanes in
                // one fixed order, VectorMath.sum, when C2 compiling a loop between runs moved 1 ulp)
                assertEquals(l[i], a[i], 1e-6f * (1 + Math.abs(l[i])));
                assertEquals(l[i], b[i], 1e-4f * (1 + Math.abs(l[i])));      // 1/(1/m) may differ in the last bit
            }
        }
    }

    @Test
    void refusesDenseAndBrokenCheckpointsWithTheReason(@TempDir Path tmp) throws IOException {
        BitNetConfig c = TinyCheckpoint.config(true);
        Map<String, float[]> w = TinyCheckpoint.latents(c, 14);
        Path dense = TinyCheckpoint.writeLatent(tmp.resolve("dense"), c.withPrecision(BitNetConfig.Precision.FULL), w);
        IOException e = assertThrows(IOException.class, () -> ModelLoader.loadAny(dense, ModelLoader.Options.DEFAULT));
        assertTrue(e.getMessage().contains("full-precision"), e.getMessage());

        Path other = TinyCheckpoint.writeLatent(tmp.resolve("other"), c, w);
        Files.writeString(other.resolve("config.json"), Files.readString(other.resolve("config.json")).replace("\"bitnet\"", "\"gptq\""));
        assertThrows(IOException.class, () -> ModelLoader.loadAny(other, ModelLoader.Options.DEFAULT));

        Path wrongShape = TinyCheckpoint.writeLatent(tmp.resolve("shape"), c, w);
        Files.writeString(wrongShape.resolve("config.json"),
                Files.readString(wrongShape.resolve("config.json")).replace("\"intermediate_size\" : 128", "\"intermediate_size\" : 192"));
        IOException s = assertThrows(IOException.class, () -> ModelLoader.loadAny(wrongShape, ModelLoader.Options.DEFAULT));
        assertTrue(s.getMessage().contains("shape"), s.getMessage());

        assertThrows(IOException.class, () -> ModelLoader.loadAny(tmp.resolve("missing"), ModelLoader.Options.DEFAULT));
    }

    @Test
    void headPrecisionsStayCloseToF32(@TempDir Path tmp) throws IOException {
        BitNetConfig c = TinyCheckpoint.config(false);
        Path dir = TinyCheckpoint.writeLatent(tmp, c, TinyCheckpoint.latents(c, 15));
        float[] f32 = null;
        for (DenseMatrix.Precision p : DenseMatrix.Precision.values()) {
            try (Transformer tf = new Transformer(ModelLoader.loadAny(dir, new ModelLoader.Options(p)), 1, 4)) {
                float[] l = run(tf, IDS);
                if (f32 == null) { f32 = l; continue; }
                double max = 0;
                for (int i = 0; i < l.length; i++) max = Math.max(max, Math.abs(l[i] - f32[i]));
                assertTrue(max < 0.5, p + " differs from f32 by " + max);
            }
        }
    }

    @Test
    void contextOverflowAndBadIdsAreClearErrors() {
        BitNetModel m = BitNetModel.random(TinyCheckpoint.config(true), DenseMatrix.Precision.F32, 1);
        try (Transformer tf = new Transformer(m, 1, 4)) {
            KvCache cache = tf.newCache(4);
            tf.forward(new int[] {1, 2, 3}, 3, cache);
            assertThrows(IllegalArgumentException.class, () -> tf.forward(new int[] {1, 2}, 2, cache));
            assertThrows(IllegalArgumentException.class, () -> tf.forward(new int[] {TinyCheckpoint.VOCAB}, 1, tf.newCache(4)));
        }
    }
}
