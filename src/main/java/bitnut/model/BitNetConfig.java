/*
 * BitNetConfig — the architecture of a BitNet b1.58 model, with exactly the keys of HuggingFace's
 * `BitNetConfig` (transformers models/bitnet/configuration_bitnet.py) so that config.json files we write
 * load in transformers and theirs load here. See shared notes bitnet-spec.md §2.1 and §3.4.
 *
 * Pure Java (no DJL): the inference engine (bitnut.infer) reads it too.
 *
 * Differences from a bare HF config, on purpose:
 *  - bos/eos/pad ids come from OUR tokenizer (2/3/0), not LLaMA-3's 128000/128001 (spec pitfall 7);
 *  - a ternary run writes `quantization_config: {quant_method: bitnet, linear_class: autobitlinear,
 *    quantization_mode: online}`, without which transformers would load a dense, full-precision model
 *    (spec §0.1, pitfall 1). `precision` is our name for "that block is present or not".
 */
package bitnut.model;

import bitnut.common.AtomicFiles;
import bitnut.common.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Architecture of one BitNet model. Dimension legend: V vocab, C hidden (= nh*hd), F intermediate (ffn),
 * L layers, nh query heads, nkv key/value heads, hd head dim.
 *
 * @param vocabSize             V; must equal the tokenizer's vocabulary (32768 for bitnut-133m)
 * @param hiddenSize            C, residual stream width (768)
 * @param intermediateSize      F, ReLU² MLP width (2304 = 3C)
 * @param numHiddenLayers       L, decoder layers (12)
 * @param numAttentionHeads     nh, query heads (12 → hd 64)
 * @param numKeyValueHeads      nkv, key/value heads for grouped-query attention (4; nh % nkv == 0)
 * @param hiddenAct             MLP activation, always "relu2" (relu(x)²)
 * @param maxPositionEmbeddings longest context the model is meant for (RoPE has no table limit; 4096)
 * @param initializerRange      std of the N(0, σ) init of every linear and embedding weight (0.02)
 * @param rmsNormEps            ε of every RMSNorm (1e-5)
 * @param ropeTheta             RoPE base θ (500000)
 * @param tieWordEmbeddings     true: lm_head reuses embed_tokens (no lm_head tensor); false: separate lm_head
 * @param bosTokenId            begin-of-sequence id from the tokenizer (2)
 * @param eosTokenId            end-of-sequence id from the tokenizer (3); generation stops on it
 * @param padTokenId            padding id from the tokenizer (0); null when the tokenizer has none
 * @param precision             TERNARY = BitLinear fake-quant (W1.58 A8) training; FULL = plain fp32 twin
 */
public record BitNetConfig(
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        String hiddenAct,
        int maxPositionEmbeddings,
        double initializerRange,
        double rmsNormEps,
        double ropeTheta,
        boolean tieWordEmbeddings,
        int bosTokenId,
        int eosTokenId,
        Integer padTokenId,
        Precision precision) {

    /** Whether BitLinear layers quantize (the real BitNet) or run dense (the comparison twin). */
    public enum Precision {
        TERNARY, FULL;

        public static Precision parse(String s) {
            return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "ternary", "1.58", "b1.58" -> TERNARY;
                case "full", "fp32", "dense" -> FULL;
                default -> throw new IllegalArgumentException("precision must be 'ternary' or 'full', got '" + s + "'");
            };
        }

        public String id() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    public static final String MODEL_TYPE = "bitnet";

    public BitNetConfig {
        if (hiddenAct == null) hiddenAct = "relu2";
        if (precision == null) precision = Precision.TERNARY;
        validate(vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads, numKeyValueHeads,
                hiddenAct, rmsNormEps, ropeTheta, initializerRange);
    }

    private static void validate(int v, int c, int f, int l, int nh, int nkv, String act, double eps, double theta,
                                 double init) {
        require(v > 0, "vocab_size must be > 0, got " + v);
        require(c > 0 && f > 0 && l > 0, "hidden_size, intermediate_size and num_hidden_layers must be > 0");
        require(nh > 0 && nkv > 0, "num_attention_heads and num_key_value_heads must be > 0");
        require(c % nh == 0, "hidden_size " + c + " must be divisible by num_attention_heads " + nh
                + " (attn_sub_norm is applied to the concatenated heads)");
        require(nh % nkv == 0, "num_attention_heads " + nh + " must be a multiple of num_key_value_heads " + nkv);
        require((c / nh) % 2 == 0, "head dim " + (c / nh) + " must be even (rotate-half RoPE)");
        require("relu2".equals(act), "hidden_act must be 'relu2' (BitNet's ReLU²), got '" + act + "'");
        require(eps > 0 && theta > 0 && init > 0, "rms_norm_eps, rope_theta and initializer_range must be > 0");
    }

    private static void require(boolean ok, String msg) {
        if (!ok) throw new IllegalArgumentException(msg);
    }

    /** hd: per-head width (HF: hidden_size / num_attention_heads). */
    public int headDim() { return hiddenSize / numAttentionHeads; }

    /** Query heads sharing one key/value head (GQA repeat factor). */
    public int kvGroups() { return numAttentionHeads / numKeyValueHeads; }

    public boolean ternary() { return precision == Precision.TERNARY; }

    /** Parameters in the BitLinear projections of one layer (q, k, v, o, gate, up, down). */
    public long bitLinearParamsPerLayer() {
        long c = hiddenSize, hd = headDim(), nh = numAttentionHeads, nkv = numKeyValueHeads, f = intermediateSize;
        long attn = c * nh * hd + 2 * c * nkv * hd + nh * hd * c;
        return attn + 3 * c * f;
    }

    /** Total trainable parameters (spec §7.1); 132,963,072 for bitnut-133m. */
    public long parameterCount() {
        long c = hiddenSize;
        long norms = 3 * c + intermediateSize;
        long layer = bitLinearParamsPerLayer() + norms;
        long embed = (long) vocabSize * c;
        return numHiddenLayers * layer + embed + (tieWordEmbeddings ? 0 : embed) + c;
    }

    /** Parameters that are ternary in a TERNARY model (all BitLinear weights). */
    public long ternaryParameterCount() { return numHiddenLayers * bitLinearParamsPerLayer(); }

    // ----- copies with one thing changed (records are immutable) -----

    public BitNetConfig withVocabSize(int v) {
        return new BitNetConfig(v, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads, numKeyValueHeads,
                hiddenAct, maxPositionEmbeddings, initializerRange, rmsNormEps, ropeTheta, tieWordEmbeddings,
                bosTokenId, eosTokenId, padTokenId, precision);
    }

    public BitNetConfig withTokenIds(int bos, int eos, Integer pad) {
        return new BitNetConfig(vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                numKeyValueHeads, hiddenAct, maxPositionEmbeddings, initializerRange, rmsNormEps, ropeTheta,
                tieWordEmbeddings, bos, eos, pad, precision);
    }

    public BitNetConfig withPrecision(Precision p) {
        return new BitNetConfig(vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                numKeyValueHeads, hiddenAct, maxPositionEmbeddings, initializerRange, rmsNormEps, ropeTheta,
                tieWordEmbeddings, bosTokenId, eosTokenId, padTokenId, p);
    }

    /**
     * Applies "key=value" overrides with HF key names (e.g. {@code hidden_size=512},
     * {@code tie_word_embeddings=true}, {@code precision=full}); used by the CLI and the UI form.
     */
    public BitNetConfig withOverride(String key, String value) {
        ObjectNode n = toJson();
        String k = key.trim();
        if (k.equals("precision")) return withPrecision(Precision.parse(value));
        if (!n.has(k) && !k.equals("pad_token_id")) {
            throw new IllegalArgumentException("unknown model setting '" + k + "'. HINT: use HF BitNetConfig keys such as "
                    + "hidden_size, intermediate_size, num_hidden_layers, num_attention_heads, num_key_value_heads, "
                    + "vocab_size, max_position_embeddings, rope_theta, tie_word_embeddings, precision");
        }
        String v = value.trim();
        if (k.equals("hidden_act")) n.put(k, v);
        else if (v.equals("null")) n.putNull(k);
        else if (v.equals("true") || v.equals("false")) n.put(k, Boolean.parseBoolean(v));
        else {
            try {
                if (v.matches("-?\\d+")) n.put(k, Long.parseLong(v));
                else n.put(k, Double.parseDouble(v));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("model setting " + k + " needs a number, got '" + value + "'");
            }
        }
        return fromJson(n, "override " + k);
    }

    // ----- JSON (config.json) -----

    /** config.json as HF writes it (snake_case keys). */
    public ObjectNode toJson() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.putArray("architectures").add("BitNetForCausalLM");
        n.put("model_type", MODEL_TYPE);
        n.put("vocab_size", vocabSize);
        n.put("hidden_size", hiddenSize);
        n.put("intermediate_size", intermediateSize);
        n.put("num_hidden_layers", numHiddenLayers);
        n.put("num_attention_heads", numAttentionHeads);
        n.put("num_key_value_heads", numKeyValueHeads);
        n.put("hidden_act", hiddenAct);
        n.put("max_position_embeddings", maxPositionEmbeddings);
        n.put("initializer_range", initializerRange);
        n.put("rms_norm_eps", rmsNormEps);
        n.put("rope_theta", ropeTheta);
        n.put("tie_word_embeddings", tieWordEmbeddings);
        n.put("attention_bias", false);
        n.put("attention_dropout", 0.0);
        n.put("use_cache", true);
        n.put("bos_token_id", bosTokenId);
        n.put("eos_token_id", eosTokenId);
        if (padTokenId == null) n.putNull("pad_token_id"); else n.put("pad_token_id", padTokenId.intValue());
        n.put("torch_dtype", "float32");
        if (ternary()) {
            ObjectNode q = n.putObject("quantization_config");
            q.put("quant_method", "bitnet");
            q.put("linear_class", "autobitlinear");
            q.put("quantization_mode", "online");
        }
        return n;
    }

    /**
     * Reads a config.json (ours or HF's). Missing keys take HF's defaults except the token ids, whose
     * HF defaults are LLaMA-3's; ours default to the BitNut tokenizer's 2/3/0. {@code rope_theta} may also
     * come as {@code rope_parameters.rope_theta} (transformers v5). Precision is TERNARY when a bitnet
     * {@code quantization_config} is present, FULL otherwise, unless a {@code precision} key says so.
     */
    public static BitNetConfig fromJson(JsonNode n, String source) {
        if (n == null || !n.isObject()) throw new IllegalArgumentException(source + ": config is not a JSON object");
        String type = n.path("model_type").asText(MODEL_TYPE);
        if (!MODEL_TYPE.equals(type)) {
            throw new IllegalArgumentException(source + ": model_type is '" + type + "', expected 'bitnet'");
        }
        JsonNode theta = n.has("rope_theta") ? n.get("rope_theta") : n.path("rope_parameters").path("rope_theta");
        int nh = intKey(n, "num_attention_heads", 20, source);
        JsonNode nkvNode = n.get("num_key_value_heads");
        int nkv = nkvNode == null || nkvNode.isNull() ? nh : intKey(n, "num_key_value_heads", nh, source);
        if (n.hasNonNull("head_dim") && n.get("head_dim").asInt() * nh != intKey(n, "hidden_size", 2560, source)) {
            throw new IllegalArgumentException(source + ": head_dim * num_attention_heads must equal hidden_size");
        }
        Precision p;
        if (n.hasNonNull("precision")) p = Precision.parse(n.get("precision").asText());
        else {
            JsonNode q = n.path("quantization_config");
            if (q.isObject()) {
                String method = q.path("quant_method").asText("");
                if (!method.equals("bitnet")) {
                    throw new IllegalArgumentException(source + ": quantization_config.quant_method is '" + method
                            + "'; only 'bitnet' is supported");
                }
                String mode = q.path("quantization_mode").asText("offline");
                String cls = q.path("linear_class").asText("bitlinear");
                if (!mode.equals("online") || !cls.equals("autobitlinear")) {
                    throw new IllegalArgumentException(source + ": quantization_config is " + cls + "/" + mode
                            + " (packed weights); training and this loader need autobitlinear/online latent weights. "
                            + "HINT: use the -bf16 / online variant of the checkpoint");
                }
                p = Precision.TERNARY;
            } else p = Precision.FULL;
        }
        JsonNode pad = n.get("pad_token_id");
        try {
            return new BitNetConfig(
                    intKey(n, "vocab_size", 128256, source),
                    intKey(n, "hidden_size", 2560, source),
                    intKey(n, "intermediate_size", 6912, source),
                    intKey(n, "num_hidden_layers", 30, source),
                    nh, nkv,
                    n.path("hidden_act").asText("relu2"),
                    intKey(n, "max_position_embeddings", 2048, source),
                    n.path("initializer_range").asDouble(0.02),
                    n.path("rms_norm_eps").asDouble(1e-5),
                    theta.isNumber() ? theta.asDouble() : 500000.0,
                    n.path("tie_word_embeddings").asBoolean(false),
                    intKey(n, "bos_token_id", 2, source),
                    intKey(n, "eos_token_id", 3, source),
                    pad == null ? Integer.valueOf(0) : pad.isNull() ? null : pad.asInt(),
                    p);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    private static int intKey(JsonNode n, String key, int dflt, String source) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) return dflt;
        if (v.isArray() && key.equals("eos_token_id") && !v.isEmpty()) v = v.get(0);  // HF allows a list of eos ids
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new IllegalArgumentException(source + ": " + key + " must be an integer, got " + v);
        }
        return v.asInt();
    }

    public static BitNetConfig read(Path file) throws IOException {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        return fromJson(n, file.toString());
    }

    /** Writes config.json atomically. */
    public void write(Path file) throws IOException { AtomicFiles.writeJson(file, toJson()); }

    /** One-line description for logs: "12L 768C 12/4h 2304F V32768 ternary, 132.96M params". */
    public String summary() {
        return String.format(java.util.Locale.ROOT, "%dL %dC %d/%dh %dF V%d %s%s, %.2fM params",
                numHiddenLayers, hiddenSize, numAttentionHeads, numKeyValueHeads, intermediateSize, vocabSize,
                precision.id(), tieWordEmbeddings ? " tied" : "", parameterCount() / 1e6);
    }
}
