package bitnut.workspace;

/** A folder that cannot be used as a workspace; the message says why and how to fix it. */
public final class WorkspaceException extends Exception {
    public WorkspaceException(String message) { super(message); }
}
