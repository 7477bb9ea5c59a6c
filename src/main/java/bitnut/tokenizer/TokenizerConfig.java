package bitnut.tokenizer;

import bitnut.text.SequenceUnit;

import java.util.List;

/**
 * Everything that defines a tokenizer training run; shared by the CLI, the Tokenizer tab and the
 * run's report (saved as {@code training_report.json} beside the tokenizer).
 *
 * @param vocabSize     final vocab size incl. specials (typical: 32768)
 * @param minFrequency  stop when the best pair occurs fewer times than this (typical: 2)
 * @param specialTokens ids 0..k-1 in this order (default: pad unk bos eos mask)
 * @param byteAlphabet  put all 256 byte characters in the vocab, so any text encodes without
 *                      {@code <unk>}; false = HF's default (only bytes seen in training)
 * @param sequences     LINES (HF train(files)) or DOCUMENTS (HF train_from_iterator)
 * @param field         JSONL field / Parquet column with the text (typical: "text")
 * @param maxDocuments  read at most this many documents (0 = all)
 * @param threads       word-counting threads (typical: all cores)
 * @param heldOutEvery  every n-th sequence is kept out of training for the bytes/token check
 *                      (typical: 100; 0 = train on everything and measure in-sample)
 */
public record TokenizerConfig(int vocabSize, int minFrequency, List<String> specialTokens, boolean byteAlphabet,
                              SequenceUnit sequences, String field, long maxDocuments, int threads, int heldOutEvery) {

    public static final List<String> DEFAULT_SPECIALS = List.of("<pad>", "<unk>", "<bos>", "<eos>", "<mask>");

    public TokenizerConfig {
        if (vocabSize <= 0) throw new IllegalArgumentException("vocab size must be positive, got " + vocabSize);
        if (minFrequency < 0) throw new IllegalArgumentException("min frequency must be >= 0, got " + minFrequency);
        specialTokens = specialTokens == null ? DEFAULT_SPECIALS : List.copyOf(specialTokens);
        if (sequences == null) sequences = SequenceUnit.DOCUMENTS;
        if (field == null || field.isBlank()) field = "text";
        if (maxDocuments < 0) throw new IllegalArgumentException("max documents must be >= 0");
        if (threads <= 0) threads = Runtime.getRuntime().availableProcessors();
        if (heldOutEvery < 0) heldOutEvery = 0;
    }

    /** The workbench defaults for a vocab size: original specials, full byte alphabet, documents. */
    public static TokenizerConfig defaults(int vocabSize) {
        return new TokenizerConfig(vocabSize, 2, DEFAULT_SPECIALS, true, SequenceUnit.DOCUMENTS, "text", 0, 0, 100);
    }

    /** Exactly HF's BpeTrainer with the original project's options on lines (for parity checks). */
    public static TokenizerConfig hfParity(int vocabSize, int minFrequency, List<String> specials) {
        return new TokenizerConfig(vocabSize, minFrequency, specials, false, SequenceUnit.LINES, "text", 0, 0, 0);
    }

    public TokenizerConfig withThreads(int n) {
        return new TokenizerConfig(vocabSize, minFrequency, specialTokens, byteAlphabet, sequences, field, maxDocuments, n, heldOutEvery);
    }
}
