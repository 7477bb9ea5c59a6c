package bitnut.tokenizer;

import bitnut.common.JobContext;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Byte-level BPE training, a line-for-line port of HF tokenizers' {@code BpeTrainer::do_train}
 * (0.23; tokenizer-spec.md 2.4-2.7) so that the vocab and merges come out identical:
 * specials first, then the byte alphabet sorted by code point, then merges popped from a max-heap
 * ordered by (count desc, pair asc) with lazy count refresh and an incremental pair -> words index.
 *
 * <p>Worked example (vocab ids after 5 specials): words {@code {"ab": 3, "abab": 1}} give pairs
 * {@code (a,b): 5, (b,a): 1}; the first merge is {@code a b -> ab} and leaves {@code (ab,ab): 1}.
 *
 * <p>Differences from HF that do not change the output: words are kept as UTF-8 bytes until
 * here; counts, pairs and positions live in primitive arrays; merges are applied on one thread
 * (HF uses rayon per merge), as the sums do not depend on order. One-symbol words are dropped
 * before the merge loop since they hold no pair.
 */
public final class BpeTrainer {

    /** What training produced. {@code vocab} is indexed by id; merges are in rank order. */
    public record Result(List<String> vocab, List<String[]> merges, int specials, int alphabetSize,
                         long distinctWords, long pairsInitial, long pairsTotal) { }

    private BpeTrainer() { }

    /**
     * Heap entry: HF's {@code Merge { pair, count, pos }}. The word indices of {@code pos} are
     * ascending (built by scanning words in order), so they are stored as varint deltas: most
     * entries never get merged and stay in the heap, and their positions are the trainer's largest
     * live structure (1-2 bytes per position instead of 4; HF's HashSet needs ~16).
     */
    private static final class Entry {
        final long pair;
        int count;
        final byte[] pos;

        Entry(long pair, int count, byte[] pos) { this.pair = pair; this.count = count; this.pos = pos; }
    }

    /** Ascending ints as varint deltas. */
    static byte[] encodePositions(int[] a, int n) {
        byte[] out = new byte[n * 5];
        int o = 0, prev = 0;
        for (int i = 0; i < n; i++) {
            int d = a[i] - prev;
            if (d < 0) throw new IllegalStateException("positions not ascending");
            prev = a[i];
            while ((d & ~0x7F) != 0) { out[o++] = (byte) ((d & 0x7F) | 0x80); d >>>= 7; }
            out[o++] = (byte) d;
        }
        return Arrays.copyOf(out, o);
    }

    static long pack(int a, int b) { return ((long) a << 32) | (b & 0xFFFFFFFFL); }

    /**
     * Runs the merge loop over counted words.
     *
     * @param byteAlphabet put all 256 byte characters in the alphabet (HF's
     *                     {@code initial_alphabet=ByteLevel.alphabet()}); false = only the bytes seen
     */
    static Result train(WordTable counts, int vocabSize, long minFrequency, List<String> specialTokens,
                        boolean byteAlphabet, JobContext ctx) throws InterruptedException {
        // 1. vocab = specials, then the alphabet sorted by code point of the byte-level character
        List<String> vocab = new ArrayList<>();
        Map<String, Integer> ids = new HashMap<>();
        for (String s : specialTokens) {
            if (!ids.containsKey(s)) { ids.put(s, vocab.size()); vocab.add(s); }
        }
        int specials = vocab.size();
        boolean[] seen = new boolean[256];
        if (byteAlphabet) Arrays.fill(seen, true);
        counts.forEach((arena, off, len, c) -> { for (int i = off; i < off + len; i++) seen[arena[i] & 0xFF] = true; });
        List<Character> alphabet = new ArrayList<>();
        for (int b = 0; b < 256; b++) if (seen[b]) alphabet.add(ByteLevel.byteChar(b));
        alphabet.sort(null);
        int[] byteId = new int[256];
        for (char ch : alphabet) {
            String s = String.valueOf(ch);
            Integer id = ids.get(s);
            if (id == null) { id = vocab.size(); ids.put(s, id); vocab.add(s); }
            byteId[ByteLevel.charByte(ch)] = id;
        }
        int alphabetSize = alphabet.size();
        if (vocabSize < vocab.size()) {
            throw new IllegalArgumentException("vocab size " + vocabSize + " is below the " + specials
                    + " special tokens + " + alphabetSize + " alphabet characters = " + vocab.size()
                    + ". HINT: use --vocab-size " + vocab.size() + " or more.");
        }

        // 2. words as symbol ids (HF: tokenize_words); one-symbol words hold no pair
        int nWords = 0;
        long nSymbols = 0;
        int[] wc = new int[Math.max(1, counts.size())];
        int[] wStart = new int[Math.max(1, counts.size())];
        int[] wLen = new int[Math.max(1, counts.size())];
        IntList sym = new IntList(1 << 16);
        long[] distinct = {0};
        {
            final int[][] holder = {wc, wStart, wLen};
            final int[] nw = {0};
            counts.forEach((arena, off, len, c) -> {
                distinct[0]++;
                if (len < 2) return;
                int w = nw[0]++;
                holder[0][w] = (int) c;              // HF: counts[i] as i32
                holder[1][w] = sym.size();
                holder[2][w] = len;
                for (int i = off; i < off + len; i++) sym.add(byteId[arena[i] & 0xFF]);
            });
            nWords = nw[0];
            nSymbols = sym.size();
        }
        int[] s = sym.array();

        // 3. initial pair counts and positions (HF: count_pairs)
        LongIntMap pairIndex = new LongIntMap(1 << 16);
        PairTable pairs = new PairTable();
        for (int w = 0; w < nWords; w++) {
            int st = wStart[w], end = st + wLen[w];
            for (int i = st; i + 1 < end; i++) {
                int p = pairs.indexOf(pairIndex, pack(s[i], s[i + 1]));
                pairs.count[p] += wc[w];
                pairs.addPosition(p, w);
            }
            if ((w & 0xFFFF) == 0) ctx.checkpoint();
        }
        long pairsInitial = pairs.size;
        PriorityQueue<Entry> heap = new PriorityQueue<>(Math.max(16, pairs.size), (x, y) ->
                x.count != y.count ? Integer.compare(y.count, x.count) : Long.compare(x.pair, y.pair));
        for (int p = 0; p < pairs.size; p++) {
            if (pairs.count[p] > 0) heap.add(new Entry(pairs.key[p], pairs.count[p], pairs.takePositions(p)));
        }
        pairs.dropPositions();

        // 4. merge loop (HF: do_train, tokenizer-spec.md 2.7)
        List<int[]> merges = new ArrayList<>();          // {a, b, newId}
        int target = vocabSize - vocab.size();
        Updates upd = new Updates(pairs);
        long lastReport = System.nanoTime();
        while (vocab.size() < vocabSize) {
            Entry top = heap.poll();
            if (top == null) break;
            int current = pairs.count[pairIndex.get(top.pair)];
            if (top.count != current) { top.count = current; heap.add(top); continue; }   // lazy refresh
            if (top.count < 1 || minFrequency > top.count) break;

            int a = (int) (top.pair >>> 32), b = (int) top.pair;
            String token = vocab.get(a) + vocab.get(b);
            Integer existing = ids.get(token);            // an existing string reuses its id
            int newId;
            if (existing != null) newId = existing;
            else { newId = vocab.size(); ids.put(token, newId); vocab.add(token); }
            merges.add(new int[] {a, b, newId});

            // Word.merge on every word that held the pair; s[out-1] is the current (maybe merged) symbol
            upd.begin();
            byte[] posBytes = top.pos;
            for (int pi = 0, w = 0; pi < posBytes.length; ) {
                int d = 0, shift = 0, by;
                do { by = posBytes[pi++]; d |= (by & 0x7F) << shift; shift += 7; } while ((by & 0x80) != 0);
                w += d;
                int c = wc[w];
                int st = wStart[w], end = st + wLen[w];
                int r = st, out = st;
                while (r < end) {
                    if (s[r] == a && r + 1 < end && s[r + 1] == b) {
                        if (out > st) {
                            int prev = s[out - 1];
                            pairs.count[pairs.indexOf(pairIndex, pack(prev, a))] -= c;
                            upd.positive(pairs.indexOf(pairIndex, pack(prev, newId)), w, c);
                        }
                        s[out++] = newId;
                        r += 2;
                        if (r < end) {
                            int next = s[r];
                            pairs.count[pairs.indexOf(pairIndex, pack(b, next))] -= c;
                            upd.positive(pairs.indexOf(pairIndex, pack(newId, next)), w, c);
                        }
                    } else {
                        s[out++] = s[r++];
                    }
                }
                wLen[w] = out - st;
            }
            for (int u = 0; u < upd.n; u++) {               // push every new pair whose total is > 0
                int q = upd.pair[u];
                if (pairs.count[q] > 0) heap.add(new Entry(pairs.key[q], pairs.count[q], encodePositions(upd.pos[u].array(), upd.pos[u].size())));
            }

            if ((merges.size() & 63) == 0) {
                ctx.checkpoint();
                long now = System.nanoTime();
                if (now - lastReport > 200_000_000L) {
                    lastReport = now;
                    ctx.progress((double) merges.size() / Math.max(1, target), "merging: " + merges.size() + " / " + target + " merges");
                    ctx.metric("merges", merges.size(), top.count);
                }
            }
        }

        // HF keeps the last rank of a pair merged twice (the "already in vocab" case); list by rank
        Map<Long, Integer> lastRank = new HashMap<>();
        for (int i = 0; i < merges.size(); i++) lastRank.put(pack(merges.get(i)[0], merges.get(i)[1]), i);
        List<String[]> out = new ArrayList<>(merges.size());
        for (int i = 0; i < merges.size(); i++) {
            int[] m = merges.get(i);
            if (lastRank.get(pack(m[0], m[1])) == i) out.add(new String[] {vocab.get(m[0]), vocab.get(m[1])});
        }
        return new Result(List.copyOf(vocab), out, specials, alphabetSize, distinct[0], pairsInitial, pairs.size);
    }

    /**
     * The positive changes of one merge, grouped by pair (HF's {@code where_to_update}): pair
     * index -> the words now holding it. Stamps avoid clearing arrays between merges.
     */
    private static final class Updates {
        private final PairTable pairs;
        private int[] stampOf = new int[1 << 12];
        private int[] slotOf = new int[1 << 12];
        private int stamp;
        int n;
        int[] pair = new int[64];
        IntList[] pos = new IntList[64];

        Updates(PairTable pairs) { this.pairs = pairs; }

        void begin() { stamp++; n = 0; }

        /** pair_count[q] += c and remember that word w holds q. */
        void positive(int q, int w, int c) {
            pairs.count[q] += c;
            if (q >= stampOf.length) {
                int len = Math.max(q + 1, stampOf.length * 2);
                stampOf = Arrays.copyOf(stampOf, len);
                slotOf = Arrays.copyOf(slotOf, len);
            }
            int u;
            if (stampOf[q] != stamp) {
                stampOf[q] = stamp;
                u = n++;
                slotOf[q] = u;
                if (u == pair.length) { pair = Arrays.copyOf(pair, u * 2); pos = Arrays.copyOf(pos, u * 2); }
                pair[u] = q;
                if (pos[u] == null) pos[u] = new IntList(4);
                else pos[u].reset();
            } else {
                u = slotOf[q];
            }
            IntList l = pos[u];
            if (l.size() == 0 || l.last() != w) l.add(w);   // changes come word by word: one entry per word
        }
    }

    /** Dense pair storage: index -> packed pair, count (i32 as in HF), initial positions. */
    private static final class PairTable {
        long[] key = new long[1 << 12];
        int[] count = new int[1 << 12];
        IntList[] pos = new IntList[1 << 12];
        int size;

        int indexOf(LongIntMap index, long pair) {
            int p = index.putIfAbsent(pair, size);
            if (p >= 0) return p;
            if (size == key.length) {
                key = Arrays.copyOf(key, size * 2);
                count = Arrays.copyOf(count, size * 2);
                if (pos != null) pos = Arrays.copyOf(pos, size * 2);
            }
            key[size] = pair;
            return size++;
        }

        void addPosition(int p, int w) {
            IntList l = pos[p];
            if (l == null) pos[p] = l = new IntList(2);
            if (l.size() == 0 || l.last() != w) l.add(w);
        }

        byte[] takePositions(int p) {
            byte[] a = pos[p] == null ? new byte[0] : encodePositions(pos[p].array(), pos[p].size());
            pos[p] = null;
            return a;
        }

        void dropPositions() { pos = null; }
    }

    /** A growable int array. */
    static final class IntList {
        private int[] a;
        private int n;

        IntList(int cap) { a = new int[Math.max(1, cap)]; }
        int size() { return n; }
        int last() { return a[n - 1]; }
        int[] array() { return a; }

        void add(int v) {
            if (n == a.length) a = Arrays.copyOf(a, n * 2);
            a[n++] = v;
        }

        int[] toArray() { return Arrays.copyOf(a, n); }
        void reset() { n = 0; }
    }
}
