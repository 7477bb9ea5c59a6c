package bitnut.dataset;

/**
 * Thresholds of the automatic flags (one record, shared by the CLI, the Dataset tab and the flag job).
 *
 * @param maxWords            too long above this many response words (the persona asks for < 200)
 * @param minRepeatSentenceWords a repeated sentence counts as repetition from this many words (5)
 * @param repeatNgram         word n-gram length for the run detector (6)
 * @param repeatNgramCount    ... flagged when one n-gram occurs this many times (3)
 * @param nearDuplicateThreshold estimated Jaccard similarity of question shingles that makes a near-duplicate
 *                            (0.8: ~0.9 precision on the shared seed questions; 0.7 flagged "capital of Russia" vs "... of Japan")
 * @param shingleWords        words per shingle for MinHash (1: questions are short; see the sweep in docs/benchmarks.md)
 * @param minHashes           MinHash signature length (128)
 */
public record FlagConfig(int maxWords, int minRepeatSentenceWords, int repeatNgram, int repeatNgramCount,
                         double nearDuplicateThreshold, int shingleWords, int minHashes) {
    public static final FlagConfig DEFAULT = new FlagConfig(200, 5, 6, 3, 0.8, 1, 128);

    public FlagConfig {
        if (maxWords < 1) throw new IllegalArgumentException("maxWords must be >= 1");
        if (nearDuplicateThreshold <= 0 || nearDuplicateThreshold > 1) throw new IllegalArgumentException("nearDuplicateThreshold must be in (0, 1]");
        if (shingleWords < 1 || minHashes < 8) throw new IllegalArgumentException("shingleWords >= 1 and minHashes >= 8 required");
    }

    public FlagConfig withNearDuplicateThreshold(double t) {
        return new FlagConfig(maxWords, minRepeatSentenceWords, repeatNgram, repeatNgramCount, t, shingleWords, minHashes);
    }

    public FlagConfig withMaxWords(int w) {
        return new FlagConfig(w, minRepeatSentenceWords, repeatNgram, repeatNgramCount, nearDuplicateThreshold, shingleWords, minHashes);
    }
}
