package bitnut.dataset;

/** Where an example came from; stored as its lower-case name in {@code examples.source}. */
public enum ExampleSource {
    /** Made by the synth jobs (question job, then voice job). */
    GENERATED,
    /** Read from a JSONL file by the import job. */
    IMPORTED,
    /** Typed in by the user in the Dataset tab. */
    MANUAL;

    public String dbName() { return name().toLowerCase(java.util.Locale.ROOT); }

    public static ExampleSource fromDb(String s) { return valueOf(s.toUpperCase(java.util.Locale.ROOT)); }
}
