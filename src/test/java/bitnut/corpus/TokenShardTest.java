package bitnut.corpus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Round trips, corruption checks and window determinism of the token shard format. */
class TokenShardTest {
    @TempDir Path dir;

    static TokenShardHeader template(int vocab, int shardIndex) {
        byte[] hash = new byte[32];
        Arrays.fill(hash, (byte) 7);
        return new TokenShardHeader(TokenShardWriter.needsWideTokens(vocab), 0, vocab, 3, 0, hash,
                TokenShardHeader.SPLIT_TRAIN, shardIndex, 0, 0);
    }

    /** Writes a shard whose token i is (i * 7 + base) % vocab, in documents of 100 tokens. */
    static Path writeShard(Path file, int vocab, int tokens, int base) throws IOException {
        try (TokenShardWriter w = new TokenShardWriter(file, template(vocab, 0))) {
            int[] doc = new int[100];
            for (int start = 0; start < tokens; start += 100) {
                int n = Math.min(100, tokens - start);
                for (int i = 0; i < n; i++) doc[i] = (int) (((long) (start + i) * 7 + base) % vocab);
                w.writeDocument(doc, 0, n);
            }
            w.commit(tokens / 100);
        }
        return file;
    }

    @Test void roundTripUint16AndUint32() throws IOException {
        for (int vocab : new int[] {65536, 100_000}) {
            Path f = writeShard(dir.resolve("s" + vocab + ".bin"), vocab, 1234, 5);
            assertFalse(Files.exists(dir.resolve("s" + vocab + ".bin.tmp")));
            try (TokenShardReader r = TokenShardReader.open(f)) {
                TokenShardHeader h = r.header();
                assertEquals(vocab > 65536, h.wideTokens());
                assertEquals(1234, h.tokenCount());
                assertEquals(13, h.documentCount());
                assertEquals(vocab, h.vocabSize());
                assertEquals(3, h.eosId());
                assertEquals(1024 + 1234L * h.bytesPerToken(), Files.size(f));
                for (int i = 0; i < 1234; i++) assertEquals((i * 7 + 5) % vocab, r.token(i), "token " + i);
                int[] into = new int[10];
                r.read(1224, into, 0, 10, new short[10]);
                assertEquals((1230 * 7 + 5) % vocab, into[6]);
            }
            // llm.c's reader: h[0] magic, h[1] version, h[2] count
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(vocab > 65536 ? 20240801 : 20240520, b.getInt(0));
            assertEquals(vocab > 65536 ? 7 : 1, b.getInt(4));
            assertEquals(1234, b.getInt(8));
        }
    }

    @Test void uncommittedShardLeavesNothing() throws IOException {
        Path f = dir.resolve("x.bin");
        try (TokenShardWriter w = new TokenShardWriter(f, template(512, 0))) {
            w.writeDocument(new int[] {1, 2, 3}, 0, 3);
        }
        assertFalse(Files.exists(f));
        assertFalse(Files.exists(dir.resolve("x.bin.tmp")));
    }

    @Test void outOfVocabularyIdRejected() throws IOException {
        try (TokenShardWriter w = new TokenShardWriter(dir.resolve("v.bin"), template(512, 0))) {
            assertThrows(IllegalArgumentException.class, () -> w.writeDocument(new int[] {600}, 0, 1));
        }
    }

    @Test void corruptionIsReportedWithHint() throws IOException {
        Path f = writeShard(dir.resolve("c.bin"), 512, 500, 0);
        byte[] good = Files.readAllBytes(f);

        Files.write(f, Arrays.copyOf(good, good.length - 10));
        ShardFormatException e = assertThrows(ShardFormatException.class, () -> TokenShardReader.open(f));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());

        byte[] bad = good.clone();
        bad[0] = 1;
        Files.write(f, bad);
        e = assertThrows(ShardFormatException.class, () -> TokenShardReader.open(f));
        assertTrue(e.getMessage().contains("bad magic"), e.getMessage());

        bad = good.clone();
        bad[30] ^= 1;   // vocab size field: caught by the header CRC
        Files.write(f, bad);
        e = assertThrows(ShardFormatException.class, () -> TokenShardReader.open(f));
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());

        Files.write(f, new byte[100]);
        e = assertThrows(ShardFormatException.class, () -> TokenShardReader.open(f));
        assertTrue(e.getMessage().contains("shorter than"), e.getMessage());
    }

    @Test void randomWindowsAreDeterministicAndResumeExactly() throws IOException {
        List<Path> shards = List.of(writeShard(dir.resolve("a.bin"), 4096, 3000, 0),
                writeShard(dir.resolve("b.bin"), 4096, 20, 1),      // shorter than one window: ignored
                writeShard(dir.resolve("c.bin"), 4096, 5000, 2));
        int B = 4, T = 32;
        List<int[]> first = new ArrayList<>();
        TokenWindows.State mid;
        try (TokenWindows w = TokenWindows.random(shards, B, T, 42)) {
            assertEquals(8000, w.totalTokens());
            for (int k = 0; k < 10; k++) { int[] b = new int[w.batchLength()]; w.nextBatch(b); first.add(b); }
        }
        try (TokenWindows w = TokenWindows.random(shards, B, T, 42)) {
            int[] b = new int[w.batchLength()];
            for (int k = 0; k < 6; k++) { w.nextBatch(b); assertArrayEquals(first.get(k), b); }
            mid = w.state();
            assertEquals(6, mid.batches());
        }
        try (TokenWindows w = TokenWindows.random(shards, B, T, 42)) {
            w.restore(mid);
            int[] b = new int[w.batchLength()];
            for (int k = 6; k < 10; k++) { w.nextBatch(b); assertArrayEquals(first.get(k), b); }
        }
        try (TokenWindows w = TokenWindows.random(shards, B, T, 43)) {
            int[] b = new int[w.batchLength()];
            w.nextBatch(b);
            assertFalse(Arrays.equals(first.get(0), b), "another seed gives other windows");
            assertThrows(IllegalArgumentException.class, () -> w.restore(mid));
        }
        // every row is a contiguous run of one shard: token[i+1] - token[i] == 7 (mod vocab)
        for (int[] b : first) {
            for (int r = 0; r < B; r++) {
                for (int i = 0; i < T; i++) {
                    assertEquals((b[r * (T + 1) + i] + 7) % 4096, b[r * (T + 1) + i + 1]);
                }
            }
        }
    }

    @Test void sequentialWindowsCoverShardsInOrderAndWrap() throws IOException {
        List<Path> shards = List.of(writeShard(dir.resolve("a.bin"), 4096, 101, 0),
                writeShard(dir.resolve("c.bin"), 4096, 51, 9));
        int T = 10;
        try (TokenWindows w = TokenWindows.sequential(shards, 3, T)) {
            // a: (101-1)/10 = 10 windows, c: 5 windows -> 15 windows, 5 batches of 3
            assertEquals(5, w.batchesPerEpoch());
            int[] b = new int[w.batchLength()];
            List<Integer> firstTokens = new ArrayList<>();
            for (int k = 0; k < 5; k++) {
                w.nextBatch(b);
                for (int r = 0; r < 3; r++) firstTokens.add(b[r * (T + 1)]);
            }
            for (int i = 0; i < 10; i++) assertEquals((i * T * 7) % 4096, firstTokens.get(i));
            for (int i = 0; i < 5; i++) assertEquals((i * T * 7 + 9) % 4096, firstTokens.get(10 + i));
            w.nextBatch(b);
            assertEquals(0, b[0], "wraps to the first window");
        }
    }

    @Test void mapsShardsLargerThan2GB() throws IOException {
        // a sparse file: 1.2 G uint16 tokens = 2.4 GB, costs no disk space
        Path f = dir.resolve("big.bin");
        long tokens = 1_200_000_000L;
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.write(template(512, 0).withCounts(tokens, 1, 1).encode());
            raf.setLength(1024 + tokens * 2);
            raf.seek(1024 + (tokens - 1) * 2);
            raf.write(new byte[] {(byte) 0xFF, 0x01});   // last token = 511
        }
        try (TokenShardReader r = TokenShardReader.open(f)) {
            assertEquals(tokens, r.tokenCount());
            assertEquals(511, r.token(tokens - 1));
            assertEquals(0, r.token(tokens / 2));
        }
    }
}
