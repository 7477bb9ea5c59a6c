package bitnut.infer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Batched decode on the tiny checkpoint: B sequences decoded together give, sequence by sequence,
 * exactly what decoding each alone gives (greedy and seeded sampling), whatever the others do
 * (stop early, run longer, join late, get cancelled).
 */
class BatchedDecodeTest {
    @TempDir static Path tmp;
    static TinyEngine engine;
    static Transformer tf;
    static HfTokenCodec codec;
    static Generator gen;

    /** Prompts of different lengths (1 .. 27 tokens). */
    static final List<String> PROMPTS = List.of("squirrels", "human: who runs the park?\nbitnut:", "Woof! the", "a");

    @BeforeAll
    static void setUp() throws Exception {
        engine = TinyEngine.open(tmp, 33);
        tf = engine.transformer();
        codec = engine.codec();
        gen = engine.generator();
    }

    @AfterAll
    static void tearDown() { engine.close(); }

    static SamplingSettings greedy(int max) {
        return new SamplingSettings(max, 0f, 0, 1f, 0f, 1f, 1, List.of(), false, List.of());
    }

    /** Temperature 3 (the tiny model is peaked), top-k, top-p and a repetition penalty: every sampler path. */
    static SamplingSettings sampled(int max, long seed) {
        return new SamplingSettings(max, 3f, 40, 0.95f, 0f, 1.3f, seed, List.of(), false, List.of());
    }

    static List<GenerationResult> sequential(Generator g, List<String> prompts, List<SamplingSettings> settings) {
        List<GenerationResult> out = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) out.add(g.generate(prompts.get(i), settings.get(i), null, null));
        return out;
    }

    static List<GenerationResult> batched(Generator g, List<String> prompts, List<SamplingSettings> settings, BooleanSupplierCounter cancel) {
        List<Generator.Request> rs = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) rs.add(g.request(prompts.get(i), settings.get(i), null));
        return g.generateBatch(rs, cancel);
    }

    static void assertSame(GenerationResult want, GenerationResult got, String what) {
        assertEquals(want.text(), got.text(), what + ": text");
        assertEquals(want.newTokens(), got.newTokens(), what + ": tokens");
        assertEquals(want.promptTokens(), got.promptTokens(), what + ": prompt tokens");
        assertEquals(want.stopReason(), got.stopReason(), what + ": stop reason");
    }

    /** A cancel flag that turns true after `after` polls. */
    record BooleanSupplierCounter(AtomicInteger polls, int after) implements java.util.function.BooleanSupplier {
        BooleanSupplierCounter(int after) { this(new AtomicInteger(), after); }
        @Override public boolean getAsBoolean() { return polls.incrementAndGet() > after; }
    }

    @Test
    void oneDecodeStepOfFourSequencesGivesEachSequencesOwnLogits() {
        int V = tf.config.vocabSize();
        KvCache[] alone = new KvCache[4], together = new KvCache[4];
        int[] next = new int[4];
        float[][] want = new float[4][];
        for (int b = 0; b < 4; b++) {
            int[] ids = codec.encode(PROMPTS.get(b));
            alone[b] = tf.newCache(64);
            together[b] = tf.newCache(64);
            next[b] = Sampler.argmax(tf.forward(ids, ids.length, alone[b]));
            tf.forward(ids, ids.length, together[b]);
            want[b] = tf.forward(new int[] {next[b]}, 1, alone[b]);
        }
        float[] got = new float[4 * V];
        tf.decode(next, together, 4, got);
        for (int b = 0; b < 4; b++) {
            assertEquals(alone[b].length(), together[b].length(), "cache length of sequence " + b);
            for (int r = 0; r < V; r++) assertEquals(want[b][r], got[b * V + r], 1e-5f, "sequence " + b + " logit " + r);
        }
        assertThrows(IllegalArgumentException.class, () -> tf.decode(next, new KvCache[] {together[0], together[0]}, 2, got),
                "two rows of one cache");
    }

    @Test
    void batchedGreedyEqualsSequentialRunsTokenForToken() {
        List<SamplingSettings> s = List.of(greedy(20), greedy(20), greedy(20), greedy(20));
        List<GenerationResult> seq = sequential(gen, PROMPTS, s);
        List<GenerationResult> bat = batched(gen, PROMPTS, s, null);
        for (int i = 0; i < 4; i++) {
            assertSame(seq.get(i), bat.get(i), "prompt " + i);
            assertEquals(20, bat.get(i).newTokens());
        }
        assertTrue(bat.stream().map(GenerationResult::text).distinct().count() > 1, "different prompts, different texts");
    }

    @Test
    void seededSamplingEqualsEachSequencesOwnRunWithTheSameSeed() {
        List<SamplingSettings> s = List.of(sampled(24, 1), sampled(24, 2), sampled(24, 3), sampled(24, 1));
        List<String> prompts = List.of(PROMPTS.get(0), PROMPTS.get(1), PROMPTS.get(0), PROMPTS.get(0));
        List<GenerationResult> seq = sequential(gen, prompts, s);
        List<GenerationResult> bat = batched(gen, prompts, s, null);
        for (int i = 0; i < 4; i++) assertSame(seq.get(i), bat.get(i), "sequence " + i);
        assertEquals(bat.get(0).text(), bat.get(3).text(), "same prompt and seed in one batch");
        assertTrue(!bat.get(0).text().equals(bat.get(2).text()), "same prompt, other seed: other text");
    }

    @Test
    void aSequenceThatStopsEarlyDoesNotDisturbTheOthers() {
        // what sequence 1 says alone, and a stop string taken from the middle of it
        String alone1 = gen.generate(PROMPTS.get(1), greedy(30), null, null).text();
        assertTrue(alone1.length() >= 8, "greedy text too short: '" + alone1 + "'");
        String stop = alone1.substring(4, 7);
        List<SamplingSettings> s = List.of(sampled(30, 5), greedy(30).withStopStrings(List.of(stop)), greedy(2), sampled(0, 9));
        List<GenerationResult> seq = sequential(gen, PROMPTS, s);
        List<StringBuilder> streamed = List.of(new StringBuilder(), new StringBuilder(), new StringBuilder(), new StringBuilder());
        List<Generator.Request> rs = new ArrayList<>();
        for (int i = 0; i < 4; i++) rs.add(gen.request(PROMPTS.get(i), s.get(i), streamed.get(i)::append));
        List<GenerationResult> bat = gen.generateBatch(rs, null);
        for (int i = 0; i < 4; i++) {
            assertSame(seq.get(i), bat.get(i), "sequence " + i);
            assertEquals(bat.get(i).text(), streamed.get(i).toString(), "streamed text of sequence " + i);
        }
        assertEquals(GenerationResult.StopReason.STOP_STRING, bat.get(1).stopReason());
        assertEquals(alone1.substring(0, alone1.indexOf(stop)), bat.get(1).text());
        assertEquals(2, bat.get(2).newTokens());
        assertEquals(0, bat.get(3).newTokens());
        assertEquals(30, bat.get(0).newTokens());
        assertTrue(bat.get(2).totalMs() <= bat.get(0).totalMs(), "the short one finished first");
    }

    @Test
    void moreRequestsThanBatchSlotsJoinAsOthersFinish() {
        try (Transformer two = new Transformer(tf.model, 1, 2)) {
            Generator g = new Generator(two, codec);
            List<String> prompts = List.of(PROMPTS.get(0), PROMPTS.get(1), PROMPTS.get(2), PROMPTS.get(3), PROMPTS.get(1));
            List<SamplingSettings> s = List.of(greedy(3), sampled(12, 4), greedy(7), sampled(5, 6), sampled(9, 7));
            List<GenerationResult> seq = sequential(gen, prompts, s);
            List<GenerationResult> bat = batched(g, prompts, s, null);
            for (int i = 0; i < prompts.size(); i++) assertSame(seq.get(i), bat.get(i), "request " + i);
        }
    }

    @Test
    void cancelMidBatchEndsEveryUnfinishedSequenceAndKeepsTheFinishedOnes() {
        List<SamplingSettings> s = List.of(greedy(50), greedy(2), sampled(50, 3), greedy(50));
        BooleanSupplierCounter cancel = new BooleanSupplierCounter(5);     // 5 steps run, the 6th poll cancels
        List<GenerationResult> bat = batched(gen, PROMPTS, s, cancel);
        assertEquals(6, cancel.polls().get(), "polled once per step");
        List<GenerationResult> seq = sequential(gen, PROMPTS, s);
        for (int i : new int[] {0, 2, 3}) {
            assertEquals(GenerationResult.StopReason.CANCELLED, bat.get(i).stopReason(), "sequence " + i);
            assertEquals(5, bat.get(i).newTokens(), "sequence " + i);
            GenerationResult alone = gen.generate(PROMPTS.get(i), s.get(i), null, new BooleanSupplierCounter(5));
            assertSame(alone, bat.get(i), "cancelled after 5 tokens, alone and in the batch");
        }
        assertSame(seq.get(1), bat.get(1), "finished before the cancel");
        // with fewer slots than requests, the ones still waiting end cancelled without running
        try (Transformer two = new Transformer(tf.model, 1, 2)) {
            List<GenerationResult> r = batched(new Generator(two, codec), PROMPTS, s, new BooleanSupplierCounter(1));
            assertEquals(List.of(1, 1, 0, 0), r.stream().map(GenerationResult::newTokens).toList());
            assertTrue(r.stream().allMatch(x -> x.stopReason() == GenerationResult.StopReason.CANCELLED));
        }
    }
}
