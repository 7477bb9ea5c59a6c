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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sampler, streaming generation with stops, and the chat session, on the tiny checkpoint + real tokenizer. */
class GeneratorTest {
    @TempDir static Path tmp;
    static TinyEngine engine;
    static Transformer tf;
    static HfTokenCodec codec;
    static Generator gen;

    @BeforeAll
    static void setUp() throws Exception {
        engine = TinyEngine.open(tmp, 21);
        tf = engine.transformer();
        codec = engine.codec();
        gen = engine.generator();
    }

    @AfterAll
    static void tearDown() { engine.close(); }

    static SamplingSettings settings(int max, float temp, long seed) {
        return new SamplingSettings(max, temp, 0, 1f, 0f, 1f, seed, List.of(), false, List.of());
    }

    @Test
    void tokenizerRoundTripsAndKnowsItsSpecials() {
        int[] ids = codec.encode("Woof! squirrels 🐿");
        assertEquals("Woof! squirrels 🐿", codec.decode(ids, 0, ids.length));
        assertEquals(2, codec.bosId());
        assertEquals(3, codec.eosId());
    }

    @Test
    void samplerFiltersBehave() {
        float[] logits = {1f, 5f, 3f, 4.9f};
        assertEquals(1, Sampler.argmax(logits.clone()));
        Sampler topK1 = new Sampler(new SamplingSettings(1, 1f, 1, 1f, 0f, 1f, 1, List.of(), true, List.of()), 4);
        for (int i = 0; i < 20; i++) assertEquals(1, topK1.sample(logits.clone(), new int[0], 0));
        // min-p 0.5 keeps 5 and 4.9 only
        Sampler minP = new Sampler(new SamplingSettings(1, 1f, 0, 1f, 0.5f, 1f, 2, List.of(), true, List.of()), 4);
        for (int i = 0; i < 50; i++) {
            int t = minP.sample(logits.clone(), new int[0], 0);
            assertTrue(t == 1 || t == 3, "min-p kept token " + t);
        }
        // top-p 0.5: the single best token already holds > 50%
        Sampler topP = new Sampler(new SamplingSettings(1, 1f, 0, 0.5f, 0f, 1f, 3, List.of(), true, List.of()), 4);
        for (int i = 0; i < 20; i++) assertEquals(1, topP.sample(new float[] {0f, 9f, 1f, 2f}, new int[0], 0));
        // repetition penalty: a seen positive logit is divided, a negative one multiplied
        float[] l = {2f, -2f, 1.9f};
        Sampler.applyRepetitionPenalty(l, new int[] {0, 1, 0}, 3, 2f);
        assertEquals(1f, l[0]);
        assertEquals(-4f, l[1]);
        assertEquals(2, Sampler.argmax(l));
    }

    @Test
    void topKSelectionGivesAFullSortsFirstKInOrder() {
        java.util.Random rnd = new java.util.Random(4);
        for (int n : new int[] {2, 41, 1000, 32768}) {
            for (int k : new int[] {1, 2, 40, n - 1}) {
                if (k < 1 || k >= n) continue;
                long[] keys = new long[n];
                for (int i = 0; i < n; i++) keys[i] = ((long) rnd.nextInt(50) << 32) | i;   // many equal logits, unique ids
                long[] sorted = keys.clone();
                java.util.Arrays.sort(sorted);
                Sampler.smallestSorted(keys, n, k);
                assertEquals(java.util.Arrays.toString(java.util.Arrays.copyOf(sorted, k)),
                        java.util.Arrays.toString(java.util.Arrays.copyOf(keys, k)), "n " + n + " k " + k);
            }
        }
        // on flat logits the sampler still draws only from the k best
        float[] flat = new float[5000];
        for (int i = 0; i < flat.length; i++) flat[i] = (float) rnd.nextGaussian() * 0.1f;
        java.util.Set<Integer> best = new java.util.HashSet<>();
        Integer[] ids = new Integer[flat.length];
        for (int i = 0; i < ids.length; i++) ids[i] = i;
        java.util.Arrays.sort(ids, (x, y) -> Float.compare(flat[y], flat[x]));
        for (int i = 0; i < 10; i++) best.add(ids[i]);
        Sampler topK = new Sampler(new SamplingSettings(1, 1f, 10, 1f, 0f, 1f, 3, List.of(), true, List.of()), flat.length);
        for (int i = 0; i < 200; i++) assertTrue(best.contains(topK.sample(flat.clone(), new int[0], 0)));
    }

    @Test
    void sameSeedSameTextAndStreamingConcatenatesToTheResult() {
        SamplingSettings s = settings(24, 3.0f, 7);
        StringBuilder streamed = new StringBuilder();
        GenerationResult a = gen.generate("human: hi\nbitnut:", s, streamed::append, null);  // temperature 3: the tiny model is peaked
        GenerationResult b = gen.generate("human: hi\nbitnut:", s, null, null);
        GenerationResult other = gen.generate("human: hi\nbitnut:", s.withSeed(8), null, null);
        assertEquals(a.text(), b.text());
        assertEquals(a.text(), streamed.toString());
        assertNotEquals(a.text(), other.text());
        assertEquals(24, a.newTokens());
        assertEquals(GenerationResult.StopReason.MAX_TOKENS, a.stopReason());
        assertTrue(a.ttftMs() > 0 && a.decodeTokPerSec() > 0 && a.prefillTokPerSec() > 0);
    }

    @Test
    void stopStringsEndTheTextAndAreNeverStreamed() {
        // find what greedy decoding produces, then use a piece of it as the stop string
        GenerationResult free = gen.generate("squirrels", settings(30, 0f, 1), null, null);
        String text = free.text();
        assertTrue(text.length() >= 6, "greedy text too short: '" + text + "'");
        String stop = text.substring(3, 6);
        int cut = text.indexOf(stop);
        StringBuilder streamed = new StringBuilder();
        GenerationResult r = gen.generate("squirrels", settings(30, 0f, 1).withStopStrings(List.of(stop)), streamed::append, null);
        assertEquals(GenerationResult.StopReason.STOP_STRING, r.stopReason());
        assertEquals(text.substring(0, cut), r.text());
        assertEquals(r.text(), streamed.toString());
        assertFalse(streamed.toString().contains(stop));
        assertEquals(3, Generator.heldBack("ab\nhu", List.of("\nhuman:")));
        assertEquals(0, Generator.heldBack("ab\nhx", List.of("\nhuman:")));
    }

    @Test
    void stopTokensEosAndCancel() {
        int first = gen.generate("squirrels", settings(1, 0f, 1), null, null).newTokens();
        assertEquals(1, first);
        int[] greedy = codec.encode(gen.generate("squirrels", settings(5, 0f, 1), null, null).text());
        SamplingSettings stopAtFirst = new SamplingSettings(5, 0f, 0, 1f, 0f, 1f, 1, List.of(), false, List.of(greedy[0]));
        GenerationResult r = gen.generate("squirrels", stopAtFirst, null, null);
        assertEquals(GenerationResult.StopReason.STOP_TOKEN, r.stopReason());
        assertEquals(0, r.newTokens());
        AtomicInteger calls = new AtomicInteger();
        GenerationResult c = gen.generate("squirrels", settings(50, 1f, 1), null, () -> calls.incrementAndGet() > 3);
        assertEquals(GenerationResult.StopReason.CANCELLED, c.stopReason());
        assertEquals(3, c.newTokens());
    }

    @Test
    void chatSessionUsesTheTemplateKeepsTurnsAndTrimsToTheContext() {
        Generator small = new Generator(tf, codec, 200);
        ChatSession chat = new ChatSession(small);
        SamplingSettings s = settings(20, 0.8f, 5);
        List<String> deltas = new ArrayList<>();
        GenerationResult r = chat.send("Who runs the world?", s, deltas::add, null);
        assertEquals(String.join("", deltas), r.text());
        assertFalse(r.text().contains("\nhuman:"));
        assertEquals(1, chat.turns().size());
        String second = chat.promptFor("And the park?", 20);
        assertTrue(second.startsWith("human: Who runs the world?\nbitnut:"), second);
        assertTrue(second.endsWith("human: And the park?\nbitnut:"), second);
        for (int i = 0; i < 8; i++) chat.send("Tell me about squirrel number " + i + " please", s, null, null);
        String trimmed = chat.promptFor("last one", 20);
        assertTrue(codec.encode(trimmed).length <= 180, "prompt fits the window: " + codec.encode(trimmed).length);
        assertFalse(trimmed.contains("Who runs the world?"), "oldest turns were dropped");
        GenerationResult again = chat.regenerate(s.withSeed(99), null, null);
        assertEquals(9, chat.turns().size());
        assertTrue(again.newTokens() >= 0);
        chat.editAndResend(1, "Edited question", s, null, null);
        assertEquals(2, chat.turns().size());
        assertEquals("Edited question", chat.turns().get(1).human());
    }
}
