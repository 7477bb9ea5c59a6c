package bitnut.infer;

import bitnut.infer.kernel.DenseGemm;
import bitnut.infer.kernel.Attention;
import bitnut.infer.kernel.Int8Activations;
import bitnut.infer.kernel.TernaryBatchMatVec;
import bitnut.infer.kernel.TernaryMatMul;
import bitnut.infer.kernel.TernaryMatrix;
import bitnut.infer.kernel.TernaryGemm;
import bitnut.infer.kernel.ThreadTeam;
import bitnut.infer.kernel.VectorMath;
import bitnut.model.BitNetConfig;

/*
 * The forward pass of BitNetForCausalLM for inference, top to bottom (llama3.java style), following
 * bitnet-spec.md §2.3 / §8.3 exactly as training computes it:
 *   h = embed[ids]
 *   per layer:  x = rmsnorm(h, input_ln); q,k,v = BitLinear(x); RoPE(q,k) rotate-half; cache k,v
 *               a = softmax(q.k^T / sqrt(hd)) v  (GQA: query head h reads kv head h / (nh/nkv))
 *               h += BitLinear_o(rmsnorm(a, attn_sub_norm))
 *               x = rmsnorm(h, post_attn_ln); m = relu(gate(x))^2 * up(x)
 *               h += BitLinear_down(rmsnorm(m, ffn_sub_norm))
 *   logits = lm_head(rmsnorm(h, final_norm))
 * Every BitLinear is: int8 absmax quantize the (normed) input per token, ternary matmul, * m / s.
 * A call processes T rows at once. Each row is one token of some sequence at some position, with the
 * KV cache it belongs to (rowCache[t], rowPos[t]):
 *   prefill         T tokens of ONE sequence at positions p0 .. p0+T-1 (forward)
 *   batched decode  one token of each of B sequences, each at its own position in its own cache (decode)
 * Either way every BitLinear multiplies all T rows in one dispatch (prefill: TernaryGemm, which decodes
 * each weight row once per pass; decode: TernaryBatchMatVec, the int8 matVec per sequence over each
 * thread's rows while they sit in L2), and the lm_head of a decode step is one DenseGemm pass for all B
 * sequences instead of B; only RoPE, the cache write and attention look at the row's own position and
 * cache. BitLinears are split over output rows across the ThreadTeam, attention over heads.
 * Not thread-safe: one forward at a time per Transformer (it owns its scratch buffers).
 */
public final class Transformer implements AutoCloseable {
    public final BitNetModel model;
    public final BitNetConfig config;
    private final ThreadTeam team;
    private final int maxBatch;
    private final int C, F, nh, nkv, hd, qDim, kvDim, groups;
    private final float eps;
    private final float[] invFreq;          // [hd/2] RoPE inverse frequencies
    private final float[] ropeCos, ropeSin; // [maxBatch][hd/2] cos / sin of the rows' angles this forward

    // scratch, [maxBatch][...] row-major
    private final float[] h, xn, q, k, v, att, gate, up, last;
    private final float[] lastRows;         // [maxBatch][padC] final-normed rows for the batched lm_head
    private final int padC;                 // row stride of last / lastRows (>= lm_head stride)
    private final KvCache[] rowCache;       // [maxBatch] the cache row t belongs to
    private final int[] rowPos;             // [maxBatch] the position of row t in that cache
    private final float[][] scores;         // [nkv][groups * context in whole key tiles] attention weights per kv-head group
    private final Int8Activations actC, actQ, actF;
    private int scoreCapacity;
    private DecodeProfile profile;          // null unless a benchmark attaches one
    private boolean batchedDecode;          // the rows are one token of each of several sequences

    public Transformer(BitNetModel model, int threads, int maxBatch) {
        this.model = model;
        this.config = model.config;
        this.team = new ThreadTeam(threads);
        this.maxBatch = maxBatch;
        BitNetConfig c = model.config;
        C = c.hiddenSize(); F = c.intermediateSize(); nh = c.numAttentionHeads(); nkv = c.numKeyValueHeads();
        hd = c.headDim(); qDim = nh * hd; kvDim = nkv * hd; groups = c.kvGroups();
        eps = (float) c.rmsNormEps();
        invFreq = new float[hd / 2];
        for (int i = 0; i < hd / 2; i++) invFreq[i] = (float) (1.0 / Math.pow(c.ropeTheta(), (2.0 * i) / hd));
        padC = Math.max(model.lmHead.stride, (C + 63) & ~63);
        h = new float[maxBatch * C];
        xn = new float[maxBatch * padC];
        q = new float[maxBatch * qDim];
        k = new float[maxBatch * kvDim];
        v = new float[maxBatch * kvDim];
        att = new float[maxBatch * qDim];
        gate = new float[maxBatch * F];
        up = new float[maxBatch * F];
        last = new float[padC];
        ropeCos = new float[maxBatch * (hd / 2)];
        ropeSin = new float[maxBatch * (hd / 2)];
        lastRows = new float[maxBatch * padC];
        rowCache = new KvCache[maxBatch];
        rowPos = new int[maxBatch];
        actC = new Int8Activations(C, maxBatch);
        actQ = new Int8Activations(qDim, maxBatch);
        actF = new Int8Activations(F, maxBatch);
        scores = new float[nkv][0];
    }

    public int threads() { return team.size(); }

    /** Attaches (or with null detaches) a stopwatch that is lapped at every phase of the forward. */
    public void profile(DecodeProfile p) { profile = p; }

    private void lap(DecodeProfile.Phase phase) {
        if (profile != null) profile.lap(phase);
    }

    public int maxBatch() { return maxBatch; }

    /** A fresh KV cache for this model holding up to {@code capacity} positions. */
    public KvCache newCache(int capacity) { return new KvCache(config, capacity); }

    /**
     * Runs tokens[0 .. n) at positions cache.length() .. + n, appends them to the cache and returns the
     * logits [V] of the last one (a new array). Longer inputs run in chunks of maxBatch.
     */
    public float[] forward(int[] tokens, int n, KvCache cache) {
        float[] logits = new float[config.vocabSize()];
        forward(tokens, 0, n, cache, logits, false);
        return logits;
    }

    /**
     * Like {@link #forward(int[], int, KvCache)} but writes the logits of EVERY position into
     * out[t * V ..] (parity tests, perplexity). out must hold n * V floats.
     */
    public void forwardAll(int[] tokens, int n, KvCache cache, float[] out) {
        forward(tokens, 0, n, cache, out, true);
    }

    private void forward(int[] tokens, int from, int n, KvCache cache, float[] out, boolean all) {
        if (n < 1) throw new IllegalArgumentException("nothing to run");
        if (cache.length + n > cache.capacity) {
            throw new IllegalArgumentException("context full: " + cache.length + " + " + n + " tokens > capacity " + cache.capacity);
        }
        int V = config.vocabSize();
        for (int i = from; i < from + n; i++) {
            if (tokens[i] < 0 || tokens[i] >= V) throw new IllegalArgumentException("token id " + tokens[i] + " outside vocab [0, " + V + ")");
        }
        for (int start = 0; start < n; start += maxBatch) {
            int T = Math.min(maxBatch, n - start);
            boolean lastChunk = start + T == n;
            for (int t = 0; t < T; t++) {
                rowCache[t] = cache;
                rowPos[t] = cache.length + t;
            }
            runRows(tokens, from + start, T);
            cache.length += T;
            if (all) {
                for (int t = 0; t < T; t++) logitsOf(t, out, (start + t) * V);
            } else if (lastChunk) {
                logitsOf(T - 1, out, 0);
            }
        }
    }

    /**
     * Batched decode: one step of B independent sequences. Token b runs at position caches[b].length()
     * of its own cache and is appended to it; the logits [V] of sequence b go to out[b * V ..].
     * Each sequence gets the same logits as a single-sequence {@link #forward} of its token would give.
     */
    public void decode(int[] tokens, KvCache[] caches, int B, float[] out) {
        if (B < 1 || B > maxBatch) throw new IllegalArgumentException("batch of " + B + " sequences outside [1, " + maxBatch + "]");
        int V = config.vocabSize();
        if (out.length < B * V) throw new IllegalArgumentException("out holds " + out.length + " floats, needs " + B + " x " + V);
        for (int b = 0; b < B; b++) {
            KvCache c = caches[b];
            if (c.length >= c.capacity) throw new IllegalArgumentException("sequence " + b + ": context full at " + c.capacity + " positions");
            if (tokens[b] < 0 || tokens[b] >= V) throw new IllegalArgumentException("token id " + tokens[b] + " outside vocab [0, " + V + ")");
            for (int o = 0; o < b; o++) if (caches[o] == c) throw new IllegalArgumentException("sequences " + o + " and " + b + " share a cache");
            rowCache[b] = c;
            rowPos[b] = c.length;
        }
        batchedDecode = true;
        try {
            runRows(tokens, 0, B);
        } finally {
            batchedDecode = false;
        }
        for (int b = 0; b < B; b++) caches[b].length++;
        if (B == 1) {
            logitsOf(0, out, 0);
            return;
        }
        for (int b = 0; b < B; b++) rmsnorm(h, b * C, model.finalNorm, lastRows, b * padC, C);   // [B, padC]
        team.forRange(V, 64, ThreadTeam.STREAMING, (r0, r1) -> DenseGemm.matMul(model.lmHead, lastRows, padC, B, out, V, r0, r1));  // out[B, V]
        lap(DecodeProfile.Phase.HEAD);
    }

    /**
     * T rows through all layers; row t is token tokens[from + t] at position rowPos[t] of rowCache[t]
     * (its k, v are written there). Leaves the residual stream in h; cache lengths are the caller's.
     */
    private void runRows(int[] tokens, int from, int T) {
        if (profile != null) profile.start();
        for (int t = 0; t < T; t++) model.embed.row(tokens[from + t], h, t * C);      // h[T, C]
        ropeAngles(T);
        lap(DecodeProfile.Phase.EMBED);
        for (int l = 0; l < model.layers.length; l++) {
            BitNetModel.Layer L = model.layers[l];
            // ---- attention block
            for (int t = 0; t < T; t++) rmsnorm(h, t * C, L.inputNorm(), xn, t * C, C);
            quantize(actC, xn, C, T);
            lap(DecodeProfile.Phase.NORM_QUANT);
            bitLinear3(L.q(), q, qDim, L.k(), k, kvDim, L.v(), v, kvDim, actC);  // q[T, nh*hd], k/v[T, nkv*hd]
            lap(DecodeProfile.Phase.QKV);
            for (int t = 0; t < T; t++) {
                rope(q, t * qDim, nh, t);
                rope(k, t * kvDim, nkv, t);
                rowCache[t].put(l, rowPos[t], k, t * kvDim, v, t * kvDim);              // cache[pos] = k, v
            }
            lap(DecodeProfile.Phase.ROPE_KV);
            attention(l, T);                                                       // att[T, nh*hd]
            lap(DecodeProfile.Phase.ATTENTION);
            for (int t = 0; t < T; t++) rmsnorm(att, t * qDim, L.attnSubNorm(), att, t * qDim, qDim);
            quantize(actQ, att, qDim, T);
            lap(DecodeProfile.Phase.NORM_QUANT);
            bitLinearAdd(L.o(), actQ, h, C);                                      // h += o(att)
            lap(DecodeProfile.Phase.O);
            // ---- MLP block
            for (int t = 0; t < T; t++) rmsnorm(h, t * C, L.postAttnNorm(), xn, t * C, C);
            quantize(actC, xn, C, T);
            lap(DecodeProfile.Phase.NORM_QUANT);
            bitLinear2(L.gate(), gate, L.up(), up, F, actC);                      // gate, up [T, F]
            lap(DecodeProfile.Phase.GATE_UP);
            for (int i = 0; i < T * F; i++) {
                float g = Math.max(gate[i], 0f);
                gate[i] = g * g * up[i];                                          // relu(g)^2 * u
            }
            for (int t = 0; t < T; t++) rmsnorm(gate, t * F, L.ffnSubNorm(), gate, t * F, F);
            quantize(actF, gate, F, T);
            lap(DecodeProfile.Phase.NORM_QUANT);
            bitLinearAdd(L.down(), actF, h, C);                                   // h += down(m)
            lap(DecodeProfile.Phase.DOWN);
        }
        java.util.Arrays.fill(rowCache, 0, T, null);                              // hold no caller's cache
    }

    /** lm_head(final_norm(h[t])) into out[off .. off + V), split over vocabulary rows. */
    private void logitsOf(int t, float[] out, int off) {
        rmsnorm(h, t * C, model.finalNorm, last, 0, C);
        int V = config.vocabSize();
        if (off == 0) {
            team.forRange(V, 64, ThreadTeam.STREAMING, (a, b) -> model.lmHead.matVec(last, out, a, b));
        } else {
            float[] tmp = new float[V];
            team.forRange(V, 64, ThreadTeam.STREAMING, (a, b) -> model.lmHead.matVec(last, tmp, a, b));
            System.arraycopy(tmp, 0, out, off, V);
        }
        lap(DecodeProfile.Phase.HEAD);
    }

    // ---------------------------------------------------------------------------------------------
    // building blocks

    /** y = x * rsqrt(mean(x^2) + eps) * g over n values (fp32, as HF BitNetRMSNorm). In place is fine. */
    private void rmsnorm(float[] x, int xOff, float[] g, float[] y, int yOff, int n) {
        VectorMath.rmsnorm(x, xOff, g, y, yOff, n, eps);
    }

    private static void quantize(Int8Activations act, float[] x, int n, int T) {
        for (int t = 0; t < T; t++) act.quantize(t, x, t * n);
        act.setTokens(T);
    }

    /**
     * cos / sin of every rotation angle of row t (position rowPos[t]), once per forward instead of once
     * per layer and per q / k (12 layers x 2 x hd/2 Math.cos + Math.sin calls per decoded token before).
     */
    private void ropeAngles(int T) {
        int half = hd / 2;
        for (int t = 0; t < T; t++) {
            for (int i = 0; i < half; i++) {
                float ang = rowPos[t] * invFreq[i];
                ropeCos[t * half + i] = (float) Math.cos(ang);
                ropeSin[t * half + i] = (float) Math.sin(ang);
            }
        }
    }

    /** Rotate-half RoPE on `heads` heads of row t at its position (spec §2.3); angles from ropeAngles. */
    private void rope(float[] x, int off, int heads, int t) {
        int half = hd / 2;
        for (int i = 0; i < half; i++) {
            float cos = ropeCos[t * half + i], sin = ropeSin[t * half + i];
            for (int hh = 0; hh < heads; hh++) {
                int b = off + hh * hd;
                float x0 = x[b + i], x1 = x[b + i + half];
                x[b + i] = x0 * cos - x1 * sin;
                x[b + i + half] = x1 * cos + x0 * sin;
            }
        }
    }

    /** Causal GQA attention of T rows, each against its own cache up to its position; fp32 softmax. */
    private void attention(int layer, int T) {
        int ctx = 0, cap = 0;
        for (int t = 0; t < T; t++) {
            ctx = Math.max(ctx, rowPos[t] + 1);
            cap = Math.max(cap, rowCache[t].capacity);
        }
        if (scoreCapacity < ctx) {
            scoreCapacity = Math.max(ctx, Math.min(cap, 2 * scoreCapacity));
            int padded = (scoreCapacity + Attention.TILE - 1) / Attention.TILE * Attention.TILE;   // whole key tiles
            for (int i = 0; i < nkv; i++) scores[i] = new float[groups * padded];
        }
        float scale = (float) (1.0 / Math.sqrt(hd));
        // one unit of work = one kv head and the `groups` query heads that read it (K/V rows read once)
        team.forRange(nkv, 1, (h0, h1) -> {
            for (int kvHead = h0; kvHead < h1; kvHead++) {
                for (int t = 0; t < T; t++) {
                    int qOff = t * qDim + kvHead * groups * hd;                       // q heads kvHead*g .. +g
                    KvCache c = rowCache[t];
                    Attention.gqaRow(q, qOff, groups, hd, c.k[layer], c.keyOffset(kvHead), c.v[layer], c.valueOffset(kvHead),
                            rowPos[t] + 1, scale, scores[kvHead], att, qOff);         // causal: positions 0 .. pos
                }
            }
        });
    }

    private int chunksPerThread(int rows) { return TernaryMatMul.chunksPerThread(rows, team.size()); }

    /** Three BitLinears on the same input in ONE parallel dispatch (q, k, v). */
    private void bitLinear3(TernaryMatrix a, float[] ya, int na, TernaryMatrix b, float[] yb, int nb,
                            TernaryMatrix c, float[] yc, int nc, Int8Activations x) {
        team.forRange(na + nb + nc, TernaryMatrix.TILE, chunksPerThread(na + nb + nc), (r0, r1) -> {
            rows(a, x, ya, na, r0, r1, 0);
            rows(b, x, yb, nb, r0, r1, na);
            rows(c, x, yc, nc, r0, r1, na + nb);
        });
    }

    /** Two BitLinears with the same shape on the same input (gate, up) in one dispatch. */
    private void bitLinear2(TernaryMatrix a, float[] ya, TernaryMatrix b, float[] yb, int n, Int8Activations x) {
        team.forRange(2 * n, TernaryMatrix.TILE, chunksPerThread(2 * n), (r0, r1) -> {
            rows(a, x, ya, n, r0, r1, 0);
            rows(b, x, yb, n, r0, r1, n);
        });
    }

    /**
     * y[t, r] for rows [r0, r1) of one BitLinear; the kernel depends on what the rows are. Tokens of one
     * prompt: TernaryGemm.multiply (the lookup kernel per token; the fp32 tile GEMM from 4 tokens on for
     * bit-plane matrices). One token of each of B sequences (batched decode): TernaryBatchMatVec, the
     * decode matVec once per sequence over the same rows.
     */
    private void multiply(TernaryMatrix w, Int8Activations x, float[] y, int n, int r0, int r1) {
        if (batchedDecode) TernaryBatchMatVec.matMul(w, x, y, n, 0, r0, r1);
        else TernaryGemm.multiply(w, x, y, n, 0, r0, r1);
    }

    /** The part of global row range [r0, r1) that falls into a matrix occupying rows [base, base + n). */
    private void rows(TernaryMatrix w, Int8Activations x, float[] y, int n, int r0, int r1, int base) {
        int a = Math.max(r0 - base, 0), b = Math.min(r1 - base, n);
        if (a < b) multiply(w, x, y, n, a, b);
    }

    /** residual[t, :] += W x[t] for every token (o_proj, down_proj). */
    private void bitLinearAdd(TernaryMatrix w, Int8Activations x, float[] residual, int n) {
        int T = x.tokens();
        // att [T, nh*hd] doubles as the output buffer (nh*hd == C): o_proj reads its int8 copy in x
        float[] tmp = att;
        team.forRange(n, TernaryMatrix.TILE, chunksPerThread(n), (r0, r1) -> multiply(w, x, tmp, n, r0, r1));
        for (int i = 0; i < T * n; i++) residual[i] += tmp[i];
    }

    @Override public void close() { team.close(); }
}
