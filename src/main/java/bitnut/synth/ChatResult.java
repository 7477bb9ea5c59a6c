package bitnut.synth;

/**
 * What a teacher returned for one conversation.
 *
 * @param text             the assistant message, untouched
 * @param finishReason     "stop", "length" (hit max tokens), ... or "" when the server did not say
 * @param promptTokens     tokens in the request as the server counted them, -1 when not reported
 * @param completionTokens tokens generated, -1 when not reported
 * @param latencyMillis    wall time of the successful attempt (not counting earlier retries)
 * @param attempts         1 + number of retries it took
 * @param model            the model the server says answered (may differ from the requested alias)
 */
public record ChatResult(String text, String finishReason, int promptTokens, int completionTokens,
                         long latencyMillis, int attempts, String model) {

    /** Generated tokens, or a chars/4 estimate when the server reported no usage. */
    public int completionTokensOrEstimate() {
        return completionTokens >= 0 ? completionTokens : Math.max(1, (text.length() + 3) / 4);
    }

    /** Generation speed of this answer in tokens per second (estimated tokens when not reported). */
    public double tokensPerSecond() {
        return completionTokensOrEstimate() * 1000.0 / Math.max(1, latencyMillis);
    }
}
