package bitnut.infer;

import bitnut.model.BitNetConfig;

/*
 * Key/value cache of one sequence: for every layer, the post-RoPE keys and the values of every
 * position so far, fp32 (bitnet-spec.md §8.3: the KV cache is not quantized).
 * Layout per layer: k[pos * kvDim + head * hd + d], same for v.
 */
public final class KvCache {
    final float[][] k;      // [L][capacity * kvDim]
    final float[][] v;      // [L][capacity * kvDim]
    final int kvDim;        // nkv * hd
    final int capacity;     // positions this cache can hold
    int length;             // positions filled

    public KvCache(BitNetConfig c, int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("KV cache capacity must be >= 1");
        this.kvDim = c.numKeyValueHeads() * c.headDim();
        this.capacity = capacity;
        k = new float[c.numHiddenLayers()][Math.multiplyExact(capacity, kvDim)];
        v = new float[c.numHiddenLayers()][Math.multiplyExact(capacity, kvDim)];
    }

    public int length() { return length; }
    public int capacity() { return capacity; }

    /** Forgets positions from {@code newLength} on (regenerate, edit-and-resend). */
    public void truncate(int newLength) {
        if (newLength < 0 || newLength > length) throw new IllegalArgumentException("cannot truncate " + length + " to " + newLength);
        length = newLength;
    }

    public long bytes() { return 2L * k.length * k[0].length * Float.BYTES; }
}
