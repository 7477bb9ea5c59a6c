package bitnut.finetune;

/**
 * One generated answer to a held-out prompt: the text (without labels or eos), its length in tokens,
 * and whether the model ended it with {@code <eos>} by itself (rather than hitting the token limit or
 * starting a new "human:" turn).
 */
public record SampleAnswer(String prompt, String answer, int tokens, boolean endedWithEos) { }
