package bitnut.dataset;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * MinHash signatures over word shingles, with an LSH band index, for near-duplicate questions.
 * Shared by the synth question job (dedupe while generating) and the flag job (Broder 1997;
 * banding as in Leskovec et al., "Mining of Massive Datasets", ch. 3).
 *
 * <p>Example: {@code "what is a quasar"} with 2-word shingles is {what is, is a, a quasar};
 * {@code "what is a quasar exactly"} adds {quasar exactly}: Jaccard 3/4 = 0.75, and
 * {@link #similarity} of their signatures estimates it (standard error ~ 1/sqrt(numHashes)).
 * Texts are normalized with {@link QuestionKey#normalize} first. Not thread-safe for {@link #add}.
 */
public final class MinHash {
    private final int shingleWords;
    private final long[] seeds;
    private final int bands;
    private final int rows;
    private final List<Map<Long, List<Long>>> buckets = new ArrayList<>();
    private final Map<Long, int[]> signatures = new HashMap<>();

    /** @param numHashes signature length; bands of 4 rows are used for the index (numHashes % 4 == 0) */
    public MinHash(int shingleWords, int numHashes, long seed) {
        if (numHashes % 4 != 0) throw new IllegalArgumentException("numHashes must be a multiple of 4");
        this.shingleWords = shingleWords;
        this.seeds = new long[numHashes];
        long s = seed;
        for (int i = 0; i < numHashes; i++) { s = mix(s + 0x9E3779B97F4A7C15L); seeds[i] = s; }
        this.rows = 4;
        this.bands = numHashes / rows;
        for (int b = 0; b < bands; b++) buckets.add(new HashMap<>());
    }

    public static MinHash of(FlagConfig cfg) { return new MinHash(cfg.shingleWords(), cfg.minHashes(), 42); }

    /** The word shingles of a text after normalization (a text shorter than a shingle is one shingle). */
    public Set<String> shingles(String text) {
        String[] w = QuestionKey.normalize(text).replaceAll("[^\\p{L}\\p{N}' ]", " ").trim().split("\\s+");
        Set<String> out = new LinkedHashSet<>();
        if (w.length == 0 || w[0].isEmpty()) return out;
        if (w.length <= shingleWords) { out.add(String.join(" ", w)); return out; }
        for (int i = 0; i + shingleWords <= w.length; i++) out.add(String.join(" ", java.util.Arrays.copyOfRange(w, i, i + shingleWords)));
        return out;
    }

    public int[] signature(String text) {
        int[] sig = new int[seeds.length];
        java.util.Arrays.fill(sig, Integer.MAX_VALUE);
        for (String sh : shingles(text)) {
            long h = hash64(sh);
            for (int i = 0; i < seeds.length; i++) {
                int v = (int) (mix(h ^ seeds[i]) >>> 33);
                if (v < sig[i]) sig[i] = v;
            }
        }
        return sig;
    }

    /** Estimated Jaccard similarity of the shingle sets behind two signatures. */
    public static double similarity(int[] a, int[] b) {
        int same = 0;
        for (int i = 0; i < a.length; i++) if (a[i] == b[i]) same++;
        return (double) same / a.length;
    }

    /** Exact Jaccard similarity of two texts' shingle sets (the reference the estimate is tested against). */
    public double jaccard(String x, String y) {
        Set<String> a = shingles(x), b = shingles(y);
        if (a.isEmpty() && b.isEmpty()) return 1;
        int inter = 0;
        for (String s : a) if (b.contains(s)) inter++;
        return (double) inter / (a.size() + b.size() - inter);
    }

    /** A match found in the index. */
    public record Match(long id, double similarity) { }

    /** The most similar indexed text at or above {@code threshold}, if any (LSH candidates, then signature check). */
    public java.util.Optional<Match> nearest(int[] sig, double threshold) {
        Match best = null;
        Set<Long> seen = new java.util.HashSet<>();
        for (int b = 0; b < bands; b++) {
            List<Long> ids = buckets.get(b).get(bandKey(sig, b));
            if (ids == null) continue;
            for (long id : ids) {
                if (!seen.add(id)) continue;
                double s = similarity(sig, signatures.get(id));
                if (s >= threshold && (best == null || s > best.similarity())) best = new Match(id, s);
            }
        }
        return java.util.Optional.ofNullable(best);
    }

    /** Adds a signature to the index under {@code id}. */
    public void add(long id, int[] sig) {
        signatures.put(id, sig);
        for (int b = 0; b < bands; b++) buckets.get(b).computeIfAbsent(bandKey(sig, b), k -> new ArrayList<>(1)).add(id);
    }

    public int size() { return signatures.size(); }

    private long bandKey(int[] sig, int band) {
        long h = band * 0x100000001B3L;
        for (int r = 0; r < rows; r++) h = mix(h ^ sig[band * rows + r]);
        return h;
    }

    private static long hash64(String s) {
        long h = 0xcbf29ce484222325L;   // FNV-1a, then a finalizer for better low bits
        for (int i = 0; i < s.length(); i++) { h ^= s.charAt(i); h *= 0x100000001b3L; }
        return mix(h);
    }

    /** SplitMix64 finalizer. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
