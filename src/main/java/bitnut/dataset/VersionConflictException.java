package bitnut.dataset;

/**
 * An edit was based on an old version of the example: somebody (another window, the CLI, the voice
 * job) changed it in between. Nothing was written; {@link #current()} is the row as it is now, so
 * the caller can show both and let the user merge.
 */
public final class VersionConflictException extends RuntimeException {
    private final transient Example current;
    private final long expectedVersion;

    public VersionConflictException(long expectedVersion, Example current) {
        super("Example " + (current == null ? "?" : current.id()) + " changed meanwhile: expected version "
                + expectedVersion + ", found " + (current == null ? "none (deleted)" : current.version())
                + ". HINT: reload it and apply your edit again.");
        this.expectedVersion = expectedVersion;
        this.current = current;
    }

    public Example current() { return current; }

    public long expectedVersion() { return expectedVersion; }
}
