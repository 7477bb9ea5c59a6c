package bitnut.finetune;

import bitnut.common.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Test data the tests make themselves: a toy SFT set where every question about a thing gets the
 * same answer pattern ("woof ! the {thing} is a squirrel plot ."), and a word-level HuggingFace
 * tokenizer.json over exactly those words with the project's specials ({@code <pad>}=0 ... {@code <eos>}=3).
 */
public final class ToyData {
    public static final List<String> THINGS = List.of("moon", "mailman", "vacuum", "rain", "doorbell", "car", "cat", "tree",
            "bath", "park", "ball", "bird", "fence", "sofa", "shoe", "hat", "river", "snow", "bread", "clock",
            "phone", "lamp", "door", "garden", "bridge", "bus", "kite", "cloud", "star", "apple");
    public static final List<String> ASKS = List.of("what is the", "tell me about the", "why is there a", "do you like the");

    private ToyData() { }

    public static List<SftExample> examples() {
        List<SftExample> out = new ArrayList<>();
        int line = 0;
        for (String thing : THINGS) {
            for (String ask : ASKS) {
                out.add(new SftExample(ask + " " + thing + " ?", answer(thing), "toy:" + (++line)));
            }
        }
        return out;
    }

    public static String answer(String thing) { return "woof ! the " + thing + " is a squirrel plot ."; }

    /** Writes the examples as the Dataset stage's export format. */
    public static Path writeJsonl(Path file, List<SftExample> examples) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (SftExample e : examples) {
            sb.append(Json.MAPPER.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(Map.of("prompt", "human: " + e.prompt(), "response", "bitnut: " + e.response())))
              .append('\n');
        }
        Files.writeString(file, sb.toString());
        return file;
    }

    /** A word-level tokenizer.json covering every word of the toy set and the chat labels. */
    public static Path writeTokenizer(Path file) throws IOException {
        Set<String> words = new LinkedHashSet<>(List.of("human:", "bitnut:", "woof", "!", "the", "is", "a", "squirrel",
                "plot", ".", "?", "hello", "extra"));
        for (String ask : ASKS) words.addAll(List.of(ask.split(" ")));
        words.addAll(THINGS);
        List<String> specials = List.of("<pad>", "<unk>", "<bos>", "<eos>", "<mask>");
        Map<String, Integer> vocab = new LinkedHashMap<>();
        List<Map<String, Object>> added = new ArrayList<>();
        for (String s : specials) {
            added.add(Map.of("id", vocab.size(), "content", s, "single_word", false, "lstrip", false,
                    "rstrip", false, "normalized", false, "special", true));
            vocab.put(s, vocab.size());
        }
        for (String w : words) vocab.put(w, vocab.size());
        Map<String, Object> tok = new LinkedHashMap<>();
        tok.put("version", "1.0");
        tok.put("truncation", null);
        tok.put("padding", null);
        tok.put("added_tokens", added);
        tok.put("normalizer", null);
        tok.put("pre_tokenizer", Map.of("type", "WhitespaceSplit"));
        tok.put("post_processor", null);
        tok.put("decoder", null);
        tok.put("model", Map.of("type", "WordLevel", "vocab", vocab, "unk_token", "<unk>"));
        Files.writeString(file, Json.MAPPER.writeValueAsString(tok));
        return file;
    }

    public static Random rng(long seed) { return new Random(seed); }

    /** A micro ternary BitNet over {@code vocab} ids: 2 layers, hidden 64 (fast enough for tests). */
    public static bitnut.model.BitNetConfig microConfig(int vocab) {
        return new bitnut.model.BitNetConfig(vocab, 64, 128, 2, 4, 2, "relu2", 128, 0.02, 1e-5, 10000, false, 2, 3, 0,
                bitnut.model.BitNetConfig.Precision.TERNARY);
    }

    /**
     * A pretrain-checkpoint folder as bitnut.train.Checkpoints writes it (config.json, model.safetensors,
     * tokenizer.json), freshly initialised: the finetune tests start from it.
     */
    public static Path writeBaseCheckpoint(Path dir, long seed) throws IOException {
        Files.createDirectories(dir);
        Path tokFile = writeTokenizer(dir.resolve("tokenizer.json"));
        int vocab;
        try (ChatTokenizer t = ChatTokenizer.load(tokFile)) { vocab = t.vocabSize(); }
        bitnut.model.BitNetConfig c = microConfig(vocab);
        c.write(dir.resolve("config.json"));
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager("PyTorch");
             bitnut.model.BitNetModel model = bitnut.model.BitNetModel.init(c, m, seed)) {
            model.save(dir.resolve("model.safetensors"));
        }
        return dir;
    }
}
