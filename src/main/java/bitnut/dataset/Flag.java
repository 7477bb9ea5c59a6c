package bitnut.dataset;

/**
 * Automatic quality flags raised by {@link FlagDetector}. The bit of each flag is stored in
 * {@code examples.flags}; bits are part of the file format, so never renumber them.
 */
public enum Flag {
    EMPTY(0, "empty", "The answer is missing or has no words."),
    ROLE_CONFUSION(1, "role confusion", "The answer talks to BitNut or about BitNut in the third person instead of speaking as BitNut."),
    PERSONA_MISSING(2, "persona missing", "No dog voice: none of BitNut's markers (squirrels, tail, sniffing, barking, treats, ...)."),
    TOO_LONG(3, "too long", "Longer than the persona's word limit."),
    TRUNCATED(4, "truncated", "Ends mid-sentence or hit the generation token limit."),
    REPETITION(5, "repetition", "Repeats the same sentence or word run."),
    BOILERPLATE(6, "assistant boilerplate", "Generic assistant phrasing or a refusal (\"As an AI language model ...\")."),
    NEAR_DUPLICATE(7, "near-duplicate question", "The question is nearly the same as an earlier one (MinHash over word shingles).");

    public final int bit;
    public final String label;
    /** What the flag means, shown in the UI next to the specific reason. */
    public final String meaning;

    Flag(int bit, String label, String meaning) {
        this.bit = bit;
        this.label = label;
        this.meaning = meaning;
    }

    public int mask() { return 1 << bit; }

    /** Parses "role_confusion", "role-confusion" or "ROLE_CONFUSION". */
    public static Flag parse(String s) {
        return valueOf(s.strip().toUpperCase(java.util.Locale.ROOT).replace('-', '_').replace(' ', '_'));
    }
}
