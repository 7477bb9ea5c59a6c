package bitnut.infer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/*
 * The generation loop: prefill the prompt in batches, then sample / decode one token at a time,
 * streaming text deltas to a listener and stopping at eos, a stop token, a stop string, max new
 * tokens, a full context window or a cancel request. Reports time to first token and tokens/s.
 * Several requests can be generated together (batched decode): each is a Sequence with its own
 * cache, sampler and stop state, and one Transformer.decode step advances all unfinished ones.
 *
 * Streaming and stop strings: the decoded text is re-derived from all generated ids each step (a
 * token can complete a multi-byte character), and the tail that could still become a stop string
 * (or is an incomplete UTF-8 sequence, U+FFFD) is held back, so a listener never sees "\nhum" of a
 * "\nhuman:" that ends the turn.
 *
 * Prefix reuse (PrefixCache): each generation's KV cache is kept with the ids it holds, and a later
 * prompt starting with the same ids prefills only the rest - a chat turn, a regenerate, an edit of the
 * last message, or server requests sharing a system prompt. Results are the same with or without it;
 * only the time to first token changes. Whatever calls this Generator shares the store, which is safe
 * because entries are matched by exact token ids, never by caller.
 */
public final class Generator {
    /** Receives text as it is generated. */
    @FunctionalInterface
    public interface Listener { void onText(String delta); }

    private final Transformer transformer;
    private final TokenCodec codec;
    private final int contextLength;
    private final PrefixCache prefixes = new PrefixCache();
    private volatile boolean reusePrefixes = true;

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

    /** Turns prefix reuse on (the default) or off (off also drops the kept caches): benchmarks of a full prefill. */
    public void reusePrefixes(boolean on) {
        reusePrefixes = on;
        if (!on) prefixes.clear();
    }

    /** Drops the kept KV caches (their memory); the next prompt is prefilled in full. */
    public void forgetPrefixes() { prefixes.clear(); }

    /** The ids of the KV caches kept for prefix reuse, oldest first (tests). */
    List<int[]> keptPrefixes() { return prefixes.keptIds(); }

    /** One sequence of a batched call: prompt ids, its own settings (seed, stops, max tokens) and listener (may be null). */
    public record Request(int[] promptIds, SamplingSettings settings, Listener listener) {
        public Request {
            if (promptIds.length == 0) throw new IllegalArgumentException("empty prompt");
        }
    }

    /** A request for a text prompt, encoded as {@link #generate(String, SamplingSettings, Listener, BooleanSupplier)} does. */
    public Request request(String prompt, SamplingSettings s, Listener listener) {
        int[] ids = codec.encode(prompt);
        if (ids.length == 0 && codec.bosId() >= 0) ids = new int[] {codec.bosId()};
        if (ids.length == 0) throw new IllegalArgumentException("empty prompt (and the tokenizer has no <bos> to start from)");
        return new Request(ids, s, listener);
    }

    public GenerationResult generate(String prompt, SamplingSettings s, Listener listener, BooleanSupplier cancelled) {
        return generateBatch(List.of(request(prompt, s, listener)), cancelled).getFirst();
    }

    public GenerationResult generate(int[] promptIds, SamplingSettings s, Listener listener, BooleanSupplier cancelled) {
        return generateBatch(List.of(new Request(promptIds, s, listener)), cancelled).getFirst();
    }

    /**
     * Batched decode: generates every request, with up to transformer.maxBatch() sequences in each
     * decode step (one Transformer.decode call: each weight read once for all of them). A sequence that
     * ends leaves the batch at once and the next waiting request is prefilled and joins it, so the
     * others never wait for it. Each result is what a call with that request alone would produce
     * (own seed, repetition history, stops, max tokens). `cancelled` is polled once per step; when it
     * answers true every unfinished request ends CANCELLED (waiting ones without running).
     * Results come back in request order.
     */
    public List<GenerationResult> generateBatch(List<Request> requests, BooleanSupplier cancelled) {
        long t0 = System.nanoTime();
        Sequence[] all = new Sequence[requests.size()];
        for (int i = 0; i < all.length; i++) {
            Request r = requests.get(i);
            all[i] = new Sequence(transformer, codec, contextLength, r.promptIds(), r.settings(), r.listener(), t0,
                    reusePrefixes ? prefixes : null);
        }
        int slots = Math.min(transformer.maxBatch(), Math.max(1, all.length));
        int V = transformer.config.vocabSize();
        Sequence[] active = new Sequence[slots];
        float[][] rows = new float[slots][];          // [B][V] logits of each active sequence's last position
        float[] stepLogits = new float[slots * V];    // [B, V] out of one batched decode step
        int[] tokens = new int[slots];
        KvCache[] caches = new KvCache[slots];
        int B = 0, waiting = 0;
        boolean cancel = false;
        while (true) {
            while (B < slots && waiting < all.length && !cancel) {      // fill free slots: prefill
                active[B] = all[waiting++];
                rows[B] = active[B].prefill();
                B++;
            }
            if (B == 0) break;
            cancel = cancel || (cancelled != null && cancelled.getAsBoolean());
            int kept = 0;                                                // sample; finished ones drop out
            for (int b = 0; b < B; b++) {
                int next = active[b].step(rows[b], cancel);
                if (next < 0) continue;
                active[kept] = active[b];
                rows[kept] = rows[b];
                tokens[kept] = next;
                caches[kept] = active[b].cache;
                kept++;
            }
            java.util.Arrays.fill(caches, kept, B, null);              // ended ones' caches can go
            B = kept;
            if (B == 0) continue;
            transformer.decode(tokens, caches, B, stepLogits);           // stepLogits[B, V]
            for (int b = 0; b < B; b++) {
                System.arraycopy(stepLogits, b * V, rows[b], 0, V);
            }
        }
        while (waiting < all.length) all[waiting++].cancelUnstarted();
        List<GenerationResult> results = new ArrayList<>(all.length);
        for (Sequence seq : all) results.add(seq.result());
        return results;
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
