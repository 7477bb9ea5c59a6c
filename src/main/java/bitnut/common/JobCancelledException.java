package bitnut.common;

/** Thrown by {@link JobContext#checkpoint()} after a cancel request; jobs let it propagate. */
public final class JobCancelledException extends RuntimeException {
    public JobCancelledException() { super("cancelled", null, false, false); }
}
