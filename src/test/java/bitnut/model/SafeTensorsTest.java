package bitnut.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class SafeTensorsTest {

    @Test
    void roundTripsEveryDtype(@TempDir Path dir) throws Exception {
        float[] w = {0.5f, -1.25f, 3.0e-3f, 65504f, -0.0f, 1e-8f};
        byte[] u = {0, 1, (byte) 200, (byte) 255};
        byte[] i = {-128, -1, 0, 127};
        Path f = dir.resolve("model.safetensors");
        new SafeTensors.Writer().metadata("format", "pt")
                .addF32("a.weight", w, 2, 3)
                .addBF16("b", w, 6)
                .addF16("c", w, 3, 2)
                .addBytes("d", SafeTensors.DType.U8, u, 4, 1)
                .addBytes("e", SafeTensors.DType.I8, i, 4)
                .addF32("empty", new float[0], 0, 5)
                .write(f);
        assertEquals(0, (Files.readAllBytes(f).length - 8 - headerLen(f)) % 4);
        try (var r = SafeTensors.open(f)) {
            assertEquals("pt", r.metadata().get("format"));
            assertArrayEquals(w, r.floats("a.weight"));
            assertArrayEquals(new long[] {2, 3}, r.info("a.weight").shape());
            float[] b = r.floats("b");
            for (int k = 0; k < w.length; k++) assertEquals(w[k], b[k], Math.abs(w[k]) / 128 + 1e-30);
            float[] c = r.floats("c");
            assertEquals(65504f, c[3]);
            assertEquals(0.5f, c[0]);
            assertArrayEquals(new float[] {0, 1, 200, 255}, r.floats("d"));
            assertArrayEquals(new float[] {-128, -1, 0, 127}, r.floats("e"));
            assertEquals(0, r.floats("empty").length);
            assertEquals(SafeTensors.DType.BF16, r.info("b").dtype());
            assertThrows(IOException.class, () -> r.floats("nope"));
        }
        // 8-byte alignment of the data section as HF writes it
        assertEquals(0, headerLen(f) % 8);
    }

    @Test
    void bf16RoundsHalfToEven() {
        // 1 + 2^-8 lies exactly between two bf16 values (1 and 1+2^-7): ties go to the even mantissa, 1.0
        assertEquals(1.0f, SafeTensors.fromBF16(SafeTensors.toBF16(1f + 0x1p-8f)));
        assertEquals(1f + 0x1p-6f, SafeTensors.fromBF16(SafeTensors.toBF16(1f + 0x1p-7f + 0x1p-8f)));
        assertTrue(Float.isNaN(SafeTensors.fromBF16(SafeTensors.toBF16(Float.NaN))));
    }

    private static long headerLen(Path f) throws IOException {
        return ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static Path file(Path dir, long declaredLen, String json, int dataBytes) throws IOException {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLen).put(h);
        Path f = Files.createTempFile(dir, "x", ".safetensors");
        Files.write(f, b.array());
        return f;
    }

    @Test
    void hostileHeadersAreRefusedWithClearErrors(@TempDir Path dir) throws Exception {
        String ok = "{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        int n = ok.length();
        try (var r = SafeTensors.open(file(dir, n, ok, 8))) { assertEquals(2, r.floats("t").length); }

        String[][] bad = {
                {"-1", ok, "8"},                                   // negative (huge unsigned) length
                {String.valueOf(Long.MAX_VALUE), ok, "8"},
                {String.valueOf(n + 100), ok, "8"},                // longer than the file
                {String.valueOf(200L * 1024 * 1024), ok, "8"},     // over the cap
                {"0", ok, "8"},
        };
        for (String[] b : bad) {
            Path f = file(dir, Long.parseLong(b[0]), b[1], Integer.parseInt(b[2]));
            IOException e = assertThrows(IOException.class, () -> SafeTensors.open(f), b[0]);
            assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        }
        String[] badJson = {
                "{\"t\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",          // shape*dtype != bytes
                "{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,16]}}",         // outside the file
                "{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}",
                "{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}",
                "{\"t\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                "{\"t\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}",
                "{\"t\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}",
                "{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}",
                "{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"u\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[2,6]}}",
                "[1,2,3]",
                "{\"t\":",
        };
        for (String j : badJson) {
            Path f = file(dir, j.length(), j, 8);
            assertThrows(IOException.class, () -> SafeTensors.open(f), j);
        }
    }

    @Test
    void fuzzRandomCorruptionNeverEscapesAsAnythingButIOException(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("good.safetensors");
        new SafeTensors.Writer().addF32("w", new float[12], 3, 4).addBF16("b", new float[4], 4).write(good);
        byte[] orig = Files.readAllBytes(good);
        Random rnd = new Random(42);
        Path f = dir.resolve("fuzz.safetensors");
        int opened = 0;
        for (int iter = 0; iter < 600; iter++) {
            byte[] b = orig.clone();
            int kind = iter % 3;
            if (kind == 0) {                      // hostile length prefix
                long len = switch (rnd.nextInt(4)) {
                    case 0 -> rnd.nextLong();
                    case 1 -> rnd.nextInt(b.length + 64) - 32;
                    case 2 -> Long.MIN_VALUE;
                    default -> (1L << rnd.nextInt(63));
                };
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, len);
            } else if (kind == 1) {               // flip header bytes
                for (int k = 0; k < 1 + rnd.nextInt(4); k++) b[8 + rnd.nextInt(b.length - 8)] = (byte) rnd.nextInt(256);
            } else {                              // truncate
                b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length));
            }
            Files.write(f, b);
            try (var r = SafeTensors.open(f)) {
                opened++;
                for (String name : r.tensors().keySet()) r.floats(name);
            } catch (IOException expected) {
                // refused cleanly
            }
        }
        assertTrue(opened < 600);
    }
}
