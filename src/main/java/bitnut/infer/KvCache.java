package bitnut.infer;

import bitnut.infer.kernel.Attention;
import bitnut.model.BitNetConfig;

/*
 * Key/value cache of one sequence: for every layer, the post-RoPE keys and the values of every
 * position so far, fp32 (bitnet-spec.md §8.3: the KV cache is not quantized).
 * Layout per layer, kv head by kv head (each head's positions contiguous, so decode attention reads
 * a head as two sequential streams; see Attention for why keys are tiled):
 *   k[head * keyBlock + Attention.keyIndex(pos, d, hd)]    keyBlock = Attention.keyBlockSize(capacity, hd)
 *   v[head * capacity * hd + pos * hd + d]
 */
public final class KvCache {
    final float[][] k;      // [L][nkv * keyBlock]
    final float[][] v;      // [L][nkv * capacity * hd]
    final int kvDim;        // nkv * hd
    final int heads, hd;    // nkv, head dim
    final int keyBlock;     // floats per kv head in k[layer]
    final int capacity;     // positions this cache can hold
    int length;             // positions filled
    private final BitNetConfig config;

    public KvCache(BitNetConfig c, int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("KV cache capacity must be >= 1");
        this.config = c;
        this.heads = c.numKeyValueHeads();
        this.hd = c.headDim();
        this.kvDim = heads * hd;
        this.capacity = capacity;
        this.keyBlock = Attention.keyBlockSize(capacity, hd);
        k = new float[c.numHiddenLayers()][Math.multiplyExact(heads, keyBlock)];
        v = new float[c.numHiddenLayers()][Math.multiplyExact(capacity, kvDim)];
    }

    public int length() { return length; }
    public int capacity() { return capacity; }

    /** Writes position pos of layer l: key[kOff .. + kvDim) and value[vOff .. + kvDim), heads in order. */
    void put(int l, int pos, float[] key, int kOff, float[] value, int vOff) {
        float[] K = k[l], V = v[l];
        for (int h = 0; h < heads; h++) {
            int kb = h * keyBlock, src = kOff + h * hd;
            for (int d = 0; d < hd; d++) K[kb + Attention.keyIndex(pos, d, hd)] = key[src + d];
            System.arraycopy(value, vOff + h * hd, V, valueOffset(h) + pos * hd, hd);
        }
    }

    /** Offset of kv head h's tiled key block in k[layer]. */
    int keyOffset(int h) { return h * keyBlock; }

    /** Offset of kv head h's value rows in v[layer]. */
    int valueOffset(int h) { return h * capacity * hd; }

    /** Forgets positions from {@code newLength} on (regenerate, edit-and-resend). */
    public void truncate(int newLength) {
        if (newLength < 0 || newLength > length) throw new IllegalArgumentException("cannot truncate " + length + " to " + newLength);
        length = newLength;
    }

    /**
     * A new cache of {@code newCapacity} positions holding a copy of this one's positions 0 .. n (a
     * reused prefix: PrefixCache). The layout depends on the capacity only through the per-head block
     * sizes, so each head's keys (the whole tiles that positions 0 .. n touch) and values are one copy each.
     */
    KvCache copyPrefix(int n, int newCapacity) {
        if (n < 0 || n > length) throw new IllegalArgumentException("cannot copy " + n + " of " + length + " positions");
        if (newCapacity < n) throw new IllegalArgumentException("cannot fit " + n + " positions into " + newCapacity);
        KvCache c = new KvCache(config, newCapacity);
        int keys = Math.min(Attention.keyBlockSize(Math.max(n, 1), hd), Math.min(keyBlock, c.keyBlock));
        for (int l = 0; l < k.length; l++) {
            for (int h = 0; h < heads; h++) {
                System.arraycopy(k[l], keyOffset(h), c.k[l], c.keyOffset(h), keys);
                System.arraycopy(v[l], valueOffset(h), c.v[l], c.valueOffset(h), n * hd);
            }
        }
        c.length = n;
        return c;
    }

    public long bytes() { return (long) k.length * (k[0].length + v[0].length) * Float.BYTES; }
}
