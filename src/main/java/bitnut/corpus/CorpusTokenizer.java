package bitnut.corpus;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import bitnut.common.Json;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The workspace tokenizer as the corpus stage uses it: a {@code tokenizer.json} (HF tokenizers
 * format) identified by its sha256, its vocabulary size and end-of-document id, and DJL's
 * {@link HuggingFaceTokenizer} for encoding (no special tokens, no truncation, no padding: corpus
 * work, see notes/djl.md). {@link #newEncoder()} gives one native instance per worker thread.
 */
public final class CorpusTokenizer {
    /** End-of-document token names, in the order we look for them. */
    static final List<String> EOS_NAMES = List.of("<eos>", "</s>", "<|endoftext|>", "<|end_of_text|>", "<|eos|>");

    private final Path file;
    private final byte[] hash;
    private final int vocabSize;
    private final int eosId;

    private CorpusTokenizer(Path file, byte[] hash, int vocabSize, int eosId) {
        this.file = file;
        this.hash = hash;
        this.vocabSize = vocabSize;
        this.eosId = eosId;
    }

    /** Loads {@code dir/tokenizer.json} (or the file itself when a file is given). */
    public static CorpusTokenizer load(Path dirOrFile) throws IOException {
        Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve("tokenizer.json") : dirOrFile;
        if (!Files.isRegularFile(file)) {
            throw new IOException("No tokenizer at " + file + ". HINT: train one in the Tokenizer tab or with "
                    + "'bitnut tokenizer train', or pass the folder holding tokenizer.json with --tokenizer.");
        }
        byte[] bytes = Files.readAllBytes(file);
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new IOException(file + " is not valid JSON: " + e.getMessage(), e);
        }
        int maxId = -1;
        for (JsonNode v : root.path("model").path("vocab")) maxId = Math.max(maxId, v.asInt());
        Integer eos = null;
        for (String name : EOS_NAMES) {
            for (JsonNode t : root.path("added_tokens")) {
                if (name.equals(t.path("content").asText()) && eos == null) eos = t.path("id").asInt();
            }
            if (eos == null && root.path("model").path("vocab").has(name)) eos = root.path("model").path("vocab").get(name).asInt();
        }
        for (JsonNode t : root.path("added_tokens")) maxId = Math.max(maxId, t.path("id").asInt());
        if (maxId < 0) throw new IOException(file + " has no vocabulary (model.vocab is empty).");
        if (eos == null) {
            throw new IOException(file + " defines no end-of-document token (looked for " + EOS_NAMES + "). "
                    + "HINT: train the tokenizer with an <eos> special token.");
        }
        CorpusTokenizer tok = new CorpusTokenizer(file, sha256(bytes), maxId + 1, eos);
        try (Encoder probe = tok.newEncoder()) {
            probe.encode(new String[] {"probe"});
        } catch (RuntimeException e) {
            throw new IOException(file + " cannot be loaded by the tokenizers library: " + e.getMessage()
                    + ". HINT: retrain or re-export the tokenizer.", e);
        }
        return tok;
    }

    /**
     * The tokenizer to use when none is named: {@code dir/tokenizer.json}, else the most recently
     * trained {@code dir/<name>/tokenizer.json} (the Tokenizer stage's layout).
     */
    public static Path findIn(Path tokenizerStageDir) throws IOException {
        if (Files.isRegularFile(tokenizerStageDir.resolve("tokenizer.json"))) return tokenizerStageDir;
        Path best = null;
        if (Files.isDirectory(tokenizerStageDir)) {
            try (var ds = Files.newDirectoryStream(tokenizerStageDir, Files::isDirectory)) {
                for (Path d : ds) {
                    Path f = d.resolve("tokenizer.json");
                    if (Files.isRegularFile(f) && (best == null
                            || Files.getLastModifiedTime(f).compareTo(Files.getLastModifiedTime(best.resolve("tokenizer.json"))) > 0)) {
                        best = d;
                    }
                }
            }
        }
        if (best == null) {
            throw new IOException("No trained tokenizer in " + tokenizerStageDir + ". HINT: train one first (Tokenizer tab or "
                    + "'bitnut tokenizer train'), or name one with --tokenizer DIR.");
        }
        return best;
    }

    public Path file() { return file; }
    public byte[] hash() { return hash.clone(); }
    public String hashHex() { return HexFormat.of().formatHex(hash); }
    public int vocabSize() { return vocabSize; }
    public int eosId() { return eosId; }

    /** A new native tokenizer for one thread; close it when the thread is done. */
    public Encoder newEncoder() throws IOException {
        return new Encoder(HuggingFaceTokenizer.newInstance(file,
                Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false")));
    }

    /** One native tokenizer instance; not for concurrent use. */
    public static final class Encoder implements AutoCloseable {
        private final HuggingFaceTokenizer tokenizer;

        Encoder(HuggingFaceTokenizer tokenizer) { this.tokenizer = tokenizer; }

        /**
         * Encodes a batch of documents to ids. Uses the ids-only native path (batch encode, then
         * only {@code getTokenIds} per encoding) instead of {@code Encoding}, which copies eight
         * arrays across JNI per document.
         */
        public int[][] encode(String[] docs) {
            TokenizersLibrary lib = TokenizersLibrary.LIB;
            long[] handles = lib.batchEncode(tokenizer.getHandle(), docs, false);
            int[][] out = new int[docs.length][];
            try {
                for (int i = 0; i < handles.length; i++) {
                    long[] ids = lib.getTokenIds(handles[i]);
                    int[] a = new int[ids.length];
                    for (int j = 0; j < ids.length; j++) a[j] = (int) ids[j];
                    out[i] = a;
                }
            } finally {
                for (long h : handles) lib.deleteEncoding(h);
            }
            return out;
        }

        public String decode(int[] ids) {
            long[] l = new long[ids.length];
            for (int i = 0; i < ids.length; i++) l[i] = ids[i];
            return tokenizer.decode(l, false);
        }

        @Override public void close() { tokenizer.close(); }
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
