package bitnut.infer;

import bitnut.infer.kernel.DenseMatrix;

/**
 * What one generation produced and how fast.
 *
 * @param text             generated text (stop string excluded)
 * @param promptTokens     prompt tokens actually run (after trimming to the context window)
 * @param prefilledTokens  of those, the ones prefilled by this call; the others' keys and values came
 *                         from an earlier generation with the same token prefix (PrefixCache)
 * @param newTokens        tokens generated (the stop token excluded)
 * @param stopReason       why it ended
 * @param ttftMs           time to first token: prompt prefill + first sample, milliseconds
 * @param prefillTokPerSec prefilled tokens per second of the prefill
 * @param decodeTokPerSec  generated tokens per second after the first one (0 when fewer than 2)
 * @param totalMs          wall time from the start of the call to this sequence's end, milliseconds
 *                         (in a batched call: includes batch-mates' prefill and shared steps)
 */
public record GenerationResult(String text, int promptTokens, int prefilledTokens, int newTokens, StopReason stopReason,
                               double ttftMs, double prefillTokPerSec, double decodeTokPerSec, double totalMs) {

    public enum StopReason {
        EOS, STOP_TOKEN, STOP_STRING, MAX_TOKENS, CONTEXT_FULL, CANCELLED;

        /** OpenAI finish_reason. */
        public String finishReason() { return this == MAX_TOKENS || this == CONTEXT_FULL ? "length" : "stop"; }
    }

    public String speedLine() {
        String reused = prefilledTokens < promptTokens ? " (" + (promptTokens - prefilledTokens) + " reused)" : "";
        return String.format(java.util.Locale.ROOT, "%d prompt tokens%s, %d new | TTFT %.0f ms | prefill %.0f tok/s | decode %.1f tok/s | %s",
                promptTokens, reused, newTokens, ttftMs, prefillTokPerSec, decodeTokPerSec, stopReason.name().toLowerCase(java.util.Locale.ROOT));
    }

    /** speedLine plus the embeddings / lm_head precision the engine ran with (the Sample and Chat tabs' stats line). */
    public String speedLine(DenseMatrix.Precision head) {
        return speedLine() + " | " + head.label() + " head";
    }
}
