package bitnut.infer;

import bitnut.infer.kernel.DenseMatrix;
import bitnut.infer.kernel.TernaryMatrix;
import bitnut.model.BitNetConfig;

import java.util.Random;

/*
 * BitNetModel: the weights of a BitNet b1.58 model as the inference engine holds them
 * (bitnet-spec.md §2.2): each BitLinear quantized once to a packed TernaryMatrix (<= 2 bits/weight,
 * with its own m = mean|W|), RMSNorm gains in fp32, embeddings and lm_head in a selectable
 * precision (f32 | bf16 | int8). Built by a ModelLoader, or with random weights for benchmarks.
 * Dimension legend: V vocab, C hidden, F ffn, L layers, nh/nkv heads, hd head dim.
 */
public final class BitNetModel {

    /** One decoder layer; every BitLinear input is the output of the RMSNorm listed before it. */
    public record Layer(
            float[] inputNorm,      // [C]   input_layernorm
            TernaryMatrix q,        // [nh*hd, C]
            TernaryMatrix k,        // [nkv*hd, C]
            TernaryMatrix v,        // [nkv*hd, C]
            float[] attnSubNorm,    // [nh*hd] attn_sub_norm, before o_proj
            TernaryMatrix o,        // [C, nh*hd]
            float[] postAttnNorm,   // [C]   post_attention_layernorm
            TernaryMatrix gate,     // [F, C]
            TernaryMatrix up,       // [F, C]
            float[] ffnSubNorm,     // [F]   ffn_sub_norm, before down_proj
            TernaryMatrix down) {   // [C, F]

        long packedBytes() {
            return q.packedBytes() + k.packedBytes() + v.packedBytes() + o.packedBytes()
                    + gate.packedBytes() + up.packedBytes() + down.packedBytes();
        }
    }

    public final BitNetConfig config;
    public final DenseMatrix embed;    // [V, C]
    public final DenseMatrix lmHead;   // [V, C]; the same object as embed when tied
    public final float[] finalNorm;    // [C]
    public final Layer[] layers;       // [L]
    public final String source;        // where the weights came from (for logs and /v1/models)

    public BitNetModel(BitNetConfig config, DenseMatrix embed, DenseMatrix lmHead, float[] finalNorm, Layer[] layers, String source) {
        this.config = config;
        this.embed = embed;
        this.lmHead = lmHead;
        this.finalNorm = finalNorm;
        this.layers = layers;
        this.source = source;
    }

    /** Packed ternary bytes of all BitLinears (read once per decoded token). */
    public long ternaryBytes() {
        long b = 0;
        for (Layer l : layers) b += l.packedBytes();
        return b;
    }

    /** Bytes one decode step streams from memory besides the KV cache: ternary weights + lm_head + norms. */
    public long bytesPerDecodedToken() {
        long norms = 0;
        for (Layer l : layers) norms += 4L * (l.inputNorm.length + l.attnSubNorm.length + l.postAttnNorm.length + l.ffnSubNorm.length);
        return ternaryBytes() + lmHead.bytes() + norms + 4L * finalNorm.length;
    }

    /**
     * A model with random weights (benchmarks, tests): codes uniform in {-1, 0, 1} with m = 0.02 * 0.8
     * (what N(0, 0.02) latents quantize to), embeddings N(0, 0.02), norm gains 1.
     */
    public static BitNetModel random(BitNetConfig c, DenseMatrix.Precision headPrecision, long seed) {
        Random rnd = new Random(seed);
        int C = c.hiddenSize(), F = c.intermediateSize(), V = c.vocabSize();
        int q = c.numAttentionHeads() * c.headDim(), kv = c.numKeyValueHeads() * c.headDim();
        Layer[] layers = new Layer[c.numHiddenLayers()];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = new Layer(ones(C), randomTernary(rnd, q, C), randomTernary(rnd, kv, C), randomTernary(rnd, kv, C),
                    ones(q), randomTernary(rnd, C, q), ones(C), randomTernary(rnd, F, C), randomTernary(rnd, F, C),
                    ones(F), randomTernary(rnd, C, F));
        }
        float[] e = new float[V * C];
        for (int i = 0; i < e.length; i++) e[i] = (float) rnd.nextGaussian() * 0.02f;
        DenseMatrix embed = DenseMatrix.of(e, V, C, headPrecision);
        DenseMatrix head = embed;
        if (!c.tieWordEmbeddings()) {
            for (int i = 0; i < e.length; i++) e[i] = (float) rnd.nextGaussian() * 0.02f;
            head = DenseMatrix.of(e, V, C, headPrecision);
        }
        return new BitNetModel(c, embed, head, ones(C), layers, "random weights (seed " + seed + ")");
    }

    private static TernaryMatrix randomTernary(Random rnd, int rows, int cols) {
        byte[] codes = new byte[rows * cols];
        for (int i = 0; i < codes.length; i++) codes[i] = (byte) (rnd.nextInt(3) - 1);
        return TernaryMatrix.fromCodes(codes, rows, cols, 0.016f);
    }

    private static float[] ones(int n) {
        float[] g = new float[n];
        java.util.Arrays.fill(g, 1f);
        return g;
    }
}
