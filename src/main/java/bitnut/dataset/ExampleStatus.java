package bitnut.dataset;

/** Review state of one example; stored as its lower-case name in {@code examples.status}. */
public enum ExampleStatus {
    NEW, APPROVED, REJECTED, NEEDS_EDIT;

    public String dbName() { return name().toLowerCase(java.util.Locale.ROOT); }

    public static ExampleStatus fromDb(String s) { return valueOf(s.toUpperCase(java.util.Locale.ROOT)); }
}
