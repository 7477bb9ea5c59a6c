package bitnut.corpus;

import bitnut.common.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Test data the tests make themselves: a tiny byte-level BPE tokenizer.json and generated text. */
final class TestCorpora {
    private TestCorpora() { }

    static final String[] WORDS = {"the", "squirrel", "squirrels", "acorn", "tree", "park", "ball", "good", "dog", "runs",
            "world", "secret", "council", "meeting", "at", "dawn", "they", "know", "everything", "café", "über", "🐿️", "is", "a"};

    /** GPT-2's bytes_to_unicode: printable bytes map to themselves, the 68 others to U+0100.. in order. */
    static String byteChar(int b) {
        if ((b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)) return String.valueOf((char) b);
        int n = 0;
        for (int x = 0; x < b; x++) {
            if (!((x >= 0x21 && x <= 0x7E) || (x >= 0xA1 && x <= 0xAC) || (x >= 0xAE && x <= 0xFF))) n++;
        }
        return String.valueOf((char) (0x100 + n));
    }

    /**
     * Writes {@code dir/tokenizer.json}: byte-level BPE, specials {@code <pad> <unk> <bos> <eos>} (ids 0-3),
     * the 256 byte symbols (4-259) and the given merges.
     */
    static Path writeTokenizer(Path dir, List<String> merges) throws IOException {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        String[] specials = {"<pad>", "<unk>", "<bos>", "<eos>"};
        for (String s : specials) vocab.put(s, vocab.size());
        for (int b = 0; b < 256; b++) vocab.put(byteChar(b), vocab.size());
        for (String m : merges) vocab.putIfAbsent(m.replace(" ", ""), vocab.size());
        List<Map<String, Object>> added = new ArrayList<>();
        for (String s : specials) {
            added.add(Map.of("id", vocab.get(s), "content", s, "single_word", false, "lstrip", false, "rstrip", false,
                    "normalized", false, "special", true));
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("dropout", null);
        model.put("unk_token", null);
        model.put("continuing_subword_prefix", null);
        model.put("end_of_word_suffix", null);
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        model.put("vocab", vocab);
        model.put("merges", merges);
        Map<String, Object> byteLevel = Map.of("type", "ByteLevel", "add_prefix_space", false, "trim_offsets", true, "use_regex", true);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", "1.0");
        root.put("truncation", null);
        root.put("padding", null);
        root.put("added_tokens", added);
        root.put("normalizer", null);
        root.put("pre_tokenizer", byteLevel);
        root.put("post_processor", null);
        root.put("decoder", byteLevel);
        root.put("model", model);
        Files.createDirectories(dir);
        Path f = dir.resolve("tokenizer.json");
        Json.MAPPER.writeValue(f.toFile(), root);
        return dir;
    }

    static final List<String> MERGES = List.of("Ġ s", "q u", "Ġs qu", "i r", "Ġsqu ir", "r e", "re l", "Ġsquir rel", "Ġ a", "Ġ t", "h e", "Ġt he");

    /** A document of random squirrel sentences (deterministic for the seed). */
    static String document(SplittableRandom r) {
        StringBuilder sb = new StringBuilder();
        int sentences = 1 + r.nextInt(6);
        for (int s = 0; s < sentences; s++) {
            int words = 3 + r.nextInt(12);
            for (int w = 0; w < words; w++) {
                if (w > 0) sb.append(' ');
                String word = WORDS[r.nextInt(WORDS.length)];
                sb.append(w == 0 ? Character.toUpperCase(word.charAt(0)) + word.substring(1) : word);
            }
            sb.append(r.nextInt(5) == 0 ? "!\n" : ". ");
        }
        return sb.toString().strip();
    }

    static List<String> documents(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < n; i++) docs.add(document(r));
        return docs;
    }

    /** Writes documents as JSONL {"text": ...}. */
    static Path writeJsonl(Path file, List<String> docs) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String d : docs) sb.append(Json.MAPPER.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(Map.of("text", d))).append('\n');
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, sb.toString());
        return file;
    }
}
