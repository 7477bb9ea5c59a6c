package bitnut.corpus;

import java.io.IOException;

/** A token shard that is not what its header promises (bad magic, version, size or checksum). */
public final class ShardFormatException extends IOException {
    public ShardFormatException(String message) { super(message); }
}
