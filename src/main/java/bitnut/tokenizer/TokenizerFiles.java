package bitnut.tokenizer;

import bitnut.common.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a trained tokenizer in the Hugging Face layout (tokenizer-spec.md 2.9):
 * {@code tokenizer.json} (byte-identical to what HF tokenizers 0.23 saves: key order, serde pretty
 * format, no trailing newline), {@code tokenizer_config.json} and {@code special_tokens_map.json}
 * (as transformers saves them: sorted keys, trailing newline). All writes are atomic.
 */
public final class TokenizerFiles {
    public static final String TOKENIZER_JSON = "tokenizer.json";
    public static final String CONFIG_JSON = "tokenizer_config.json";
    public static final String SPECIAL_TOKENS_JSON = "special_tokens_map.json";

    private TokenizerFiles() { }

    /** The tokenizer.json text for a trained vocab + merges. */
    public static String tokenizerJson(List<String> vocab, List<String[]> merges, List<String> specialTokens) {
        return SerdeJson.write(tokenizerTree(vocab, merges, specialTokens));
    }

    /** The tokenizer.json document as ordered maps and lists (vocab and merges are views, not copies). */
    private static Map<String, Object> tokenizerTree(List<String> vocab, List<String[]> merges, List<String> specialTokens) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", "1.0");
        root.put("truncation", null);
        root.put("padding", null);
        List<Object> added = new ArrayList<>();
        for (String sp : distinct(specialTokens)) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("id", vocab.indexOf(sp));
            t.put("content", sp);
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
            added.add(t);
        }
        root.put("added_tokens", added);
        root.put("normalizer", null);
        root.put("pre_tokenizer", byteLevel(false));
        root.put("post_processor", template(vocab, specialTokens));
        root.put("decoder", byteLevel(true));
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("dropout", null);
        model.put("unk_token", specialTokens.contains("<unk>") ? "<unk>" : null);
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        model.put("vocab", new SerdeJson.IndexObject(vocab));
        model.put("merges", merges);                       // String[] pairs are written as 2-element arrays
        root.put("model", model);
        return root;
    }

    private static Map<String, Object> byteLevel(boolean decoder) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("type", "ByteLevel");
        p.put("add_prefix_space", decoder);        // decoders.ByteLevel() defaults to true; the pre-tokenizer is false
        p.put("trim_offsets", true);
        p.put("use_regex", true);
        return p;
    }

    /** {@code <bos> $A <eos>} when both exist, as the original project; otherwise no post-processor. */
    private static Object template(List<String> vocab, List<String> specials) {
        if (!specials.contains("<bos>") || !specials.contains("<eos>")) return null;
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("type", "TemplateProcessing");
        p.put("single", List.of(special("<bos>", 0), sequence("A", 0), special("<eos>", 0)));
        p.put("pair", List.of(special("<bos>", 0), sequence("A", 0), special("<eos>", 0), sequence("B", 1), special("<eos>", 1)));
        Map<String, Object> st = new LinkedHashMap<>();
        for (String t : List.of("<bos>", "<eos>")) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("id", t);
            e.put("ids", List.of(vocab.indexOf(t)));
            e.put("tokens", List.of(t));
            st.put(t, e);
        }
        p.put("special_tokens", st);
        return p;
    }

    private static Map<String, Object> special(String id, int typeId) {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("id", id);
        inner.put("type_id", typeId);
        return Map.of("SpecialToken", inner);
    }

    private static Map<String, Object> sequence(String id, int typeId) {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("id", id);
        inner.put("type_id", typeId);
        return Map.of("Sequence", inner);
    }

    private static List<String> distinct(List<String> l) { return l.stream().distinct().toList(); }

    /** The role of each conventional special token in transformers' special_tokens_map.json. */
    private static final Map<String, String> ROLES = Map.of(
            "<bos>", "bos_token", "<eos>", "eos_token", "<unk>", "unk_token", "<pad>", "pad_token", "<mask>", "mask_token");

    /** special_tokens_map.json: role -> token, sorted by role (transformers sorts keys). */
    public static String specialTokensMap(List<String> specials) {
        Map<String, Object> m = new TreeMap<>();
        for (String s : specials) if (ROLES.containsKey(s)) m.put(ROLES.get(s), s);
        return SerdeJson.write(m) + "\n";
    }

    /** tokenizer_config.json as transformers' PreTrainedTokenizerFast.save_pretrained writes it. */
    public static String tokenizerConfig(List<String> vocab, List<String> specials) {
        Map<String, Object> m = new TreeMap<>();
        Map<String, Object> dec = new LinkedHashMap<>();
        for (String s : distinct(specials)) {
            Map<String, Object> t = new TreeMap<>();
            t.put("content", s);
            t.put("lstrip", false);
            t.put("normalized", false);
            t.put("rstrip", false);
            t.put("single_word", false);
            t.put("special", true);
            dec.put(Integer.toString(vocab.indexOf(s)), t);
        }
        m.put("added_tokens_decoder", dec);
        for (String s : specials) if (ROLES.containsKey(s)) m.put(ROLES.get(s), s);
        m.put("clean_up_tokenization_spaces", false);
        m.put("extra_special_tokens", Map.of());
        m.put("model_max_length", new SerdeJson.Raw("1000000000000000019884624838656"));
        m.put("tokenizer_class", "PreTrainedTokenizerFast");
        return SerdeJson.write(m) + "\n";
    }

    /** Writes the three files into {@code dir} (atomic per file). */
    public static void write(Path dir, List<String> vocab, List<String[]> merges, List<String> specials) throws IOException {
        Map<String, Object> tree = tokenizerTree(vocab, merges, specials);
        AtomicFiles.write(dir.resolve(TOKENIZER_JSON), out -> {
            java.io.Writer w = new java.io.BufferedWriter(new java.io.OutputStreamWriter(out, java.nio.charset.StandardCharsets.UTF_8), 1 << 16);
            SerdeJson.write(w, tree);
            w.flush();
        });
        AtomicFiles.writeString(dir.resolve(CONFIG_JSON), tokenizerConfig(vocab, specials));
        AtomicFiles.writeString(dir.resolve(SPECIAL_TOKENS_JSON), specialTokensMap(specials));
    }
}
