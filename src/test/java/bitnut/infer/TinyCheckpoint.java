package bitnut.infer;

import bitnut.common.Json;
import bitnut.infer.kernel.TernaryMatrix;
import bitnut.model.BitNetConfig;
import bitnut.model.ModelTensors;
import bitnut.model.SafeTensors;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Test fixture made by the project itself: a tiny BitNet checkpoint (config.json, model.safetensors
 * with random latent weights, and a byte-level BPE tokenizer.json with no merges: 256 byte tokens after
 * 5 specials <pad> <unk> <bos> <eos> <mask>, like the BitNut tokenizer's first ids).
 */
public final class TinyCheckpoint {
    public static final int VOCAB = 261;

    private TinyCheckpoint() { }

    /** 2 layers, C 64, F 128, 4 query heads / 2 kv heads (hd 16), V 261. */
    public static BitNetConfig config(boolean tied) {
        return new BitNetConfig(VOCAB, 64, 128, 2, 4, 2, "relu2", 256, 0.02, 1e-5, 10000.0, tied, 2, 3, 0,
                BitNetConfig.Precision.TERNARY);
    }

    /** The latent weights (name -> values), N(0, 0.02) linears/embeddings, norm gains around 1. */
    public static Map<String, float[]> latents(BitNetConfig c, long seed) {
        Random rnd = new Random(seed);
        Map<String, float[]> w = new LinkedHashMap<>();
        for (ModelTensors.Spec s : ModelTensors.all(c)) {
            float[] v = new float[(int) s.elements()];
            for (int i = 0; i < v.length; i++) {
                v[i] = s.kind() == ModelTensors.Kind.NORM ? 1f + 0.2f * (float) rnd.nextGaussian() : 0.02f * (float) rnd.nextGaussian();
            }
            // embeddings larger so logits are not all near zero
            if (s.kind() == ModelTensors.Kind.EMBEDDING || s.kind() == ModelTensors.Kind.HEAD) for (int i = 0; i < v.length; i++) v[i] *= 20;
            w.put(s.name(), v);
        }
        return w;
    }

    /** Writes an "ours / HF online" checkpoint (latent F32 weights) plus tokenizer.json. */
    public static Path writeLatent(Path dir, BitNetConfig c, Map<String, float[]> w) throws IOException {
        Files.createDirectories(dir);
        c.write(dir.resolve("config.json"));
        SafeTensors.Writer wr = new SafeTensors.Writer();
        for (ModelTensors.Spec s : ModelTensors.all(c)) wr.addF32(s.name(), w.get(s.name()), toLong(s.shape()));
        wr.write(dir.resolve("model.safetensors"));
        writeTokenizer(dir.resolve("tokenizer.json"));
        return dir;
    }

    /** Writes an HF packed checkpoint: uint8 [out/4, in] + weight_scale per the given linear class. */
    public static Path writePacked(Path dir, BitNetConfig c, Map<String, float[]> w, String linearClass) throws IOException {
        Files.createDirectories(dir);
        ObjectNode cfg = c.toJson();
        ObjectNode q = cfg.putObject("quantization_config");
        q.put("quant_method", "bitnet").put("linear_class", linearClass).put("quantization_mode", "offline");
        Files.writeString(dir.resolve("config.json"), Json.MAPPER.writeValueAsString(cfg));
        SafeTensors.Writer wr = new SafeTensors.Writer();
        for (ModelTensors.Spec s : ModelTensors.all(c)) {
            if (s.kind() == ModelTensors.Kind.BITLINEAR) {
                TernaryMatrix t = TernaryMatrix.quantize(w.get(s.name()), s.shape()[0], s.shape()[1]);
                byte[] packed = HfPackedTernary.pack(t.codes(), s.shape()[0], s.shape()[1]);
                wr.addBytes(s.name(), SafeTensors.DType.U8, packed, s.shape()[0] / 4, s.shape()[1]);
                float scale = linearClass.equals("bitlinear") ? 1f / t.scale : t.scale;
                wr.addF32(s.name().replace(".weight", ".weight_scale"), new float[] {scale}, 1);
            } else {
                wr.addF32(s.name(), w.get(s.name()), toLong(s.shape()));
            }
        }
        wr.write(dir.resolve("model.safetensors"));
        writeTokenizer(dir.resolve("tokenizer.json"));
        return dir;
    }

    private static long[] toLong(int[] shape) {
        long[] l = new long[shape.length];
        for (int i = 0; i < l.length; i++) l[i] = shape[i];
        return l;
    }

    /** Byte-level BPE tokenizer.json (GPT-2 byte alphabet) without merges. */
    public static void writeTokenizer(Path file) throws IOException {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        String[] specials = {"<pad>", "<unk>", "<bos>", "<eos>", "<mask>"};
        for (int i = 0; i < specials.length; i++) {
            ObjectNode t = added.addObject();
            t.put("id", i).put("content", specials[i]).put("single_word", false).put("lstrip", false)
                    .put("rstrip", false).put("normalized", false).put("special", true);
        }
        root.putNull("normalizer");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true).put("use_regex", true);
        root.putNull("post_processor");
        ObjectNode dec = root.putObject("decoder");
        dec.put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true).put("use_regex", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.put("unk_token", "<unk>");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        ObjectNode vocab = model.putObject("vocab");
        for (int i = 0; i < specials.length; i++) vocab.put(specials[i], i);
        Map<Integer, Character> alphabet = byteAlphabet();
        for (int b = 0; b < 256; b++) vocab.put(String.valueOf(alphabet.get(b)), 5 + b);
        model.putArray("merges");
        Files.writeString(file, Json.MAPPER.writeValueAsString(root));
    }

    /** GPT-2 bytes_to_unicode. */
    static Map<Integer, Character> byteAlphabet() {
        Map<Integer, Character> m = new HashMap<>();
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            m.put(b, printable ? (char) b : (char) (256 + n++));
        }
        return m;
    }
}
