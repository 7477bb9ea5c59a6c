package bitnut.infer;

import java.util.Arrays;
import java.util.List;

/*
 * One sequence being generated: its (trimmed) prompt, KV cache, sampler (own seed / RNG), repetition
 * penalty history, generated ids, streamed text and stop state. Generator drives one of these for a
 * single generation and several for batched decode; everything that makes a sequence's output
 * independent of its batch-mates lives here, so a sequence decoded in a batch takes exactly the
 * decisions it would take alone.
 *
 * Prefix reuse: prefill() first asks the generator's PrefixCache for a cache that already holds a
 * prefix of the prompt and runs only the rest; when the sequence ends its cache goes back there with
 * the ids that were really fed (history[0 .. cache.length()): the prompt, then every generated token
 * but one that ended the sequence before being run).
 *
 * Life: new Sequence(...) -> prefill() -> step(logits, cancel) until it returns -1 -> result().
 * step() takes the logits of the last position, samples, applies the stop rules and streams the
 * safe part of the text (see Generator's header on held-back text); it returns the token to run
 * next, or -1 when the sequence has ended.
 */
final class Sequence {
    final int[] prompt;              // prompt ids actually run (the end of an over-long prompt)
    KvCache cache;                   // allocated at prefill, dropped when the sequence ends
    private final Transformer transformer;
    private final int cacheCapacity;   // positions this sequence may fill (<= the context length)
    private final int contextLength;
    private final PrefixCache prefixes;  // null: no reuse
    private int prefilled;             // prompt tokens run by prefill() (the rest came from a reused cache)
    private final SamplingSettings s;
    private final Generator.Listener listener;
    private final TokenCodec codec;
    private final Sampler sampler;
    private final int eos;
    private final List<String> stops;
    private final int[] history;     // prompt + generated ids, for the repetition penalty
    private int historyLength;
    private final int[] generated;
    private int n;                   // tokens generated
    private int emitted;             // chars of text already streamed
    private String text = "";
    private GenerationResult.StopReason reason;
    private final long t0;           // start of the call this sequence belongs to
    private long tPrefillStart, tPrefillEnd, tFirst, tEnd;

    Sequence(Transformer transformer, TokenCodec codec, int contextLength, int[] promptIds, SamplingSettings s,
             Generator.Listener listener, long t0, PrefixCache prefixes) {
        if (promptIds.length == 0) throw new IllegalArgumentException("empty prompt");
        // keep the end of an over-long prompt: room for max(1, maxNew) new tokens
        int room = Math.max(1, Math.min(s.maxNewTokens(), contextLength - 1));
        prompt = promptIds.length + room > contextLength
                ? Arrays.copyOfRange(promptIds, promptIds.length - (contextLength - room), promptIds.length) : promptIds;
        int capacity = Math.min(contextLength, prompt.length + s.maxNewTokens());
        this.cacheCapacity = Math.max(capacity, prompt.length);
        this.contextLength = contextLength;
        this.prefixes = prefixes;
        this.transformer = transformer;
        this.s = s;
        this.listener = listener;
        this.codec = codec;
        this.sampler = new Sampler(s, transformer.config.vocabSize());
        this.eos = codec.eosId() >= 0 ? codec.eosId() : transformer.config.eosTokenId();
        this.stops = s.stopStrings();
        this.history = Arrays.copyOf(prompt, prompt.length + s.maxNewTokens() + 1);
        this.historyLength = prompt.length;
        this.generated = new int[s.maxNewTokens()];
        this.t0 = t0;
    }

    /**
     * Takes a cache holding a prefix of the prompt (or allocates a fresh one) and runs the rest of the
     * prompt into it; returns the last position's logits. (A batch's waiting requests hold no cache
     * until they start; an ended one hands its cache to the PrefixCache or lets it go.)
     */
    float[] prefill() {
        tPrefillStart = System.nanoTime();
        PrefixCache.Hit hit = prefixes == null ? null : prefixes.take(prompt, cacheCapacity, contextLength);
        int reused = hit == null ? 0 : hit.reused();
        cache = hit == null ? transformer.newCache(cacheCapacity) : hit.cache();
        prefilled = prompt.length - reused;
        int[] rest = reused == 0 ? prompt : Arrays.copyOfRange(prompt, reused, prompt.length);
        float[] logits = transformer.forward(rest, prefilled, cache);
        tPrefillEnd = System.nanoTime();
        return logits;
    }

    boolean finished() { return reason != null; }

    /**
     * Picks the next token from `logits` (mutated) and applies the stop rules, in the order of a single
     * generation: max tokens, cancel, sample, eos / stop token, stop string, max tokens, context full.
     * Returns the token to run next, or -1 when this sequence has ended.
     */
    int step(float[] logits, boolean cancel) {
        if (n >= s.maxNewTokens()) return finish(GenerationResult.StopReason.MAX_TOKENS);
        if (cancel) return finish(GenerationResult.StopReason.CANCELLED);
        int next = sampler.sample(logits, history, historyLength);
        if (n == 0) tFirst = System.nanoTime();
        if (s.stopOnEos() && next == eos) return finish(GenerationResult.StopReason.EOS);
        if (s.stopTokenIds().contains(next)) return finish(GenerationResult.StopReason.STOP_TOKEN);
        generated[n++] = next;
        history[historyLength++] = next;
        text = codec.decode(generated, 0, n);
        int cut = Generator.firstStop(text, stops);
        if (cut >= 0) {
            text = text.substring(0, cut);
            return finish(GenerationResult.StopReason.STOP_STRING);
        }
        int safe = text.length() - Generator.heldBack(text, stops);
        if (safe > emitted && listener != null) {
            listener.onText(text.substring(emitted, safe));
            emitted = safe;
        }
        if (n >= s.maxNewTokens()) return finish(GenerationResult.StopReason.MAX_TOKENS);
        if (cache.length() >= cacheCapacity) return finish(GenerationResult.StopReason.CONTEXT_FULL);  // a reused cache may be larger
        return next;
    }

    /** A request cancelled before its prompt ran (it waited for a free batch slot). */
    void cancelUnstarted() {
        finish(GenerationResult.StopReason.CANCELLED);
    }

    /** Ends the sequence: streams whatever was held back (the stop string itself is already cut). */
    private int finish(GenerationResult.StopReason why) {
        reason = why;
        tEnd = System.nanoTime();
        if (prefixes != null && cache != null) prefixes.offer(cache, history);   // history[0 .. cache.length()) were fed
        cache = null;
        if (listener != null && text.length() > emitted) listener.onText(text.substring(emitted));
        emitted = text.length();
        return -1;
    }

    /**
     * Timing: TTFT and total time count from the start of the call (t0), so in a batch they include
     * waiting for batch-mates' prefill; prefill tok/s is this prompt's own; decode tok/s is this
     * sequence's rate after its first token (in a batch, the batch's aggregate rate / batch size).
     */
    GenerationResult result() {
        if (reason == null) throw new IllegalStateException("sequence still running");
        long first = tFirst == 0 ? tEnd : tFirst;
        double ttftMs = (first - t0) / 1e6;
        double prefill = tPrefillEnd == 0 ? 0 : prefilled / Math.max(1e-9, (tPrefillEnd - tPrefillStart) / 1e9);
        double decode = n > 1 ? (n - 1) / Math.max(1e-9, (tEnd - first) / 1e9) : 0;
        return new GenerationResult(text, prompt.length, prefilled, n, reason, ttftMs, prefill, decode, (tEnd - t0) / 1e6);
    }
}
