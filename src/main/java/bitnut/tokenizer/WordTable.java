package bitnut.tokenizer;

import java.util.Arrays;

/**
 * Distinct pre-tokens ("words") with their counts, keyed by UTF-8 bytes: HF's
 * {@code HashMap<String, u64>} (tokenizer-spec.md 2.3) without a String per word. Keys live in one
 * byte arena; slots are parallel primitive arrays with linear probing. Not thread-safe: each
 * counting thread owns one, and they are merged at the end.
 */
final class WordTable {
    private byte[] arena = new byte[1 << 16];
    private int arenaUsed;
    private int[] off;          // key offset in arena, -1 = empty slot
    private int[] len;
    private int[] hash;
    private long[] count;
    private int size;
    private int mask;

    WordTable() { alloc(1 << 12); }

    private void alloc(int capacity) {
        off = new int[capacity];
        Arrays.fill(off, -1);
        len = new int[capacity];
        hash = new int[capacity];
        count = new long[capacity];
        mask = capacity - 1;
    }

    int size() { return size; }

    /** Bytes held (arena + slots), for the memory report. */
    long memoryBytes() { return arena.length + (long) off.length * (4 + 4 + 4 + 8); }

    static int hash(byte[] b, int from, int n) {
        int h = 0x9E3779B9 ^ n;
        for (int i = from, end = from + n; i < end; i++) h = (h ^ b[i]) * 0x01000193;
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        return h;
    }

    /** Adds {@code c} to the count of the word {@code key[from, from+n)}. */
    void add(byte[] key, int from, int n, long c) { add(key, from, n, c, hash(key, from, n)); }

    private void add(byte[] key, int from, int n, long c, int h) {
        int i = h & mask;
        while (true) {
            int o = off[i];
            if (o < 0) break;
            if (hash[i] == h && len[i] == n && Arrays.equals(arena, o, o + n, key, from, from + n)) {
                count[i] += c;
                return;
            }
            i = (i + 1) & mask;
        }
        if (arenaUsed + n > arena.length) {
            long want = Math.max((long) arena.length * 2, (long) arenaUsed + n);
            if (want > Integer.MAX_VALUE - 16) throw new IllegalStateException("more than 2 GB of distinct words");
            arena = Arrays.copyOf(arena, (int) want);
        }
        System.arraycopy(key, from, arena, arenaUsed, n);
        off[i] = arenaUsed;
        len[i] = n;
        hash[i] = h;
        count[i] = c;
        arenaUsed += n;
        if (++size * 2 > off.length) grow();
    }

    private void grow() {
        int[] oOff = off, oLen = len, oHash = hash;
        long[] oCount = count;
        alloc(off.length * 2);
        for (int s = 0; s < oOff.length; s++) {
            if (oOff[s] < 0) continue;
            int i = oHash[s] & mask;
            while (off[i] >= 0) i = (i + 1) & mask;
            off[i] = oOff[s];
            len[i] = oLen[s];
            hash[i] = oHash[s];
            count[i] = oCount[s];
        }
    }

    /** Adds every word of {@code other} into this table. */
    void addAll(WordTable other) {
        for (int s = 0; s < other.off.length; s++) {
            if (other.off[s] >= 0) add(other.arena, other.off[s], other.len[s], other.count[s], other.hash[s]);
        }
    }

    /** Visits every word: its bytes are {@code arena[off, off+len)}. */
    interface Visitor { void word(byte[] arena, int off, int len, long count); }

    void forEach(Visitor v) {
        for (int s = 0; s < off.length; s++) if (off[s] >= 0) v.word(arena, off[s], len[s], count[s]);
    }
}
