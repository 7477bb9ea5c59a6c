package bitnut.finetune;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Presets, the spec round trip used for resume, and the voice metrics arithmetic. */
class FinetuneConfigTest {

    @Test void originalPresetReproducesFinetunePy() {
        FinetuneConfig c = FinetuneConfig.preset(FinetuneConfig.Preset.ORIGINAL, Path.of("b"), Path.of("d.jsonl"), Path.of("o"));
        assertEquals(3, c.epochs());
        assertEquals(2, c.batchSize());
        assertEquals(4, c.accumulation());
        assertEquals(2e-5, c.lr());
        assertEquals(0.01, c.weightDecay());
        assertEquals(100, c.warmupSteps());
        assertEquals(512, c.seqLen());
        FinetuneConfig b = FinetuneConfig.preset(FinetuneConfig.Preset.BITNET, Path.of("b"), Path.of("d.jsonl"), Path.of("o"));
        assertTrue(b.lr() > c.lr());
        assertEquals(FinetuneConfig.LossReduction.SUM, b.reduction());
    }

    @Test void specRoundTrips() throws Exception {
        FinetuneConfig c = FinetuneConfig.preset(FinetuneConfig.Preset.BITNET, Path.of("b"), Path.of("d.jsonl"), Path.of("o"));
        String json = bitnut.common.Json.MAPPER.writeValueAsString(c.toMap());
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> back = bitnut.common.Json.MAPPER.readValue(json, java.util.Map.class);
        assertEquals(c, FinetuneConfig.fromMap(back));
        assertThrows(IllegalArgumentException.class, () -> FinetuneConfig.Preset.parse("fast"));
    }

    @Test void voiceMetricsCountEachAnswer() {
        List<SampleAnswer> answers = List.of(
                new SampleAnswer("q1", "woof squirrels", 4, true),
                new SampleAnswer("q2", "the dog bitnut says hi", 10, false),
                new SampleAnswer("q3", "woof", 1, true),
                new SampleAnswer("q4", "hello", 5, true));
        VoiceMetrics m = VoiceMetrics.of(answers, VoiceMetrics.detectors(
                (p, a) -> a.contains("bitnut"), a -> a.contains("woof")));
        assertEquals(4, m.answers());
        assertEquals(0.75, m.eosShare());
        assertEquals(5.0, m.meanTokens());
        assertEquals(0.25, m.roleConfusion());
        assertEquals(0.5, m.personaMarkers());
    }
}
