package bitnut.dataset;

/**
 * What the Dataset tab, the CLI and exports select. Every field is optional (null = any).
 *
 * @param topic        exact topic name
 * @param status       review status
 * @param source       generated, imported or manual
 * @param flag         rows that carry this flag
 * @param unflagged    true: only rows without any flag
 * @param minWords     response length at least this many words
 * @param maxWords     response length at most this many words
 * @param search       full-text query over prompt and response (words, AND-ed; the last one is a prefix)
 * @param hasResponse  true: answered rows only; false: unanswered questions only
 */
public record ExampleFilter(String topic, ExampleStatus status, ExampleSource source, Flag flag, Boolean unflagged,
                            Integer minWords, Integer maxWords, String search, Boolean hasResponse) {
    public static final ExampleFilter ALL = new ExampleFilter(null, null, null, null, null, null, null, null, null);

    public ExampleFilter withTopic(String t) { return new ExampleFilter(blankToNull(t), status, source, flag, unflagged, minWords, maxWords, search, hasResponse); }
    public ExampleFilter withStatus(ExampleStatus s) { return new ExampleFilter(topic, s, source, flag, unflagged, minWords, maxWords, search, hasResponse); }
    public ExampleFilter withSource(ExampleSource s) { return new ExampleFilter(topic, status, s, flag, unflagged, minWords, maxWords, search, hasResponse); }
    public ExampleFilter withFlag(Flag f) { return new ExampleFilter(topic, status, source, f, unflagged, minWords, maxWords, search, hasResponse); }
    public ExampleFilter withUnflagged(Boolean u) { return new ExampleFilter(topic, status, source, flag, u, minWords, maxWords, search, hasResponse); }
    public ExampleFilter withWords(Integer min, Integer max) { return new ExampleFilter(topic, status, source, flag, unflagged, min, max, search, hasResponse); }
    public ExampleFilter withSearch(String q) { return new ExampleFilter(topic, status, source, flag, unflagged, minWords, maxWords, blankToNull(q), hasResponse); }
    public ExampleFilter withHasResponse(Boolean h) { return new ExampleFilter(topic, status, source, flag, unflagged, minWords, maxWords, search, h); }

    private static String blankToNull(String s) { return s == null || s.isBlank() ? null : s.strip(); }
}
