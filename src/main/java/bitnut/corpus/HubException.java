package bitnut.corpus;

import java.io.IOException;

/** A Hub request that failed for a reason retrying will not fix (404, 401/403, checksum mismatch). */
public final class HubException extends IOException {
    public HubException(String message) { super(message); }
}
