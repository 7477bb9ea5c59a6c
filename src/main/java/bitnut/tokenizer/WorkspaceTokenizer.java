package bitnut.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A trained tokenizer as the rest of the project uses it (Corpus, Pretrain, Finetune, Chat): DJL's
 * {@link HuggingFaceTokenizer} on the written {@code tokenizer.json}, set up for corpus work (no
 * specials added, no truncation, no padding), plus the vocab facts read from the file. DJL's
 * tokenizer is thread-safe for encode; one instance per worker thread is faster (djl.md).
 *
 * <pre>{@code
 * try (WorkspaceTokenizer tok = WorkspaceTokenizer.load(workspace.tokenizerDir().resolve("bitnut-32k"))) {
 *     int[] ids = tok.encode("Squirrels run the world.");
 *     String back = tok.decode(ids);
 * }
 * }</pre>
 */
public final class WorkspaceTokenizer implements AutoCloseable {
    private final Path dir;
    private final HuggingFaceTokenizer hf;
    private final BpeEncoder vocab;

    private WorkspaceTokenizer(Path dir, HuggingFaceTokenizer hf, BpeEncoder vocab) {
        this.dir = dir;
        this.hf = hf;
        this.vocab = vocab;
    }

    /** Loads a tokenizer folder (with tokenizer.json) or the tokenizer.json file itself. */
    public static WorkspaceTokenizer load(Path path) throws IOException {
        Path file = Files.isDirectory(path) ? path.resolve(TokenizerFiles.TOKENIZER_JSON) : path;
        if (!Files.isRegularFile(file)) {
            throw new IOException("no tokenizer at " + path + ". HINT: train one with 'bitnut tokenizer train' or in the Tokenizer tab.");
        }
        BpeEncoder vocab = BpeEncoder.load(file);
        HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(file,
                Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
        return new WorkspaceTokenizer(file.getParent(), hf, vocab);
    }

    /** The folder the tokenizer was loaded from. */
    public Path dir() { return dir; }

    /** Token ids of {@code text}; special tokens in the text are recognised, none are added. */
    public int[] encode(String text) {
        long[] ids = hf.encode(ByteLevel.replaceLoneSurrogates(text)).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) out[i] = (int) ids[i];
        return out;
    }

    /** Text of ids, special tokens included as text. */
    public String decode(int[] ids) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) l[i] = ids[i];
        return hf.decode(l, false);
    }

    public int vocabSize() { return vocab.vocabSize(); }

    /** Id of a token string (e.g. "<eos>"), or -1. */
    public int id(String token) { return vocab.idOf(token); }

    public int bosId() { return id("<bos>"); }
    public int eosId() { return id("<eos>"); }
    public int padId() { return id("<pad>"); }
    public int unkId() { return id("<unk>"); }

    /** The token string of an id (byte-level characters). */
    public String token(int id) { return vocab.token(id); }

    /** The vocab and merge ranks of the file (for display and the reference encoder). */
    public BpeEncoder reference() { return vocab; }

    @Override public void close() { hf.close(); }
}
