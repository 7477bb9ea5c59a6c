package bitnut.infer;

/*
 * The HuggingFace packed 2-bit ternary format (transformers integrations/bitnet.py pack_weights /
 * unpack_weights; bitnet-spec.md §3.5). Codes {-1,0,+1} are stored as {0,1,2} in a uint8 tensor
 * [N/4, K], packed along the OUT dimension in four row blocks (not along K):
 *   R = N / 4;  packed[r, c] = sum_i ((W[i*R + r, c] + 1) & 3) << (2 i)
 * so bits 1:0 hold row r, 3:2 row r+R, 5:4 row r+2R, 7:6 row r+3R. The value 3 is unused and is
 * refused on read (a corrupt or foreign file, not something to guess about).
 * The engine unpacks once at load and repacks into its own K-contiguous TernaryMatrix layout.
 */
public final class HfPackedTernary {
    private HfPackedTernary() { }

    /** packed [R, K] (R = N / 4) -> codes [4R, K] row-major in {-1, 0, 1}. */
    public static byte[] unpack(byte[] packed, int packedRows, int cols) {
        if ((long) packedRows * cols != packed.length) {
            throw new IllegalArgumentException("packed tensor has " + packed.length + " bytes, shape [" + packedRows + ", " + cols + "]");
        }
        byte[] codes = new byte[Math.multiplyExact(4 * packedRows, cols)];
        for (int r = 0; r < packedRows; r++) {
            for (int c = 0; c < cols; c++) {
                int b = packed[r * cols + c] & 0xFF;
                for (int i = 0; i < 4; i++) {
                    int v = (b >>> (2 * i)) & 3;
                    if (v == 3) {
                        throw new IllegalArgumentException("packed ternary byte 0x" + Integer.toHexString(b) + " at [" + r + ", " + c
                                + "] holds the unused code 3: not an HF BitNet packed weight");
                    }
                    codes[(i * packedRows + r) * cols + c] = (byte) (v - 1);
                }
            }
        }
        return codes;
    }

    /** codes [N, K] in {-1, 0, 1}, N % 4 == 0 -> packed [N/4, K]. Does not modify its input. */
    public static byte[] pack(byte[] codes, int rows, int cols) {
        if (rows % 4 != 0) throw new IllegalArgumentException("out_features " + rows + " is not a multiple of 4 (HF packed format)");
        if ((long) rows * cols != codes.length) throw new IllegalArgumentException("codes length " + codes.length + " vs [" + rows + ", " + cols + "]");
        int packedRows = rows / 4;
        byte[] out = new byte[packedRows * cols];
        for (int i = 0; i < 4; i++) {
            for (int r = 0; r < packedRows; r++) {
                for (int c = 0; c < cols; c++) {
                    int code = codes[(i * packedRows + r) * cols + c];
                    if (code < -1 || code > 1) throw new IllegalArgumentException("code " + code + " is not ternary");
                    out[r * cols + c] |= (byte) (((code + 1) & 3) << (2 * i));
                }
            }
        }
        return out;
    }
}
