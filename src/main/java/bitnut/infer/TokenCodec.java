package bitnut.infer;

/*
 * Text <-> token ids as the engine needs them. The engine depends on this interface only; the
 * checkpoint's tokenizer.json is read by HfTokenCodec (the HF tokenizers library through DJL's
 * tokenizer binding - tokenization only, no DJL engine), tests may use any implementation.
 */
public interface TokenCodec extends AutoCloseable {
    /** Ids of text, no special tokens added. */
    int[] encode(String text);

    /** Text of ids; special tokens are skipped. */
    String decode(int[] ids, int from, int to);

    /** Id of the end-of-sequence token, or -1. */
    int eosId();

    /** Id of the beginning-of-sequence token, or -1. */
    int bosId();

    @Override default void close() { }
}
