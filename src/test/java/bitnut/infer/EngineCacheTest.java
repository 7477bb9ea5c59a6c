package bitnut.infer;

import bitnut.infer.kernel.DenseMatrix;
import bitnut.model.BitNetConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The tabs' engine cache on a real tiny checkpoint: one engine per (checkpoint, head precision), least recently used closed. */
class EngineCacheTest {
    @Test
    void keepsOneEnginePerCheckpointAndHeadPrecision(@TempDir Path tmp) throws Exception {
        BitNetConfig c = TinyCheckpoint.config(true);
        Path a = TinyCheckpoint.writeLatent(tmp.resolve("a"), c, TinyCheckpoint.latents(c, 1));
        Path b = TinyCheckpoint.writeLatent(tmp.resolve("b"), c, TinyCheckpoint.latents(c, 2));
        SamplingSettings greedy = new SamplingSettings(8, 0f, 0, 1f, 0f, 1f, 1, List.of(), false, List.of());
        try (EngineCache cache = new EngineCache(2, InferenceEngine.Options.defaults(), null)) {
            InferenceEngine dflt = cache.get(a);
            assertEquals(DenseMatrix.Precision.INT8, dflt.model().lmHead.precision(), "the default head precision");
            assertSame(dflt, cache.get(a.resolve(".").resolve("..").resolve("a")), "the same folder, spelled differently");
            assertSame(dflt, cache.get(a, DenseMatrix.Precision.INT8));
            InferenceEngine f32 = cache.get(a, DenseMatrix.Precision.F32);
            assertNotSame(dflt, f32);
            assertEquals(DenseMatrix.Precision.F32, f32.model().lmHead.precision());
            assertEquals(8, f32.generator().generate("woof", greedy, null, null).newTokens());
            // a third engine closes the least recently used one (the int8 engine of a)
            InferenceEngine other = cache.get(b, DenseMatrix.Precision.BF16);
            assertEquals(DenseMatrix.Precision.BF16, other.model().lmHead.precision());
            assertSame(f32, cache.get(a, DenseMatrix.Precision.F32), "still open");
            InferenceEngine reopened = cache.get(a);
            assertNotSame(dflt, reopened, "the evicted engine was closed, so a new one opens");
            assertEquals(8, reopened.generator().generate("woof", greedy, null, null).newTokens());
        }
    }
}
