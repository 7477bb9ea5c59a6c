package bitnut.corpus;

import bitnut.common.AtomicFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes one token shard crash-safely: tokens stream into {@code name.tmp} behind a placeholder
 * header; {@link #commit} patches the real header, fsyncs and renames the file into place. A crash
 * at any moment leaves either no shard or a complete one (the .tmp is discarded by the next build).
 *
 * <p>Format: {@link TokenShardHeader} (llm.c layout + our extension), then little-endian uint16
 * tokens when the vocabulary fits in 16 bits, else uint32.
 */
public final class TokenShardWriter implements AutoCloseable {
    private static final int BUFFER_BYTES = 1 << 20;

    private final Path target;
    private final Path tmp;
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private final TokenShardHeader template;
    private final boolean wide;
    private final int vocabSize;
    private long tokens;
    private long documents;
    private boolean done;

    /**
     * @param template header fields known up front (vocab, eos, tokenizer hash, split, shard index,
     *                 first document); the counts are filled in at commit.
     */
    public TokenShardWriter(Path target, TokenShardHeader template) throws IOException {
        this.target = target;
        this.template = template;
        this.wide = template.wideTokens();
        this.vocabSize = template.vocabSize();
        Files.createDirectories(target.toAbsolutePath().getParent());
        this.tmp = target.resolveSibling(target.getFileName() + ".tmp");
        this.channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        channel.write(ByteBuffer.wrap(new byte[TokenShardHeader.HEADER_BYTES]));
    }

    /** Whether a vocabulary needs uint32 tokens. */
    public static boolean needsWideTokens(int vocabSize) { return vocabSize > 65536; }

    /** Appends one document's tokens as given (the caller includes any trailing eos). */
    public void writeDocument(int[] ids, int from, int length) throws IOException {
        for (int i = from; i < from + length; i++) put(ids[i]);
        tokens += length;
        documents++;
    }

    /** Appends one document's tokens followed by the end-of-document id {@code eos}. */
    public void writeDocument(int[] ids, int eos) throws IOException {
        for (int id : ids) put(id);
        put(eos);
        tokens += ids.length + 1;
        documents++;
    }

    private void put(int id) throws IOException {
        if (id < 0 || (vocabSize > 0 && id >= vocabSize) || (!wide && id > 0xFFFF)) {
            throw new IllegalArgumentException("token id " + id + " outside the vocabulary (" + vocabSize + ")");
        }
        if (buffer.remaining() < 4) flush();
        if (wide) buffer.putInt(id); else buffer.putShort((short) id);
    }

    public long tokens() { return tokens; }
    public long documents() { return documents; }
    public Path target() { return target; }

    private void flush() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) channel.write(buffer);
        buffer.clear();
    }

    /** Patches the header, fsyncs and atomically renames the shard into place; returns its header. */
    public TokenShardHeader commit(long endDocument) throws IOException {
        flush();
        TokenShardHeader h = template.withCounts(tokens, documents, endDocument);
        channel.write(ByteBuffer.wrap(h.encode()), 0);
        channel.force(true);
        channel.close();
        AtomicFiles.move(tmp, target);
        done = true;
        return h;
    }

    /** Discards the temp file unless the shard was committed. */
    @Override public void close() throws IOException {
        if (done) return;
        done = true;
        channel.close();
        Files.deleteIfExists(tmp);
    }
}
