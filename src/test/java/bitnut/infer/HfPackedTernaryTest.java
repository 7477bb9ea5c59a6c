package bitnut.infer;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The HF packed 2-bit format: the transformers docstring vector and pack/unpack round trips. */
class HfPackedTernaryTest {

    @Test
    void unpacksTheHuggingFaceDocstringVector() {
        byte[] packed = {(byte) 0b10100001, (byte) 0b00011000, (byte) 0b10010000, (byte) 0b00001010};
        byte[] codes = HfPackedTernary.unpack(packed, 2, 2);
        byte[] expected = {0, -1, -1, 1, -1, 1, -1, 1, 1, 0, 0, -1, 1, -1, 1, -1};
        assertArrayEquals(expected, codes);
        assertArrayEquals(packed, HfPackedTernary.pack(codes, 8, 2));
    }

    @Test
    void packOfUnpackIsIdentityOnRandomValidBytes() {
        Random rnd = new Random(7);
        int rows = 5, cols = 37;
        byte[] packed = new byte[rows * cols];
        for (int i = 0; i < packed.length; i++) {
            int b = 0;
            for (int j = 0; j < 4; j++) b |= rnd.nextInt(3) << (2 * j);
            packed[i] = (byte) b;
        }
        assertArrayEquals(packed, HfPackedTernary.pack(HfPackedTernary.unpack(packed, rows, cols), rows * 4, cols));
    }

    @Test
    void refusesTheUnusedCodeAndBadShapes() {
        assertThrows(IllegalArgumentException.class, () -> HfPackedTernary.unpack(new byte[] {(byte) 0b11}, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> HfPackedTernary.pack(new byte[6], 6, 1));
        assertThrows(IllegalArgumentException.class, () -> HfPackedTernary.unpack(new byte[3], 1, 2));
    }
}
