package bitnut.infer;

import bitnut.common.Json;
import bitnut.infer.kernel.DenseMatrix;
import bitnut.infer.kernel.TernaryMatrix;
import bitnut.model.BitNetConfig;
import bitnut.model.ModelTensors;
import bitnut.model.SafeTensors;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/*
 * Loads config.json + model.safetensors, or HF shards with model.safetensors.index.json
 * (CheckpointTensors), with HF tensor names (bitnet-spec.md §2.2) into a BitNetModel.
 * Three kinds of checkpoint (spec §3.4), told apart by config.json's quantization_config and by each
 * BitLinear weight's dtype:
 *   - ours / HF "online" (autobitlinear): latent F32/BF16/F16 weights [out, in] -> quantized once here
 *     exactly as training does (m = max(mean|W|, 1e-5), clip(rint(W/m), -1, 1));
 *   - HF "offline" autobitlinear (microsoft 2B-4T): U8 [out/4, in] packed + weight_scale = m, MULTIPLY;
 *   - HF "bitlinear" (HF1BitLLM, Falcon-E): U8 packed + weight_scale = 1/m, DIVIDE.
 * Anything else (dense checkpoints without quantization_config, use_rms_norm, other quant methods) is
 * refused with the reason: ternarizing a full-precision model post hoc gives garbage (spec §0.1).
 */
public final class SafeTensorsLoader implements ModelLoader {
    public static final String CONFIG = "config.json";

    /** How packed weight_scale values are to be read. */
    enum ScaleConvention { MULTIPLY, DIVIDE }

    @Override public String format() { return "safetensors"; }

    @Override public boolean accepts(Path dir) {
        return Files.isRegularFile(dir.resolve(CONFIG)) && CheckpointTensors.present(dir);
    }

    @Override public BitNetModel load(Path dir, Options options) throws IOException {
        Path cfgFile = dir.resolve(CONFIG);
        if (!Files.isRegularFile(cfgFile)) throw new IOException("no " + CONFIG + " in " + dir);
        JsonNode raw;
        try {
            raw = Json.MAPPER.readTree(Files.readAllBytes(cfgFile));
        } catch (IOException e) {
            throw new IOException(cfgFile + ": not valid JSON: " + e.getMessage(), e);
        }
        if (raw == null || !raw.isObject()) throw new IOException(cfgFile + ": not a JSON object");
        ScaleConvention convention = ScaleConvention.MULTIPLY;
        ObjectNode cfgNode = (ObjectNode) raw.deepCopy();
        JsonNode q = raw.path("quantization_config");
        if (q.isObject()) {
            String method = q.path("quant_method").asText("");
            String cls = q.path("linear_class").asText("bitlinear");
            String mode = q.path("quantization_mode").asText("offline");
            if (!"bitnet".equals(method)) throw new IOException(cfgFile + ": quant_method '" + method + "' is not supported (only 'bitnet')");
            if (q.path("use_rms_norm").asBoolean(false)) {
                throw new IOException(cfgFile + ": quantization_config.use_rms_norm=true (a norm inside every BitLinear) is not supported");
            }
            if (!cls.equals("autobitlinear") && !cls.equals("bitlinear")) {
                throw new IOException(cfgFile + ": linear_class '" + cls + "' is not supported (autobitlinear or bitlinear)");
            }
            if (!mode.equals("online") && !mode.equals("offline")) {
                throw new IOException(cfgFile + ": quantization_mode '" + mode + "' is not supported (online or offline)");
            }
            convention = cls.equals("bitlinear") ? ScaleConvention.DIVIDE : ScaleConvention.MULTIPLY;
            // BitNetConfig (the training config) only accepts latent-weight checkpoints; the packed
            // variants have the same architecture, so read it as online and handle packing here.
            ObjectNode online = cfgNode.putObject("quantization_config");
            online.put("quant_method", "bitnet").put("linear_class", "autobitlinear").put("quantization_mode", "online");
        }
        BitNetConfig config;
        try {
            config = BitNetConfig.fromJson(cfgNode, cfgFile.toString());
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (!config.ternary()) {
            throw new IOException(cfgFile + " describes a full-precision model (no bitnet quantization_config). This engine runs "
                    + "ternary BitNet b1.58 weights only; ternarizing a model trained without quantization gives garbage "
                    + "(bitnet-spec.md §0.1). HINT: train with precision 'ternary' or use an HF '-bf16'/packed BitNet checkpoint.");
        }
        try (CheckpointTensors st = CheckpointTensors.open(dir)) {
            return build(config, st, convention, options, dir.toString());
        }
    }

    private static BitNetModel build(BitNetConfig c, CheckpointTensors st, ScaleConvention conv, Options opt, String source) throws IOException {
        int C = c.hiddenSize(), F = c.intermediateSize(), V = c.vocabSize();
        int qd = c.numAttentionHeads() * c.headDim(), kvd = c.numKeyValueHeads() * c.headDim();
        BitNetModel.Layer[] layers = new BitNetModel.Layer[c.numHiddenLayers()];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = new BitNetModel.Layer(
                    vector(st, ModelTensors.layer(i, "input_layernorm.weight"), C),
                    bitLinear(st, ModelTensors.layer(i, "self_attn.q_proj"), qd, C, conv, opt.layout()),
                    bitLinear(st, ModelTensors.layer(i, "self_attn.k_proj"), kvd, C, conv, opt.layout()),
                    bitLinear(st, ModelTensors.layer(i, "self_attn.v_proj"), kvd, C, conv, opt.layout()),
                    vector(st, ModelTensors.layer(i, "self_attn.attn_sub_norm.weight"), qd),
                    bitLinear(st, ModelTensors.layer(i, "self_attn.o_proj"), C, qd, conv, opt.layout()),
                    vector(st, ModelTensors.layer(i, "post_attention_layernorm.weight"), C),
                    bitLinear(st, ModelTensors.layer(i, "mlp.gate_proj"), F, C, conv, opt.layout()),
                    bitLinear(st, ModelTensors.layer(i, "mlp.up_proj"), F, C, conv, opt.layout()),
                    vector(st, ModelTensors.layer(i, "mlp.ffn_sub_norm.weight"), F),
                    bitLinear(st, ModelTensors.layer(i, "mlp.down_proj"), C, F, conv, opt.layout()));
        }
        DenseMatrix embed = DenseMatrix.of(matrix(st, ModelTensors.EMBED, V, C), V, C, opt.headPrecision());
        DenseMatrix head = embed;
        if (!c.tieWordEmbeddings()) {
            head = DenseMatrix.of(matrix(st, ModelTensors.LM_HEAD, V, C), V, C, opt.headPrecision());
        } else if (st.has(ModelTensors.LM_HEAD)) {
            // some exporters write the tied matrix twice; it must then be identical
            if (!Arrays.equals(matrix(st, ModelTensors.LM_HEAD, V, C), matrix(st, ModelTensors.EMBED, V, C))) {
                throw new IOException(st.file(ModelTensors.LM_HEAD) + ": tie_word_embeddings=true but lm_head.weight differs from embed_tokens");
            }
        }
        return new BitNetModel(c, embed, head, vector(st, ModelTensors.FINAL_NORM, C), layers, source);
    }

    private static float[] vector(CheckpointTensors st, String name, int n) throws IOException {
        checkShape(st, name, n);
        return st.floats(name);
    }

    private static float[] matrix(CheckpointTensors st, String name, int rows, int cols) throws IOException {
        checkShape(st, name, rows, cols);
        return st.floats(name);
    }

    /** One projection: latent weights (quantize here) or HF packed uint8 + weight_scale. */
    private static TernaryMatrix bitLinear(CheckpointTensors st, String prefix, int rows, int cols, ScaleConvention conv,
                                           TernaryMatrix.Layout layout) throws IOException {
        String name = prefix + ".weight";
        SafeTensors.TensorInfo info = st.info(name);
        if (info.dtype() == SafeTensors.DType.U8) {
            if (rows % 4 != 0) throw new IOException(st.file(name) + ": " + name + ": packed format needs out_features % 4 == 0, got " + rows);
            checkShape(st, name, rows / 4, cols);
            String scaleName = prefix + ".weight_scale";
            if (!st.has(scaleName)) throw new IOException(st.file(name) + ": packed " + name + " has no " + scaleName);
            float[] scale = st.floats(scaleName);
            if (scale.length != 1 || !(scale[0] > 0) || !Float.isFinite(scale[0])) {
                throw new IOException(st.file(scaleName) + ": " + scaleName + " must be one positive finite value, got " + Arrays.toString(scale));
            }
            float m = conv == ScaleConvention.MULTIPLY ? scale[0] : 1f / scale[0];
            ByteBuffer b = st.bytes(name);
            byte[] packed = new byte[b.remaining()];
            b.get(packed);
            byte[] codes;
            try {
                codes = HfPackedTernary.unpack(packed, rows / 4, cols);
            } catch (IllegalArgumentException e) {
                throw new IOException(st.file(name) + ": " + name + ": " + e.getMessage(), e);
            }
            return TernaryMatrix.fromCodes(codes, rows, cols, m, layout);
        }
        if (info.dtype() != SafeTensors.DType.F32 && info.dtype() != SafeTensors.DType.BF16 && info.dtype() != SafeTensors.DType.F16) {
            throw new IOException(st.file(name) + ": " + name + " has dtype " + info.dtype() + "; expected latent F32/BF16/F16 or packed U8");
        }
        checkShape(st, name, rows, cols);
        return TernaryMatrix.quantize(st.floats(name), rows, cols, layout);
    }

    private static void checkShape(CheckpointTensors st, String name, int... shape) throws IOException {
        SafeTensors.TensorInfo info = st.info(name);
        long[] want = Arrays.stream(shape).asLongStream().toArray();
        if (!Arrays.equals(info.shape(), want)) {
            throw new IOException(st.file(name) + ": tensor " + name + " has shape " + Arrays.toString(info.shape())
                    + ", config.json implies " + Arrays.toString(want));
        }
    }
}
