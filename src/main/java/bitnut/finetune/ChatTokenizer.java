package bitnut.finetune;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import bitnut.common.Json;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The checkpoint's tokenizer as finetuning needs it: text -> ids without any added specials, ids ->
 * text, and the two special ids that matter for SFT. {@code <eos>} ends every answer and is trained;
 * {@code <pad>} fills unused positions and is never trained. They must differ: the original
 * finetune.py set pad = eos, so its collator masked every eos and the model never learned to stop
 * (bitnet-spec.md §6 pitfall 8).
 */
public final class ChatTokenizer implements AutoCloseable {
    public static final String EOS = "<eos>";
    public static final String PAD = "<pad>";

    private final HuggingFaceTokenizer hf;
    private final int eosId;
    private final int padId;
    private final int vocabSize;

    private ChatTokenizer(HuggingFaceTokenizer hf, int eosId, int padId, int vocabSize) {
        this.hf = hf;
        this.eosId = eosId;
        this.padId = padId;
        this.vocabSize = vocabSize;
    }

    /** Loads {@code tokenizer.json} (the file itself or a folder holding it, e.g. a checkpoint dir). */
    public static ChatTokenizer load(Path fileOrDir) throws IOException {
        Path file = Files.isDirectory(fileOrDir) ? fileOrDir.resolve("tokenizer.json") : fileOrDir;
        if (!Files.isRegularFile(file)) {
            throw new IOException("No tokenizer.json at " + fileOrDir
                    + ". HINT: a checkpoint folder keeps a copy of its tokenizer.json; train one in the Tokenizer tab.");
        }
        JsonNode root = Json.MAPPER.readTree(file.toFile());
        int eos = -1, pad = -1;
        for (JsonNode t : root.path("added_tokens")) {
            if (EOS.equals(t.path("content").asText())) eos = t.path("id").asInt();
            if (PAD.equals(t.path("content").asText())) pad = t.path("id").asInt();
        }
        if (eos < 0 || pad < 0) {
            throw new IOException(file + ": the tokenizer has no " + (eos < 0 ? EOS : PAD)
                    + " special token; finetuning needs both (pad must differ from eos).");
        }
        if (eos == pad) throw new IOException(file + ": " + PAD + " and " + EOS + " share id " + eos);
        int maxId = Math.max(eos, pad);
        for (JsonNode id : root.path("model").path("vocab")) maxId = Math.max(maxId, id.asInt());
        HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(file,
                Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
        return new ChatTokenizer(hf, eos, pad, maxId + 1);
    }

    /** Ids of {@code text}, no bos/eos added. */
    public int[] encode(String text) {
        long[] ids = hf.encode(text, false, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) out[i] = Math.toIntExact(ids[i]);
        return out;
    }

    /** Text of {@code ids}, specials skipped. */
    public String decode(int[] ids) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) l[i] = ids[i];
        return hf.decode(l, true);
    }

    public int eosId() { return eosId; }
    public int padId() { return padId; }
    /** One more than the largest id in the vocabulary and the specials. */
    public int vocabSize() { return vocabSize; }

    @Override public void close() { hf.close(); }
}
