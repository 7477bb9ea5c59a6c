package bitnut.infer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/*
 * The engine's side of `bitnut bench infer --chat-turns N`: time to first token of each turn of a
 * synthetic conversation, with prefix reuse (PrefixCache) and with a full prefill, side by side.
 *
 * The conversation is token ids (random weights have no tokenizer): turn 1's prompt is P random ids;
 * each later prompt is what the engine holds after the previous turn (its prompt + the answer tokens it
 * ran) followed by M random ids, the next human message. Answers are N greedy tokens. Two Generators
 * on one Transformer answer every turn: one keeps its caches (reuse), one has reuse off; they take
 * turns going first (a busy shared machine slows both alike); whether their answers agree is reported
 * (they must once the kernels are compiled; random weights give near-tied logits, so a last-bit
 * difference while the JIT is still switching tiers can flip a greedy token - see PrefixReuseTest).
 * The kernel warm-up and one unmeasured 2-turn conversation warm the JIT first; then the whole
 * conversation runs `repeats` times (the same ids every time: greedy answers) and each turn keeps its
 * best TTFT on each side (on a shared 2-core machine single runs jump by 2-5x).
 */
public final class ChatReuseBench {
    private ChatReuseBench() { }

    /**
     * One turn.
     *
     * @param promptTokens  tokens of this turn's prompt
     * @param prefilled     of those, the ones the reusing generator prefilled
     * @param fullTtftMs    time to first token with a full prefill
     * @param reuseTtftMs   time to first token with prefix reuse
     * @param sameAnswer    both generators gave the same answer
     */
    public record Turn(int turn, int promptTokens, int prefilled, double fullTtftMs, double reuseTtftMs, boolean sameAnswer) { }

    /** Ids as text "<id>" (random weights have no tokenizer; text is only streamed, never stopped on). */
    static final class IdCodec implements TokenCodec {
        @Override public int[] encode(String text) { throw new UnsupportedOperationException("the benchmark passes ids"); }
        @Override public String decode(int[] ids, int from, int to) {
            StringBuilder sb = new StringBuilder();
            for (int i = from; i < to; i++) sb.append('<').append(ids[i]).append('>');
            return sb.toString();
        }
        @Override public int eosId() { return -1; }
        @Override public int bosId() { return -1; }
    }

    public static List<Turn> run(BitNetModel model, int threads, int turns, int promptTokens, int messageTokens, int newTokens, int repeats, long seed) {
        return run(model, threads, turns, promptTokens, messageTokens, newTokens, repeats, seed, Integer.getInteger("bitnut.warmup.rounds", 3_000));
    }

    static List<Turn> run(BitNetModel model, int threads, int turns, int promptTokens, int messageTokens, int newTokens, int repeats, long seed,
                          int warmUpRounds) {
        SamplingSettings greedy = new SamplingSettings(newTokens, 0f, 0, 1f, 0f, 1f, seed, List.of(), false, List.of());
        bitnut.infer.kernel.KernelWarmUp.run(warmUpRounds);
        try (Transformer tf = new Transformer(model, threads, 64)) {
            conversation(tf, 2, promptTokens, messageTokens, greedy, seed + 1);            // warm-up
            List<Turn> best = conversation(tf, turns, promptTokens, messageTokens, greedy, seed);
            for (int r = 1; r < repeats; r++) {
                List<Turn> again = conversation(tf, turns, promptTokens, messageTokens, greedy, seed);
                for (int i = 0; i < best.size(); i++) {
                    Turn a = best.get(i), b = again.get(i);
                    best.set(i, new Turn(a.turn(), a.promptTokens(), a.prefilled(), Math.min(a.fullTtftMs(), b.fullTtftMs()),
                            Math.min(a.reuseTtftMs(), b.reuseTtftMs()), a.sameAnswer() && b.sameAnswer()));
                }
            }
            return best;
        }
    }

    private static List<Turn> conversation(Transformer tf, int turns, int promptTokens, int messageTokens, SamplingSettings s, long seed) {
        int V = tf.config.vocabSize();
        TokenCodec codec = new IdCodec();
        Generator reuse = new Generator(tf, codec), full = new Generator(tf, codec);
        full.reusePrefixes(false);
        List<Turn> out = new ArrayList<>();
        int[] prompt = InferBench.randomPrompt(V, promptTokens, seed);
        for (int t = 1; t <= turns; t++) {
            if (prompt.length + s.maxNewTokens() > reuse.contextLength()) {
                throw new IllegalArgumentException("turn " + t + " needs " + (prompt.length + s.maxNewTokens()) + " positions, the context holds " + reuse.contextLength());
            }
            GenerationResult a, b;
            if (t % 2 == 1) {
                a = reuse.generate(prompt, s, null, null);
                b = full.generate(prompt, s, null, null);
            } else {
                b = full.generate(prompt, s, null, null);
                a = reuse.generate(prompt, s, null, null);
            }
            out.add(new Turn(t, prompt.length, a.prefilledTokens(), b.ttftMs(), a.ttftMs(), a.text().equals(b.text())));
            int[] held = reuse.keptPrefixes().getLast();                                  // prompt + answer as run
            int[] message = InferBench.randomPrompt(V, messageTokens, seed + 1000 + t);
            prompt = Arrays.copyOf(held, held.length + messageTokens);
            System.arraycopy(message, 0, prompt, held.length, messageTokens);
        }
        return out;
    }
}
