package bitnut.synth;

/**
 * A teacher request that failed for good (after its retries) or cannot succeed (bad key, unknown
 * model). Messages never contain the API key: {@link ApiKeys#redact} runs over them first.
 */
public final class TeacherException extends Exception {
    private final boolean retryable;

    public TeacherException(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    public TeacherException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    /** True for failures another attempt may fix (timeouts, 5xx, 429, dropped connections). */
    public boolean retryable() { return retryable; }
}
