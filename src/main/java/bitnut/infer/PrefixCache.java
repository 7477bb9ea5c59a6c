package bitnut.infer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/*
 * Prefix reuse across requests (what llama.cpp's server calls prompt caching and vLLM automatic
 * prefix caching, here in its simplest form): the KV caches of the last few generations, each with
 * the token ids whose keys and values it holds (the prompt as run + the generated tokens that were
 * actually fed back through the model). A new prompt that starts with the same ids truncates such a
 * cache to the common prefix and prefills only the rest, so a chat turn costs its new tokens instead
 * of the whole conversation:
 *     cached   [human: hi\nbitnut: woof!]            <- turn 1's prompt + answer as fed
 *     prompt   [human: hi\nbitnut: woof!\nhuman: ...] <- turn 2: prefill starts at the first difference
 * Why the result is the same as a full prefill: a position's keys and values depend only on the ids
 * up to it (causal attention), and every kernel on the way gives the same floats for a row whether it
 * runs in a prefill batch or alone (the ternary matmuls accumulate integers exactly; attention and
 * norms work per row). PrefixReuseTest holds the engine to that, bit for bit, once the kernels are
 * JIT-compiled (before that even two identical full prefills can differ in the last bits; see there).
 * Entries are keyed by ids, never by who sent them: two clients with the same prefix share work, and a
 * cache is only ever used for the exact ids it was computed from, so no request can see another's
 * tokens. A prompt that extends ALL of an entry's ids (the next chat turn) takes that cache: it leaves
 * the store, its sequence writes on into it, and it comes back when that sequence ends. A prompt that
 * shares only part of them (another client's conversation that also starts with "human: ", a
 * regenerate, an edit) gets a copy of the shared positions, and the entry stays for its own next turn:
 * copying costs memory bandwidth (24.6 KB per position for bitnut-133m), prefilling the same
 * positions costs ~1.5 ms each. The least recently offered or copied-from entries go first past
 * MAX_ENTRIES or MAX_BYTES.
 */
final class PrefixCache {
    /** Caches kept; a few, so a server client and the Chat tab (or chat compare A / B) do not evict each other at once. */
    static final int MAX_ENTRIES = 4;
    /** Bytes of KV cache kept at most (the newest entry is kept even if larger: bitnut-133m's full 4096 context is 100 MB). */
    static final long MAX_BYTES = 256L << 20;

    /** A reused cache truncated to {@code reused} positions, ready for the prompt's remaining ids. */
    record Hit(KvCache cache, int reused) { }

    private record Entry(KvCache cache, int[] ids) { }

    private final List<Entry> entries = new ArrayList<>();   // least recently offered or copied from first

    /**
     * A cache holding the longest id prefix {@code prompt} shares with a kept one, but never all of the
     * prompt (the last prompt id must run to give the first logits), with room for at least
     * {@code capacity} positions; null when nothing is shared. The kept cache itself when the prompt
     * extends all of its ids (grown by copy when too small: doubling, up to {@code maxCapacity}), else a
     * copy of the shared positions.
     */
    synchronized Hit take(int[] prompt, int capacity, int maxCapacity) {
        int best = -1, bestLength = 0;
        for (int i = 0; i < entries.size(); i++) {
            int n = commonPrefix(entries.get(i).ids(), prompt);
            if (n > bestLength) { best = i; bestLength = n; }
        }
        int reused = Math.min(bestLength, prompt.length - 1);
        if (best < 0 || reused < 1) return null;
        Entry e = entries.get(best);
        entries.remove(best);
        if (reused < e.ids().length) {
            entries.add(e);                                   // recently used: evicted last
            return new Hit(e.cache().copyPrefix(reused, capacity), reused);
        }
        KvCache cache = e.cache();
        if (cache.capacity() < capacity) {
            cache = cache.copyPrefix(reused, Math.max(capacity, Math.min(maxCapacity, 2 * cache.capacity())));
        }
        return new Hit(cache, reused);
    }

    /** Keeps {@code cache} for later prompts; ids[0 .. cache.length()) are the ids it holds. */
    synchronized void offer(KvCache cache, int[] ids) {
        if (cache.length() < 1) return;
        int[] held = Arrays.copyOf(ids, cache.length());
        // an entry whose ids all start the new one's (the same prompt answered the same way again) adds nothing
        entries.removeIf(e -> e.cache() == cache || commonPrefix(e.ids(), held) == e.ids().length);
        entries.add(new Entry(cache, held));
        long bytes = 0;
        for (Entry e : entries) bytes += e.cache().bytes();
        while (entries.size() > 1 && (entries.size() > MAX_ENTRIES || bytes > MAX_BYTES)) {
            bytes -= entries.removeFirst().cache().bytes();
        }
    }

    synchronized void clear() { entries.clear(); }

    synchronized int size() { return entries.size(); }

    /** The ids each kept cache holds, oldest first (tests). */
    synchronized List<int[]> keptIds() {
        List<int[]> out = new ArrayList<>();
        for (Entry e : entries) out.add(e.ids().clone());
        return out;
    }

    /** Length of the common prefix of a and b. */
    static int commonPrefix(int[] a, int[] b) {
        int n = Arrays.mismatch(a, b);
        return n < 0 ? a.length : n;
    }
}
