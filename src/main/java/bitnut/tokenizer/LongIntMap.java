package bitnut.tokenizer;

import java.util.Arrays;

/** Open-addressing map from a non-negative long (a packed id pair) to an int; -1 means absent. */
final class LongIntMap {
    private static final long EMPTY = -1L;
    private long[] keys;
    private int[] vals;
    private int size, mask;

    LongIntMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2) - 1) << 1;
        keys = new long[cap];
        Arrays.fill(keys, EMPTY);
        vals = new int[cap];
        mask = cap - 1;
    }

    int size() { return size; }

    private static int slot(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29));
    }

    /** The value for {@code k}, or -1. */
    int get(long k) {
        int i = slot(k) & mask;
        while (true) {
            long kk = keys[i];
            if (kk == k) return vals[i];
            if (kk == EMPTY) return -1;
            i = (i + 1) & mask;
        }
    }

    /** Puts {@code k -> v} if absent; returns the existing value or -1 if it was absent. */
    int putIfAbsent(long k, int v) {
        int i = slot(k) & mask;
        while (true) {
            long kk = keys[i];
            if (kk == k) return vals[i];
            if (kk == EMPTY) break;
            i = (i + 1) & mask;
        }
        keys[i] = k;
        vals[i] = v;
        if (++size * 2 > keys.length) grow();
        return -1;
    }

    void clear() {
        if (size == 0) return;
        Arrays.fill(keys, EMPTY);
        size = 0;
    }

    long memoryBytes() { return keys.length * 12L; }

    private void grow() {
        long[] ok = keys;
        int[] ov = vals;
        keys = new long[ok.length * 2];
        Arrays.fill(keys, EMPTY);
        vals = new int[ok.length * 2];
        mask = keys.length - 1;
        for (int s = 0; s < ok.length; s++) {
            if (ok[s] == EMPTY) continue;
            int i = slot(ok[s]) & mask;
            while (keys[i] != EMPTY) i = (i + 1) & mask;
            keys[i] = ok[s];
            vals[i] = ov[s];
        }
    }
}
