package bitnut.corpus;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.zip.CRC32;

/**
 * The 1024-byte header of a token shard (corpus stage -> pretrain stage).
 *
 * <p>Follows llm.c's {@code dev/data/data_common.py}: 256 little-endian int32, {@code h[0]} magic
 * (20240520 = uint16 tokens, version 1; 20240801 = uint32 tokens, version 7), {@code h[2]} the
 * token count, then the raw little-endian tokens. llm.c ignores the rest of the header, so our own
 * fields live after {@code h[3]} behind a second magic; {@code h[255]} is a CRC32 of the first 1020
 * bytes. Full layout: docs/formats.md, "## Corpus".
 */
public record TokenShardHeader(
        boolean wideTokens,      // true: uint32 tokens; false: uint16 (every id < 65,536)
        long tokenCount,         // tokens after the header
        int vocabSize,           // tokenizer vocabulary size
        int eosId,               // id appended after every document
        long documentCount,      // documents in this shard (each ends with eos)
        byte[] tokenizerHash,    // sha256 of the tokenizer.json that encoded the shard (32 bytes)
        int split,               // SPLIT_TRAIN or SPLIT_VAL
        int shardIndex,          // position of the shard within its split
        long firstDocument,      // global index (in the build's document stream) of the first document
        long endDocument) {      // global index after the last document in this shard

    public static final int HEADER_BYTES = 1024;
    public static final int MAGIC_U16 = 20240520;
    public static final int VERSION_U16 = 1;
    public static final int MAGIC_U32 = 20240801;
    public static final int VERSION_U32 = 7;
    /** "BNUT" little-endian: marks our extension fields. */
    public static final int EXT_MAGIC = 0x54554E42;
    public static final int EXT_VERSION = 1;
    public static final int SPLIT_TRAIN = 0;
    public static final int SPLIT_VAL = 1;

    public TokenShardHeader {
        if (tokenizerHash == null || tokenizerHash.length != 32) {
            throw new IllegalArgumentException("tokenizerHash must be 32 bytes (sha256)");
        }
        tokenizerHash = tokenizerHash.clone();
    }

    public int bytesPerToken() { return wideTokens ? 4 : 2; }

    /** Expected file size for this header. */
    public long fileSize() { return HEADER_BYTES + tokenCount * bytesPerToken(); }

    public String tokenizerHashHex() { return HexFormat.of().formatHex(tokenizerHash); }

    @Override public byte[] tokenizerHash() { return tokenizerHash.clone(); }

    public TokenShardHeader withCounts(long tokens, long documents, long endDoc) {
        return new TokenShardHeader(wideTokens, tokens, vocabSize, eosId, documents, tokenizerHash,
                split, shardIndex, firstDocument, endDoc);
    }

    /** Serializes into exactly {@link #HEADER_BYTES} bytes. */
    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, wideTokens ? MAGIC_U32 : MAGIC_U16);
        b.putInt(4, wideTokens ? VERSION_U32 : VERSION_U16);
        // llm.c reads h[2] as an int: shards over 2^31-1 tokens write 0 there and rely on h[5..6]
        b.putInt(8, tokenCount <= Integer.MAX_VALUE ? (int) tokenCount : 0);
        b.putInt(12, EXT_MAGIC);
        b.putInt(16, EXT_VERSION);
        b.putLong(20, tokenCount);
        b.putInt(28, vocabSize);
        b.putInt(32, eosId);
        b.putLong(36, documentCount);
        b.put(44, tokenizerHash);          // bytes 44..75
        b.putInt(76, split);
        b.putInt(80, shardIndex);
        b.putLong(84, firstDocument);
        b.putLong(92, endDocument);
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, HEADER_BYTES - 4);
        b.putInt(HEADER_BYTES - 4, (int) crc.getValue());
        return b.array();
    }

    /**
     * Parses and checks a header; {@code fileSize} is the actual size of the file on disk.
     * Every failure names the file and says what to do.
     */
    public static TokenShardHeader decode(Path file, byte[] bytes, long fileSize) throws ShardFormatException {
        if (bytes.length < HEADER_BYTES || fileSize < HEADER_BYTES) {
            throw new ShardFormatException(file + ": " + fileSize + " bytes, shorter than the 1024-byte shard header. "
                    + "HINT: the file is truncated or not a token shard; rebuild it with 'bitnut corpus build'.");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes, 0, HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        int magic = b.getInt(0);
        int version = b.getInt(4);
        boolean wide;
        if (magic == MAGIC_U16) {
            wide = false;
            if (version != VERSION_U16) throw badVersion(file, magic, version, VERSION_U16);
        } else if (magic == MAGIC_U32) {
            wide = true;
            if (version != VERSION_U32) throw badVersion(file, magic, version, VERSION_U32);
        } else {
            throw new ShardFormatException(file + ": bad magic " + magic + " (expected " + MAGIC_U16 + " or " + MAGIC_U32
                    + "). HINT: this is not an llm.c/BitNut token shard.");
        }
        int bpt = wide ? 4 : 2;
        if (b.getInt(12) != EXT_MAGIC) {
            // A plain llm.c shard: usable for reading, without our metadata.
            long n = Integer.toUnsignedLong(b.getInt(8));
            checkSize(file, n, bpt, fileSize);
            return new TokenShardHeader(wide, n, 0, -1, 0, new byte[32], SPLIT_TRAIN, 0, 0, 0);
        }
        int extVersion = b.getInt(16);
        if (extVersion > EXT_VERSION) {
            throw new ShardFormatException(file + ": shard extension version " + extVersion + " is newer than this BitNut ("
                    + EXT_VERSION + "). HINT: update BitNut Workbench.");
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, HEADER_BYTES - 4);
        if ((int) crc.getValue() != b.getInt(HEADER_BYTES - 4)) {
            throw new ShardFormatException(file + ": header checksum mismatch. HINT: the file is damaged; delete it and "
                    + "rerun 'bitnut corpus build' (it rebuilds missing shards).");
        }
        long n = b.getLong(20);
        if (n < 0) throw new ShardFormatException(file + ": negative token count " + n);
        int small = b.getInt(8);
        if (small != 0 && small != n) {
            throw new ShardFormatException(file + ": token counts disagree (h[2]=" + small + ", 64-bit=" + n + ").");
        }
        checkSize(file, n, bpt, fileSize);
        byte[] hash = new byte[32];
        b.get(44, hash);
        return new TokenShardHeader(wide, n, b.getInt(28), b.getInt(32), b.getLong(36), hash,
                b.getInt(76), b.getInt(80), b.getLong(84), b.getLong(92));
    }

    private static void checkSize(Path file, long tokens, int bpt, long fileSize) throws ShardFormatException {
        long expected = HEADER_BYTES + tokens * bpt;
        if (expected != fileSize) {
            throw new ShardFormatException(file + ": header says " + tokens + " tokens (" + expected + " bytes) but the file has "
                    + fileSize + " bytes. HINT: the shard is truncated or was copied partially; delete it and rerun "
                    + "'bitnut corpus build'.");
        }
    }

    private static ShardFormatException badVersion(Path file, int magic, int version, int expected) {
        return new ShardFormatException(file + ": magic " + magic + " with version " + version + " (expected " + expected
                + "). HINT: written by an incompatible tool version.");
    }
}
