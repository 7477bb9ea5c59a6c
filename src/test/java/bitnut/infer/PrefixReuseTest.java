package bitnut.infer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Prefix reuse (PrefixCache) on the tiny checkpoint: a prompt that continues an earlier generation's
 * tokens prefills only the new ones, and every result is the one a fresh Generator (full prefill)
 * gives - greedy and seeded, across chat turns, regenerate, edit-and-resend, trimmed conversations,
 * cancelled and stopped generations and batches.
 *
 * "The same" is bit for bit from the first call: the kernels add vector lanes and take exps in one
 * fixed order (VectorMath.sum / exp), so a reused prefix computed while they were still interpreted
 * equals a full prefill computed after C2 compiled them.
 */
class PrefixReuseTest {
    @TempDir static Path tmp;
    static TinyEngine engine;
    static Transformer tf;
    static HfTokenCodec codec;

    @BeforeAll
    static void setUp() throws Exception {
        engine = TinyEngine.open(tmp, 33);
        tf = engine.transformer();
        codec = engine.codec();
        // no warm-up: the kernels give the same bits interpreted and compiled (VectorMath.sum / exp),
        // so the comparisons below hold from the first call
    }

    @AfterAll
    static void tearDown() { engine.close(); }

    static final SamplingSettings GREEDY = new SamplingSettings(16, 0f, 0, 1f, 0f, 1f, 1, List.of(), true, List.of());
    /** Temperature 2 (the tiny model is peaked), top-k, top-p and a repetition penalty, which reads the prompt too. */
    static final SamplingSettings SEEDED = new SamplingSettings(16, 2f, 20, 0.95f, 0f, 1.3f, 11, List.of(), true, List.of());

    static int[] randomIds(Random rnd, int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = 5 + rnd.nextInt(TinyCheckpoint.VOCAB - 5);
        return ids;
    }

    static int[] concat(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** What a Generator with nothing kept gives: the full prefill every time. */
    static GenerationResult fresh(int[] prompt, SamplingSettings s, int context) {
        GenerationResult r = new Generator(tf, codec, context).generate(prompt, s, null, null);
        assertEquals(r.promptTokens(), r.prefilledTokens(), "a fresh generator prefills everything");
        return r;
    }

    static void assertSameResult(GenerationResult expected, GenerationResult actual, String what) {
        assertEquals(expected.text(), actual.text(), what);
        assertEquals(expected.newTokens(), actual.newTokens(), what);
        assertEquals(expected.stopReason(), actual.stopReason(), what);
        assertEquals(expected.promptTokens(), actual.promptTokens(), what);
    }

    @Test
    void prefillOnAReusedCacheGivesTheSameLogitsBitForBit() { assertReusedPrefixesExact(tf); }

    @Test
    void bitPlaneLayoutToo() throws Exception {
        // CPUs without AVX-512 VBMI run the bit-plane kernels (prefill GEMM from 4 tokens): same property
        BitNetModel planes = ModelLoader.loadAny(tmp.resolve("ckpt"),
                new ModelLoader.Options(bitnut.infer.kernel.DenseMatrix.Precision.F32, bitnut.infer.kernel.TernaryMatrix.Layout.BIT_PLANES));
        try (Transformer t = new Transformer(planes, 2, 16)) {
            assertReusedPrefixesExact(t);
        }
    }

    static void assertReusedPrefixesExact(Transformer tf) {
        Random rnd = new Random(5);
        int[] ids = randomIds(rnd, 40);
        int V = TinyCheckpoint.VOCAB;
        float[] full = tf.forward(ids, ids.length, tf.newCache(64));
        // splits below / at / above the 4-token GEMM threshold and across maxBatch (16) chunk edges
        for (int r : new int[] {1, 2, 3, 5, 15, 16, 17, 33, 39}) {
            // the prefix then different tokens run into the cache, truncated back: stale K/V past r
            KvCache cache = tf.newCache(64);
            tf.forward(concat(Arrays.copyOf(ids, r), randomIds(rnd, 20)), r + 20, cache);
            cache.truncate(r);
            float[] split = tf.forward(Arrays.copyOfRange(ids, r, ids.length), ids.length - r, cache);
            assertArrayEquals(full, split, "prefix " + r + " reused, stale positions after it");
            // the prefix decoded token by token (as generated tokens are), then the rest prefilled
            KvCache decoded = tf.newCache(48);
            float[] out = new float[V];
            for (int i = 0; i < r; i++) tf.decode(new int[] {ids[i]}, new KvCache[] {decoded}, 1, out);
            KvCache grown = decoded.copyPrefix(r, 96);                           // and copied into a larger cache
            assertArrayEquals(full, tf.forward(Arrays.copyOfRange(ids, r, ids.length), ids.length - r, grown), "decoded prefix " + r);
        }
    }

    @Test
    void nextPromptPrefillsOnlyWhatTheCacheDoesNotHold() {
        Random rnd = new Random(7);
        Generator gen = new Generator(tf, codec);
        int[] a = randomIds(rnd, 20);
        SamplingSettings s = GREEDY.withMaxNewTokens(6).withStopOnEos(false);
        GenerationResult first = gen.generate(a, s, null, null);
        assertEquals(20, first.prefilledTokens());
        assertEquals(6, first.newTokens());
        // kept: the prompt and the generated tokens that were run - all but the 6th, which ended the call
        List<int[]> kept = gen.keptPrefixes();
        assertEquals(1, kept.size());
        int[] held = kept.getFirst();
        assertEquals(20 + 5, held.length);
        int[] greedy = new int[5];                                        // the same tokens by hand
        KvCache c = tf.newCache(32);
        float[] logits = tf.forward(a, a.length, c);
        for (int i = 0; i < 5; i++) {
            greedy[i] = Sampler.argmax(logits);
            logits = tf.forward(new int[] {greedy[i]}, 1, c);
        }
        assertArrayEquals(concat(a, greedy), held);

        int[] x = randomIds(rnd, 7);
        int[] next = concat(held, x);
        GenerationResult second = gen.generate(next, s, null, null);
        assertEquals(7, second.prefilledTokens(), "only the new tokens are prefilled");
        assertSameResult(fresh(next, s, gen.contextLength()), second, "continued prompt");

        GenerationResult same = gen.generate(next, s, null, null);        // the very same prompt again
        assertEquals(1, same.prefilledTokens(), "the last prompt token still runs, for the first logits");
        assertSameResult(second, same, "same prompt");

        int[] other = randomIds(rnd, 12);                                   // nothing shared: a full prefill
        other[0] = a[0] == 5 ? 6 : 5;
        assertEquals(12, gen.generate(other, s, null, null).prefilledTokens());
    }

    /** A 4-turn conversation on one Generator vs a fresh Generator for every turn. */
    private void fourTurns(SamplingSettings s) {
        Generator gen = new Generator(tf, codec);
        ChatSession chat = new ChatSession(gen);
        String[] messages = {"Who runs the world?", "And the park?", "What about ducks?", "Good boy!"};
        int previousPrompt = 0;
        for (int i = 0; i < messages.length; i++) {
            List<ChatSession.Turn> before = chat.turns();
            StringBuilder streamed = new StringBuilder();
            GenerationResult reused = chat.send(messages[i], s.withSeed(s.seed() + i), streamed::append, null);
            GenerationResult full = new ChatSession(new Generator(tf, codec), before).send(messages[i], s.withSeed(s.seed() + i), null, null);
            assertSameResult(full, reused, "turn " + i);
            assertEquals(reused.text(), streamed.toString());
            assertEquals(full.promptTokens(), full.prefilledTokens());
            if (i > 0) {
                // byte-level tokens: the previous prompt is a token prefix of this one, so at most the rest runs
                assertTrue(reused.prefilledTokens() <= reused.promptTokens() - previousPrompt,
                        "turn " + i + " prefilled " + reused.prefilledTokens() + " of " + reused.promptTokens() + " (previous prompt " + previousPrompt + ")");
                assertTrue(reused.prefilledTokens() >= codec.encode(messages[i]).length, "the new message itself is never cached");
            }
            previousPrompt = reused.promptTokens();
        }
        assertEquals(4, chat.turns().size());
    }

    @Test
    void fourTurnChatGreedyIsTheSameWithReuse() { fourTurns(ChatSession.chatSettings(GREEDY)); }

    @Test
    void fourTurnChatSeededIsTheSameWithReuse() { fourTurns(ChatSession.chatSettings(SEEDED)); }

    @Test
    void twoChatsOnOneGeneratorEachReuseTheirOwnTurns() {
        Generator gen = new Generator(tf, codec);                       // e.g. the Chat tab and a server client
        ChatSession a = new ChatSession(gen), b = new ChatSession(gen);
        SamplingSettings s = ChatSession.chatSettings(SEEDED);
        int[] previous = new int[2];
        for (int turn = 0; turn < 3; turn++) {
            for (int who = 0; who < 2; who++) {
                ChatSession chat = who == 0 ? a : b;
                String message = (who == 0 ? "Squirrels? " : "Ducks? ") + turn;
                List<ChatSession.Turn> before = chat.turns();
                GenerationResult r = chat.send(message, s, null, null);
                assertSameResult(new ChatSession(new Generator(tf, codec), before).send(message, s, null, null), r, "chat " + who + " turn " + turn);
                if (turn > 0) {
                    assertTrue(r.prefilledTokens() <= r.promptTokens() - previous[who],
                            "chat " + who + " turn " + turn + ": the other chat (same \"human: \" start) did not take its cache");
                }
                previous[who] = r.promptTokens();
            }
        }
    }

    @Test
    void regenerateAndEditAndResendMatchFreshSessions() {
        Generator gen = new Generator(tf, codec);
        ChatSession chat = new ChatSession(gen);
        SamplingSettings s = SEEDED;
        for (String m : List.of("Hi there", "Seen any squirrels?", "Where?")) chat.send(m, s, null, null);

        List<ChatSession.Turn> beforeLast = chat.turns().subList(0, 2);
        GenerationResult again = chat.regenerate(s.withSeed(99), null, null);
        GenerationResult expected = new ChatSession(new Generator(tf, codec), beforeLast).send("Where?", s.withSeed(99), null, null);
        assertSameResult(expected, again, "regenerate");
        assertEquals(1, again.prefilledTokens(), "regenerate reruns only the last prompt token");

        List<ChatSession.Turn> first = chat.turns().subList(0, 1);
        GenerationResult edited = chat.editAndResend(1, "Seen any ducks?", s, null, null);
        GenerationResult expectedEdit = new ChatSession(new Generator(tf, codec), first).send("Seen any ducks?", s, null, null);
        assertSameResult(expectedEdit, edited, "edit and resend");
        assertTrue(edited.prefilledTokens() < edited.promptTokens(), "the first turn is reused");
        assertEquals(2, chat.turns().size());
    }

    @Test
    void trimmedConversationMatchesAFreshRun() {
        int context = 128;                                // room for about two turns: earlier ones get dropped
        Generator gen = new Generator(tf, codec, context);
        ChatSession chat = new ChatSession(gen);
        SamplingSettings s = ChatSession.chatSettings(SEEDED.withMaxNewTokens(12));
        boolean trimmed = false;
        for (int i = 0; i < 6; i++) {
            String message = "Tell me about squirrel " + i;
            List<ChatSession.Turn> before = chat.turns();
            if (!before.isEmpty() && !chat.promptFor(message, 12).startsWith("human: " + before.getFirst().human())) trimmed = true;
            GenerationResult reused = chat.send(message, s.withSeed(i), null, null);
            GenerationResult full = new ChatSession(new Generator(tf, codec, context), before).send(message, s.withSeed(i), null, null);
            assertSameResult(full, reused, "turn " + i);
        }
        assertTrue(trimmed, "the conversation outgrew the context, so early turns were dropped");
    }

    @Test
    void cancelledAndStoppedGenerationsKeepOnlyWhatWasRun() {
        Random rnd = new Random(9);
        Generator gen = new Generator(tf, codec);
        int[] a = randomIds(rnd, 18);
        SamplingSettings s = SEEDED.withMaxNewTokens(50).withStopOnEos(false);
        AtomicInteger polls = new AtomicInteger();
        GenerationResult cancelled = gen.generate(a, s, null, () -> polls.incrementAndGet() > 3);
        assertEquals(GenerationResult.StopReason.CANCELLED, cancelled.stopReason());
        assertEquals(3, cancelled.newTokens());
        int[] held = gen.keptPrefixes().getLast();
        assertEquals(18 + 3, held.length, "the 3 generated tokens were all run before the cancel");
        assertArrayEquals(a, Arrays.copyOf(held, 18));
        int[] next = concat(held, randomIds(rnd, 5));
        GenerationResult after = gen.generate(next, s, null, null);
        assertEquals(5, after.prefilledTokens());
        assertSameResult(fresh(next, s, gen.contextLength()), after, "after a cancel");

        // a stop string: the token that completed it was never run
        GenerationResult free = gen.generate(a, GREEDY.withMaxNewTokens(12).withStopOnEos(false), null, null);
        assertTrue(free.text().length() >= 4, "greedy text too short: '" + free.text() + "'");
        String stop = free.text().substring(2, 4);
        SamplingSettings stopping = GREEDY.withMaxNewTokens(12).withStopOnEos(false).withStopStrings(List.of(stop));
        GenerationResult stopped = gen.generate(a, stopping, null, null);
        assertEquals(GenerationResult.StopReason.STOP_STRING, stopped.stopReason());
        int[] heldAfterStop = gen.keptPrefixes().getLast();
        assertEquals(18 + stopped.newTokens() - 1, heldAfterStop.length);
        int[] next2 = concat(heldAfterStop, randomIds(rnd, 4));
        GenerationResult after2 = gen.generate(next2, s, null, null);
        assertEquals(4, after2.prefilledTokens());
        assertSameResult(fresh(next2, s, gen.contextLength()), after2, "after a stop string");
    }

    @Test
    void batchesAndInterleavedClientsGetTheirOwnResults() {
        Random rnd = new Random(11);
        Generator gen = new Generator(tf, codec);
        int[] p = randomIds(rnd, 24), q = randomIds(rnd, 10);
        q[0] = p[0] == 5 ? 6 : 5;
        SamplingSettings s = SEEDED.withStopOnEos(false);
        gen.generate(p, s, null, null);                                   // client 1 fills the cache
        int[] held = gen.keptPrefixes().getLast();
        List<int[]> prompts = List.of(concat(held, randomIds(rnd, 3)), q, concat(p, randomIds(rnd, 6)), concat(held, randomIds(rnd, 3)));
        List<Generator.Request> rs = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) rs.add(new Generator.Request(prompts.get(i), s.withSeed(40 + i), null));
        List<GenerationResult> batch = gen.generateBatch(rs, null);
        assertEquals(3, batch.get(0).prefilledTokens(), "the first request takes client 1's cache");
        for (int i = 0; i < prompts.size(); i++) {
            assertSameResult(fresh(prompts.get(i), s.withSeed(40 + i), gen.contextLength()), batch.get(i), "request " + i);
        }
        // interleaved: client 2 between two turns of client 1, each continuing its own conversation
        int[] c1 = concat(gen.keptPrefixes().getLast(), randomIds(rnd, 4));
        GenerationResult r2 = gen.generate(concat(q, randomIds(rnd, 2)), s, null, null);
        GenerationResult r1 = gen.generate(c1, s, null, null);
        assertSameResult(fresh(c1, s, gen.contextLength()), r1, "client 1 after client 2");
        assertEquals(4, r1.prefilledTokens(), "client 1's cache survived client 2's request");
        assertTrue(r2.prefilledTokens() < r2.promptTokens());
        assertFalse(gen.keptPrefixes().size() > PrefixCache.MAX_ENTRIES);

        gen.reusePrefixes(false);                                       // off: everything prefilled, nothing kept
        GenerationResult off = gen.generate(c1, s, null, null);
        assertEquals(off.promptTokens(), off.prefilledTokens());
        assertSameResult(r1, off, "reuse off");
        assertEquals(0, gen.keptPrefixes().size());
    }
}
