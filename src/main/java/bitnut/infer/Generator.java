package bitnut.infer;

import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/*
 * The generation loop: prefill the prompt in batches, then sample / decode one token at a time,
 * streaming text deltas to a listener and stopping at eos, a stop token, a stop string, max new
 * tokens, a full context window or a cancel request. Reports time to first token and tokens/s.
 *
 * Streaming and stop strings: the decoded text is re-derived from all generated ids each step (a
 * token can complete a multi-byte character), and the tail that could still become a stop string
 * (or is an incomplete UTF-8 sequence, U+FFFD) is held back, so a listener never sees "\nhum" of a
 * "\nhuman:" that ends the turn.
 */
public final class Generator {
    /** Receives text as it is generated. */
    @FunctionalInterface
    public interface Listener { void onText(String delta); }

    private final Transformer transformer;
    private final TokenCodec codec;
    private final int contextLength;

    public Generator(Transformer transformer, TokenCodec codec) {
        this(transformer, codec, transformer.config.maxPositionEmbeddings());
    }

    public Generator(Transformer transformer, TokenCodec codec, int contextLength) {
        this.transformer = transformer;
        this.codec = codec;
        this.contextLength = contextLength;
    }

    public TokenCodec codec() { return codec; }
    public Transformer transformer() { return transformer; }
    public int contextLength() { return contextLength; }

    public GenerationResult generate(String prompt, SamplingSettings s, Listener listener, BooleanSupplier cancelled) {
        int[] ids = codec.encode(prompt);
        if (ids.length == 0 && codec.bosId() >= 0) ids = new int[] {codec.bosId()};
        if (ids.length == 0) throw new IllegalArgumentException("empty prompt (and the tokenizer has no <bos> to start from)");
        return generate(ids, s, listener, cancelled);
    }

    public GenerationResult generate(int[] promptIds, SamplingSettings s, Listener listener, BooleanSupplier cancelled) {
        if (promptIds.length == 0) throw new IllegalArgumentException("empty prompt");
        // keep the end of an over-long prompt: room for max(1, maxNew) new tokens
        int room = Math.max(1, Math.min(s.maxNewTokens(), contextLength - 1));
        int[] prompt = promptIds.length + room > contextLength
                ? Arrays.copyOfRange(promptIds, promptIds.length - (contextLength - room), promptIds.length) : promptIds;
        int capacity = Math.min(contextLength, prompt.length + s.maxNewTokens());
        KvCache cache = transformer.newCache(Math.max(capacity, prompt.length));
        int[] history = Arrays.copyOf(prompt, prompt.length + s.maxNewTokens() + 1);
        int historyLength = prompt.length;
        Sampler sampler = new Sampler(s, transformer.config.vocabSize());
        List<String> stops = s.stopStrings();
        int eos = codec.eosId() >= 0 ? codec.eosId() : transformer.config.eosTokenId();

        long t0 = System.nanoTime();
        float[] logits = transformer.forward(prompt, prompt.length, cache);
        long tPrefill = System.nanoTime();
        int[] generated = new int[s.maxNewTokens()];
        int n = 0;
        int emitted = 0;
        long tFirst = 0;
        String text = "";
        GenerationResult.StopReason reason = GenerationResult.StopReason.MAX_TOKENS;
        while (true) {
            if (n >= s.maxNewTokens()) { reason = GenerationResult.StopReason.MAX_TOKENS; break; }
            if (cancelled != null && cancelled.getAsBoolean()) { reason = GenerationResult.StopReason.CANCELLED; break; }
            int next = sampler.sample(logits, history, historyLength);
            if (n == 0) tFirst = System.nanoTime();
            if (s.stopOnEos() && next == eos) { reason = GenerationResult.StopReason.EOS; break; }
            if (s.stopTokenIds().contains(next)) { reason = GenerationResult.StopReason.STOP_TOKEN; break; }
            generated[n++] = next;
            history[historyLength++] = next;
            text = codec.decode(generated, 0, n);
            int cut = firstStop(text, stops);
            if (cut >= 0) {
                text = text.substring(0, cut);
                reason = GenerationResult.StopReason.STOP_STRING;
                break;
            }
            int safe = text.length() - heldBack(text, stops);
            if (safe > emitted && listener != null) {
                listener.onText(text.substring(emitted, safe));
                emitted = safe;
            }
            if (n >= s.maxNewTokens()) { reason = GenerationResult.StopReason.MAX_TOKENS; break; }
            if (cache.length() >= cache.capacity()) { reason = GenerationResult.StopReason.CONTEXT_FULL; break; }
            logits = transformer.forward(new int[] {next}, 1, cache);
        }
        long tEnd = System.nanoTime();
        if (listener != null && text.length() > emitted) listener.onText(text.substring(emitted));
        if (tFirst == 0) tFirst = tEnd;
        double ttftMs = (tFirst - t0) / 1e6;
        double prefill = prompt.length / Math.max(1e-9, (tPrefill - t0) / 1e9);
        double decode = n > 1 ? (n - 1) / Math.max(1e-9, (tEnd - tFirst) / 1e9) : 0;
        return new GenerationResult(text, prompt.length, n, reason, ttftMs, prefill, decode);
    }

    /** Index of the earliest stop string in text, or -1. */
    static int firstStop(String text, List<String> stops) {
        int best = -1;
        for (String stop : stops) {
            int i = text.indexOf(stop);
            if (i >= 0 && (best < 0 || i < best)) best = i;
        }
        return best;
    }

    /** How many trailing chars to hold back: an incomplete character, or a possible stop-string start. */
    static int heldBack(String text, List<String> stops) {
        int hold = 0;
        if (!text.isEmpty() && text.charAt(text.length() - 1) == '\uFFFD') hold = 1;
        for (String stop : stops) {
            for (int len = Math.min(stop.length() - 1, text.length()); len > hold; len--) {
                if (text.endsWith(stop.substring(0, len))) { hold = len; break; }
            }
        }
        return hold;
    }
}
