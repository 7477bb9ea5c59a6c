/*
 * BitNetModel — BitNet b1.58 (HF BitNetForCausalLM layout) on DJL's PyTorch engine, fp32, for training
 * and reference evaluation. Reads top to bottom like nanoGPT's model.py; follows shared notes
 * bitnet-spec.md §2.3 and the pseudo-code of §8.2 exactly:
 *
 *   h = embed[ids]
 *   L x [ h += o( attn_sub_norm( attention( rope(q(x)), rope(k(x)), v(x) ) ) ),  x = input_layernorm(h)
 *         h += down( ffn_sub_norm( relu(gate(x))² ⊙ up(x) ) ),                  x = post_attention_layernorm(h) ]
 *   logits = norm(h) @ lm_headᵀ   (lm_head = embed when tied)
 *
 * q/k/v/o/gate/up/down are BitLinear (ternary weights, int8 activations, STE); embeddings, norms and the
 * head stay full precision. Parameters are plain NDArrays keyed by their HF tensor names (ModelTensors),
 * which is what checkpoints write: no DJL Block, so no index-prefixed parameter names (djl.md pitfall 8).
 *
 * Dimension legend: B batch, T time, N = B*T tokens, C hidden, nh query heads, nkv kv heads,
 * g = nh/nkv query heads per kv head, hd head dim, F ffn width, V vocab.
 *
 * Deliberate differences from HF: none in the math. Constants that take part in autograd are created
 * once in libtorch memory (djl.md pitfall 1); the causal mask is an additive -inf table built in Java
 * (no triu in DJL, pitfall 5).
 */
package bitnut.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

public final class BitNetModel implements AutoCloseable {
    private final BitNetConfig config;
    private final NDManager manager;                      // owns parameters and constant tables
    private final Map<String, NDArray> params = new LinkedHashMap<>();
    private final Map<String, ModelTensors.Kind> kinds = new LinkedHashMap<>();
    private final Map<Integer, NDArray> causalMasks = new HashMap<>();
    private NDArray ropeCos, ropeSin;                     // [P, hd] tables for positions 0..P-1
    private final NDArray attnScale;                      // [] hd^-0.5, libtorch-owned

    private BitNetModel(BitNetConfig config, NDManager parent) {
        this.config = config;
        this.manager = parent.newSubManager();
        this.attnScale = constant((float) Math.pow(config.headDim(), -0.5));
        buildRope(Math.max(config.maxPositionEmbeddings(), 16));
    }

    /** A fresh model: linear and embedding weights ~ N(0, initializer_range), norm gains 1 (HF _init_weights). */
    public static BitNetModel init(BitNetConfig config, NDManager parent, long seed) {
        BitNetModel m = new BitNetModel(config, parent);
        Engine.getEngine("PyTorch").setRandomSeed((int) seed);
        for (ModelTensors.Spec s : ModelTensors.all(config)) {
            Shape shape = new Shape(toLong(s.shape()));
            NDArray w = s.kind() == ModelTensors.Kind.NORM
                    ? m.manager.ones(shape)
                    : m.manager.randomNormal(0f, (float) config.initializerRange(), shape, DataType.FLOAT32);
            m.put(s, w);
        }
        return m;
    }

    /** Loads latent weights from a safetensors file with HF names (any float dtype is widened to fp32). */
    public static BitNetModel load(BitNetConfig config, NDManager parent, Path safetensors) throws IOException {
        BitNetModel m = new BitNetModel(config, parent);
        try (SafeTensors.Reader r = SafeTensors.open(safetensors)) {
            for (ModelTensors.Spec s : ModelTensors.all(config)) {
                SafeTensors.TensorInfo info = r.info(s.name());
                if (!java.util.Arrays.equals(info.intShape(), s.shape())) {
                    throw new IOException(safetensors + ": tensor " + s.name() + " has shape "
                            + java.util.Arrays.toString(info.shape()) + ", config.json expects "
                            + java.util.Arrays.toString(s.shape()));
                }
                m.put(s, m.fromJava(r.floats(s.name()), s.shape()));
            }
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
        return m;
    }

    private void put(ModelTensors.Spec s, NDArray w) {
        w.setRequiresGradient(true);
        params.put(s.name(), w);
        kinds.put(s.name(), s.kind());
    }

    /**
     * Java array -> libtorch-owned tensor owned by the model (never a view of Java memory, djl.md
     * pitfall 1; never closed by an enclosing step scope, since tables are built lazily mid-step).
     */
    private NDArray fromJava(float[] data, int[] shape) {
        try (NDArray tmp = manager.create(data, new Shape(toLong(shape)))) {
            NDArray owned = tmp.duplicate();
            NDScope.unregister(owned);
            return owned;
        }
    }

    private NDArray constant(float v) {
        try (NDArray tmp = manager.create(v)) {
            NDArray owned = tmp.duplicate();
            NDScope.unregister(owned);
            return owned;
        }
    }

    public BitNetConfig config() { return config; }

    public NDManager manager() { return manager; }

    /** Parameters by HF tensor name, in ModelTensors order. */
    public Map<String, NDArray> parameters() { return Collections.unmodifiableMap(params); }

    public ModelTensors.Kind kind(String name) { return kinds.get(name); }

    public NDArray parameter(String name) { return params.get(name); }

    /** Writes model.safetensors (fp32 latent weights, HF names) atomically. */
    public void save(Path file) throws IOException {
        SafeTensors.Writer w = new SafeTensors.Writer().metadata("format", "pt");
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray p = e.getValue();
            w.addF32(e.getKey(), p.toFloatArray(), p.getShape().getShape());
        }
        w.write(file);
    }

    // ---------------------------------------------------------------------------------------------
    // Forward
    // ---------------------------------------------------------------------------------------------

    /**
     * Logits for a batch. ids [B, T] (int64). positions [B, T] (int64) or null for 0..T-1 in every row.
     * attnBias [B, 1, 1, T, T] additive (0 / -inf) or null for the plain causal mask; finetuning passes a
     * block-diagonal causal bias so packed examples never see each other. Returns logits [N, V].
     */
    public NDArray forward(NDArray ids, NDArray positions, NDArray attnBias) {
        long B = ids.getShape().get(0), T = ids.getShape().get(1);
        int C = config.hiddenSize();
        NDArray emb = params.get(ModelTensors.EMBED);
        NDArray h = embedding(ids.reshape(B * T), emb);                       // [N, C]
        NDArray[] cs = ropeFor(positions, B, T);                              // cos, sin: [T, hd] or [B, 1, T, hd]
        NDArray bias = attnBias != null ? attnBias : causalMask((int) T);     // [T, T] or [B, 1, 1, T, T]
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            NDArray x = rmsNorm(h, p(i, "input_layernorm.weight"));
            h = h.add(attention(i, x, B, T, cs[0], cs[1], bias));              // [N, C]
            x = rmsNorm(h, p(i, "post_attention_layernorm.weight"));
            h = h.add(mlp(i, x));                                             // [N, C]
        }
        h = rmsNorm(h, params.get(ModelTensors.FINAL_NORM));                  // [N, C]
        NDArray head = config.tieWordEmbeddings() ? emb : params.get(ModelTensors.LM_HEAD);
        assert h.getShape().get(1) == C;
        return BitLinear.linear(h, head);                                     // [N, V] full precision
    }

    private NDArray attention(int i, NDArray x, long B, long T, NDArray cos, NDArray sin, NDArray bias) {
        boolean tq = config.ternary();
        int nh = config.numAttentionHeads(), nkv = config.numKeyValueHeads(), hd = config.headDim();
        int g = config.kvGroups();
        NDArray q = BitLinear.forward(x, p(i, "self_attn.q_proj.weight"), tq);   // [N, nh*hd]
        NDArray k = BitLinear.forward(x, p(i, "self_attn.k_proj.weight"), tq);   // [N, nkv*hd]
        NDArray v = BitLinear.forward(x, p(i, "self_attn.v_proj.weight"), tq);   // [N, nkv*hd]
        q = q.reshape(B, T, nh, hd).transpose(0, 2, 1, 3);                      // [B, nh, T, hd]
        k = k.reshape(B, T, nkv, hd).transpose(0, 2, 1, 3);                     // [B, nkv, T, hd]
        v = v.reshape(B, T, nkv, hd).transpose(0, 2, 1, 3);                     // [B, nkv, T, hd]
        q = rope(q, cos, sin);
        k = rope(k, cos, sin);
        // GQA: query head h uses kv head h / g. Group the g query heads of each kv head instead of
        // copying k and v g times: [B, nkv, g, T, hd] against [B, nkv, 1, T, hd] (broadcast).
        NDArray qg = q.reshape(B, nkv, g, T, hd);
        NDArray kg = k.reshape(B, nkv, 1, T, hd);
        NDArray vg = v.reshape(B, nkv, 1, T, hd);
        NDArray scores = qg.matMul(kg.transpose(0, 1, 2, 4, 3)).mul(attnScale); // [B, nkv, g, T, T]
        NDArray probs = scores.add(bias).softmax(-1);                          // fp32 softmax over keys
        NDArray y = probs.matMul(vg);                                           // [B, nkv, g, T, hd]
        y = y.reshape(B, nh, T, hd).transpose(0, 2, 1, 3).reshape(B * T, (long) nh * hd);  // [N, C] heads concatenated
        y = rmsNorm(y, p(i, "self_attn.attn_sub_norm.weight"));
        return BitLinear.forward(y, p(i, "self_attn.o_proj.weight"), tq);       // [N, C]
    }

    private NDArray mlp(int i, NDArray x) {
        boolean tq = config.ternary();
        NDArray gate = BitLinear.forward(x, p(i, "mlp.gate_proj.weight"), tq);   // [N, F]
        NDArray up = BitLinear.forward(x, p(i, "mlp.up_proj.weight"), tq);       // [N, F]
        NDArray m = gate.getNDArrayInternal().relu().square().mul(up);          // [N, F] relu(gate)² ⊙ up
        m = rmsNorm(m, p(i, "mlp.ffn_sub_norm.weight"));
        return BitLinear.forward(m, p(i, "mlp.down_proj.weight"), tq);          // [N, C]
    }

    /** RMSNorm over the last axis: x / sqrt(mean(x²) + eps) * gain (fp32; DJL has no rsqrt). */
    private NDArray rmsNorm(NDArray x, NDArray gain) {
        NDArray rms = x.square().mean(new int[] {-1}, true).add(config.rmsNormEps()).sqrt();  // [N, 1]
        return x.div(rms).mul(gain);
    }

    /** Rotate-half RoPE: x*cos + rotate_half(x)*sin with rotate_half(x) = [-x2, x1]; x [B, heads, T, hd]. */
    private static NDArray rope(NDArray x, NDArray cos, NDArray sin) {
        long half = x.getShape().get(3) / 2;
        NDList parts = x.split(new long[] {half}, 3);                         // x1, x2: [B, heads, T, hd/2]
        NDArray rotated = parts.get(1).neg().concat(parts.get(0), 3);          // [B, heads, T, hd]
        return x.mul(cos).add(rotated.mul(sin));
    }

    private NDArray[] ropeFor(NDArray positions, long B, long T) {
        if (T > ropeCos.getShape().get(0)) buildRope((int) T);
        if (positions == null) {
            String rows = "0:" + T;
            return new NDArray[] {ropeCos.get(rows), ropeSin.get(rows)};      // [T, hd] broadcast over B, heads
        }
        NDArray flat = positions.reshape(B * T);
        long hd = config.headDim();
        return new NDArray[] {embedding(flat, ropeCos).reshape(B, 1, T, hd),
                embedding(flat, ropeSin).reshape(B, 1, T, hd)};
    }

    /** cos/sin tables [P, hd]: angle(p, j) = p * θ^(-2j/hd), duplicated for both halves (HF default rope). */
    private void buildRope(int positions) {
        int hd = config.headDim(), half = hd / 2;
        float[] c = new float[positions * hd], s = new float[positions * hd];
        for (int p = 0; p < positions; p++) {
            for (int j = 0; j < half; j++) {
                float invFreq = (float) (1.0 / Math.pow(config.ropeTheta(), (2.0 * j) / hd));  // fp32 like HF
                float ang = p * invFreq;
                c[p * hd + j] = c[p * hd + j + half] = (float) Math.cos(ang);
                s[p * hd + j] = s[p * hd + j + half] = (float) Math.sin(ang);
            }
        }
        if (ropeCos != null) { ropeCos.close(); ropeSin.close(); }
        ropeCos = fromJava(c, new int[] {positions, hd});
        ropeSin = fromJava(s, new int[] {positions, hd});
    }

    /** Additive causal mask [T, T]: 0 where key <= query, -inf above the diagonal; built once per T. */
    private NDArray causalMask(int T) {
        return causalMasks.computeIfAbsent(T, t -> {
            float[] m = new float[t * t];
            for (int q = 0; q < t; q++) for (int k = q + 1; k < t; k++) m[q * t + k] = Float.NEGATIVE_INFINITY;
            return fromJava(m, new int[] {t, t});
        });
    }

    /**
     * Block-diagonal causal bias [B, 1, 1, T, T] for packed rows: position q attends to k iff k <= q and
     * both belong to the same segment (segments [B*T]; 0 = padding, which attends only to itself so the
     * softmax stays finite). The caller owns (closes) the result.
     */
    public NDArray segmentBias(NDManager mgr, int B, int T, int[] segments) {
        float[] m = new float[B * T * T];
        for (int b = 0; b < B; b++) {
            for (int q = 0; q < T; q++) {
                int sq = segments[b * T + q];
                int row = (b * T + q) * T;
                for (int k = 0; k < T; k++) {
                    boolean ok = sq == 0 ? k == q : k <= q && segments[b * T + k] == sq;
                    if (!ok) m[row + k] = Float.NEGATIVE_INFINITY;
                }
            }
        }
        try (NDArray tmp = mgr.create(m, new Shape(B, 1, 1, T, T))) {
            return tmp.duplicate();
        }
    }

    private static NDArray embedding(NDArray ids, NDArray table) {
        return ids.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }

    /**
     * Sum over tokens of mask * cross-entropy(logits, target). logits [N, V], targets [N] int64,
     * mask [N] float (1 = counts, 0 = ignored; null = all count). Returns a scalar [].
     */
    public static NDArray crossEntropySum(NDArray logits, NDArray targets, NDArray mask) {
        NDArray logp = logits.logSoftmax(-1);                                          // [N, V]
        NDArray picked = logp.gather(targets.reshape(targets.getShape().get(0), 1), 1); // [N, 1]
        NDArray nll = picked.reshape(-1).neg();                                         // [N]
        return (mask == null ? nll : nll.mul(mask)).sum();
    }

    private NDArray p(int layer, String rest) { return params.get(ModelTensors.layer(layer, rest)); }

    private static long[] toLong(int[] s) {
        long[] l = new long[s.length];
        for (int i = 0; i < s.length; i++) l[i] = s[i];
        return l;
    }

    @Override public void close() { manager.close(); }
}
