/*
 * ModelTensors — the HuggingFace tensor names and shapes of a BitNetForCausalLM (spec §2.2), in the
 * order we write them. One list shared by the DJL training model, checkpoints and the pure-Java
 * inference engine, so the names are spelled in exactly one place. Pure Java (no DJL).
 */
package bitnut.model;

import java.util.ArrayList;
import java.util.List;

public final class ModelTensors {
    private ModelTensors() { }

    /** What a tensor is: decides quantization (BITLINEAR) and weight decay (BITLINEAR, HEAD only). */
    public enum Kind { EMBEDDING, NORM, BITLINEAR, HEAD }

    /** One named weight; shape is [out, in] for linears, [V, C] for embeddings, [C] for norm gains. */
    public record Spec(String name, Kind kind, int... shape) {
        public long elements() {
            long n = 1;
            for (int d : shape) n *= d;
            return n;
        }
    }

    public static String layer(int i, String rest) { return "model.layers." + i + "." + rest; }

    public static final String EMBED = "model.embed_tokens.weight";
    public static final String FINAL_NORM = "model.norm.weight";
    public static final String LM_HEAD = "lm_head.weight";

    /** Every tensor of the model; lm_head is absent when embeddings are tied. */
    public static List<Spec> all(BitNetConfig c) {
        int C = c.hiddenSize(), F = c.intermediateSize(), V = c.vocabSize();
        int q = c.numAttentionHeads() * c.headDim(), kv = c.numKeyValueHeads() * c.headDim();
        List<Spec> out = new ArrayList<>();
        out.add(new Spec(EMBED, Kind.EMBEDDING, V, C));
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            out.add(new Spec(layer(i, "input_layernorm.weight"), Kind.NORM, C));
            out.add(new Spec(layer(i, "self_attn.q_proj.weight"), Kind.BITLINEAR, q, C));
            out.add(new Spec(layer(i, "self_attn.k_proj.weight"), Kind.BITLINEAR, kv, C));
            out.add(new Spec(layer(i, "self_attn.v_proj.weight"), Kind.BITLINEAR, kv, C));
            out.add(new Spec(layer(i, "self_attn.attn_sub_norm.weight"), Kind.NORM, q));
            out.add(new Spec(layer(i, "self_attn.o_proj.weight"), Kind.BITLINEAR, C, q));
            out.add(new Spec(layer(i, "post_attention_layernorm.weight"), Kind.NORM, C));
            out.add(new Spec(layer(i, "mlp.gate_proj.weight"), Kind.BITLINEAR, F, C));
            out.add(new Spec(layer(i, "mlp.up_proj.weight"), Kind.BITLINEAR, F, C));
            out.add(new Spec(layer(i, "mlp.ffn_sub_norm.weight"), Kind.NORM, F));
            out.add(new Spec(layer(i, "mlp.down_proj.weight"), Kind.BITLINEAR, C, F));
        }
        out.add(new Spec(FINAL_NORM, Kind.NORM, C));
        if (!c.tieWordEmbeddings()) out.add(new Spec(LM_HEAD, Kind.HEAD, V, C));
        return out;
    }
}
