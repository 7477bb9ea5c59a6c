package bitnut.finetune;

/**
 * One example as token ids: {@code tokens = prompt ids ++ response ids ++ <eos>}, where the prompt is
 * {@code "human: {prompt}\nbitnut:"} and the response {@code " {response}"} (ChatTemplate). The first
 * {@code promptLength} tokens are context only; every later token, the eos included, is a training
 * target. A truncated example lost its tail (and with it its eos) at the length limit.
 *
 * <pre>
 *   tokens       = [h, u, m, :, b, :, W, o, f, eos]     promptLength = 6
 *   inputs       = tokens[0..n-2]   targets = tokens[1..n-1]
 *   loss on target j  <=>  j + 1 >= promptLength     -> W, o, f, eos (4 = n - promptLength)
 * </pre>
 */
public record TokenizedExample(int[] tokens, int promptLength, boolean truncated, String origin) {

    /** Positions this example occupies in a packed row: one per (input, target) pair. */
    public int positions() { return tokens.length - 1; }

    /** Targets that count in the loss: every response token and the eos. */
    public int lossTokens() { return tokens.length - promptLength; }

    /** True when target j (the prediction of tokens[j + 1]) is part of the answer. */
    public boolean trainsTarget(int j) { return j + 1 >= promptLength; }
}
