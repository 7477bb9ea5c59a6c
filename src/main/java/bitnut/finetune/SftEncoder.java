package bitnut.finetune;

import bitnut.common.ChatTemplate;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns examples into {@link TokenizedExample}s with the chat template, the checkpoint tokenizer and
 * a length limit. The prompt and the response are encoded separately and concatenated: the prompt
 * ids are then exactly what the chat sends at inference ({@code ChatTemplate.promptText}), and the
 * prompt/response boundary is exact without character offsets.
 *
 * <p>Length limit: an example keeps at most {@code seqLen + 1} tokens ({@code seqLen} input
 * positions). Longer ones lose their tail and are counted as truncated; an example whose prompt
 * alone fills the limit has nothing left to learn and is dropped (counted too).
 */
public final class SftEncoder {

    /** Counts for the run log and the UI ("12 of 3,400 truncated at 512"). */
    public record Stats(int examples, int truncated, int dropped, long tokens, long lossTokens) {
        public String describe(int seqLen) {
            return String.format("%,d examples, %,d tokens (%,d trained), %,d truncated and %,d dropped at %d positions",
                    examples, tokens, lossTokens, truncated, dropped, seqLen);
        }
    }

    public record Encoded(List<TokenizedExample> examples, Stats stats, List<String> droppedOrigins) { }

    private final ChatTokenizer tokenizer;
    private final int seqLen;

    public SftEncoder(ChatTokenizer tokenizer, int seqLen) {
        if (seqLen < 2) throw new IllegalArgumentException("seqLen must be >= 2, got " + seqLen);
        this.tokenizer = tokenizer;
        this.seqLen = seqLen;
    }

    public TokenizedExample encode(SftExample ex) {
        int[] prompt = tokenizer.encode(ChatTemplate.promptText(ex.prompt()));
        int[] answer = tokenizer.encode(" " + ex.response().strip());
        int n = prompt.length + answer.length + 1;
        int[] tokens = new int[n];
        System.arraycopy(prompt, 0, tokens, 0, prompt.length);
        System.arraycopy(answer, 0, tokens, prompt.length, answer.length);
        tokens[n - 1] = tokenizer.eosId();
        int limit = seqLen + 1;
        if (n <= limit) return new TokenizedExample(tokens, prompt.length, false, ex.origin());
        int[] cut = new int[limit];
        System.arraycopy(tokens, 0, cut, 0, limit);
        return new TokenizedExample(cut, prompt.length, true, ex.origin());
    }

    public Encoded encodeAll(List<SftExample> examples) {
        List<TokenizedExample> out = new ArrayList<>(examples.size());
        List<String> dropped = new ArrayList<>();
        int truncated = 0;
        long tokens = 0, loss = 0;
        for (SftExample ex : examples) {
            TokenizedExample t = encode(ex);
            if (t.promptLength() >= t.tokens().length) {
                dropped.add(ex.origin() + ": prompt alone is longer than " + seqLen + " tokens");
                continue;
            }
            if (t.truncated()) truncated++;
            tokens += t.tokens().length;
            loss += t.lossTokens();
            out.add(t);
        }
        return new Encoded(out, new Stats(out.size(), truncated, dropped.size(), tokens, loss), dropped);
    }

    public int seqLen() { return seqLen; }
}
