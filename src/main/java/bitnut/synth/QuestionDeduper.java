package bitnut.synth;

import bitnut.dataset.FlagConfig;
import bitnut.dataset.MinHash;
import bitnut.dataset.QuestionKey;

import java.util.HashSet;
import java.util.Set;

/**
 * Global dedupe for the question job: a question is dropped when its normalized key
 * ({@link QuestionKey}) is already known, or when its MinHash signature over word shingles is at
 * least {@code threshold} similar to a known question's (LSH index from {@link MinHash}). "Known"
 * means stored in the dataset before the run, or accepted earlier in this run.
 *
 * <p>Example at threshold 0.7 with the dataset's default word shingles ({@link FlagConfig#DEFAULT}):
 * "what is the best way to train a puppy to sit" vs the same plus "down" share 10 of 11 words
 * (Jaccard 0.91): dropped; "why do squirrels bury acorns" vs "why do squirrels forget where they
 * hide nuts" share 3 of 10 (0.3): kept. 1.0 turns near-duplicate detection off (exact keys only).
 */
final class QuestionDeduper {
    enum Kind { NEW, EXACT, NEAR }

    record Verdict(Kind kind, String key, int[] signature, double similarity) { }

    private final double threshold;
    private final MinHash index = MinHash.of(FlagConfig.DEFAULT);
    private final Set<String> keys = new HashSet<>();
    private long nextId;

    QuestionDeduper(double threshold) {
        if (threshold <= 0 || threshold > 1) throw new IllegalArgumentException("near-duplicate threshold must be in (0, 1]: " + threshold);
        this.threshold = threshold;
    }

    /** Registers a question (its key) already in the store. */
    void addExisting(String key) {
        if (keys.add(key) && nearEnabled()) index.add(nextId++, index.signature(key));
    }

    int size() { return keys.size(); }

    private boolean nearEnabled() { return threshold < 1.0; }

    /** Classifies a question without remembering it. */
    Verdict check(String question) {
        String key = QuestionKey.normalize(question);
        if (key.isEmpty() || keys.contains(key)) return new Verdict(Kind.EXACT, key, null, 1.0);
        if (!nearEnabled()) return new Verdict(Kind.NEW, key, null, 0);
        int[] sig = index.signature(key);
        var m = index.nearest(sig, threshold);
        return m.isPresent() ? new Verdict(Kind.NEAR, key, sig, m.get().similarity()) : new Verdict(Kind.NEW, key, sig, 0);
    }

    /** Remembers an accepted question so later ones are compared against it. */
    void accept(Verdict v) {
        if (v.kind() != Kind.NEW) throw new IllegalArgumentException("only NEW questions are accepted");
        if (keys.add(v.key()) && v.signature() != null) index.add(nextId++, v.signature());
    }
}
