package bitnut.infer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import bitnut.common.Json;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/*
 * TokenCodec over a tokenizer.json, via DJL's HuggingFaceTokenizer (the Rust `tokenizers` library).
 * Only the tokenizer binding is used at inference time, never a DJL engine. Specials are looked up
 * by name (<bos>, <eos>; BitNut tokenizer ids 2 / 3) from added_tokens.
 */
public final class HfTokenCodec implements TokenCodec {
    public static final String FILE = "tokenizer.json";

    private final HuggingFaceTokenizer hf;
    private final int bos, eos;

    private HfTokenCodec(HuggingFaceTokenizer hf, int bos, int eos) {
        this.hf = hf;
        this.bos = bos;
        this.eos = eos;
    }

    /** tokenizer.json itself, or a folder (checkpoint, workspace tokenizer dir) that holds one. */
    public static HfTokenCodec load(Path fileOrDir) throws IOException {
        Path file = Files.isDirectory(fileOrDir) ? fileOrDir.resolve(FILE) : fileOrDir;
        if (!Files.isRegularFile(file)) {
            throw new IOException("no " + FILE + " at " + fileOrDir
                    + ". HINT: a checkpoint folder keeps a copy of its tokenizer; or pass --tokenizer FILE");
        }
        JsonNode root = Json.MAPPER.readTree(file.toFile());
        int bos = -1, eos = -1;
        for (JsonNode t : root.path("added_tokens")) {
            String c = t.path("content").asText();
            if (c.equals("<bos>") || c.equals("<s>") || c.equals("<|begin_of_text|>")) bos = t.path("id").asInt();
            if (c.equals("<eos>") || c.equals("</s>") || c.equals("<|end_of_text|>")) eos = t.path("id").asInt();
        }
        HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(file,
                Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
        return new HfTokenCodec(hf, bos, eos);
    }

    @Override public int[] encode(String text) {
        long[] ids = hf.encode(text, false, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) out[i] = Math.toIntExact(ids[i]);
        return out;
    }

    @Override public String decode(int[] ids, int from, int to) {
        long[] l = new long[to - from];
        for (int i = from; i < to; i++) l[i - from] = ids[i];
        return hf.decode(l, true);
    }

    @Override public int eosId() { return eos; }
    @Override public int bosId() { return bos; }
    @Override public void close() { hf.close(); }
}
