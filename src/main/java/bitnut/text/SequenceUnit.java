package bitnut.text;

/**
 * The unit a tokenizer trainer counts words in (tokenizer-spec.md 2.1).
 * <ul>
 *   <li>{@link #LINES}: one sequence per line <em>including</em> its {@code \n} (and the {@code \r}
 *       of CRLF); the last line of a file may have none. This is HF tokenizers' {@code train(files)}.
 *       Documents of JSONL/Parquet inputs are split into lines the same way.</li>
 *   <li>{@link #DOCUMENTS}: one sequence per document, as HF's {@code train_from_iterator}.</li>
 * </ul>
 */
public enum SequenceUnit { LINES, DOCUMENTS }
