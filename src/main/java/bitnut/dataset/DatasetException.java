package bitnut.dataset;

/** A dataset file could not be read or written; the message names the file and, where known, a fix. */
public final class DatasetException extends RuntimeException {
    public DatasetException(String message, Throwable cause) { super(message, cause); }

    public DatasetException(String message) { super(message); }
}
