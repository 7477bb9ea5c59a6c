package bitnut.corpus;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A token shard memory-mapped with FFM ({@link MemorySegment}: files over 2 GB work, unlike
 * {@code MappedByteBuffer}). Thread-safe for reads; {@link #close} unmaps.
 */
public final class TokenShardReader implements AutoCloseable {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path file;
    private final TokenShardHeader header;
    private final Arena arena;
    private final MemorySegment tokens;

    private TokenShardReader(Path file, TokenShardHeader header, Arena arena, MemorySegment tokens) {
        this.file = file;
        this.header = header;
        this.arena = arena;
        this.tokens = tokens;
    }

    /** Opens and validates a shard (magic, version, header CRC, file size). */
    public static TokenShardReader open(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer head = ByteBuffer.allocate((int) Math.min(size, TokenShardHeader.HEADER_BYTES));
            while (head.hasRemaining() && ch.read(head) >= 0) { }
            TokenShardHeader h = TokenShardHeader.decode(file, head.array(), size);
            Arena arena = Arena.ofShared();
            try {
                MemorySegment all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
                return new TokenShardReader(file, h, arena, all.asSlice(TokenShardHeader.HEADER_BYTES));
            } catch (IOException | RuntimeException e) {
                arena.close();
                throw e;
            }
        }
    }

    /** Reads only the header (no mapping): for listings and compatibility checks. */
    public static TokenShardHeader readHeader(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer head = ByteBuffer.allocate((int) Math.min(ch.size(), TokenShardHeader.HEADER_BYTES));
            while (head.hasRemaining() && ch.read(head) >= 0) { }
            return TokenShardHeader.decode(file, head.array(), ch.size());
        }
    }

    public Path file() { return file; }
    public TokenShardHeader header() { return header; }
    public long tokenCount() { return header.tokenCount(); }

    public int token(long index) {
        return header.wideTokens() ? tokens.getAtIndex(U32, index) : Short.toUnsignedInt(tokens.getAtIndex(U16, index));
    }

    /**
     * Copies {@code length} tokens starting at {@code start} into {@code into[offset..]}; uint16
     * tokens are bulk-copied into {@code scratch} and widened (one native copy per window).
     */
    public void read(long start, int[] into, int offset, int length, short[] scratch) {
        if (start < 0 || length < 0 || start + length > header.tokenCount()) {
            throw new IndexOutOfBoundsException("tokens [" + start + ", " + (start + length) + ") outside " + file
                    + " (" + header.tokenCount() + " tokens)");
        }
        if (header.wideTokens()) {
            MemorySegment.copy(tokens, U32, start * 4, into, offset, length);
        } else {
            MemorySegment.copy(tokens, U16, start * 2, scratch, 0, length);
            for (int i = 0; i < length; i++) into[offset + i] = scratch[i] & 0xFFFF;
        }
    }

    @Override public void close() { arena.close(); }
}
