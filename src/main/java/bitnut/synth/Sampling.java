package bitnut.synth;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sampling settings sent with every teacher request and stored with every generated row, so a
 * dataset says how each answer was made. The original BitNut run used temperature 0.9, top-p 0.95,
 * top-k 40 and at most 512 new tokens for the voice rewrite.
 *
 * @param temperature softmax temperature (0 = greedy; typical 0.7-1.0)
 * @param topP        nucleus mass kept (typical 0.95; 1 = off)
 * @param topK        keep the k most likely tokens (typical 40; 0 = off, not sent)
 * @param maxTokens   cap on new tokens per answer (typical 256-512)
 */
public record Sampling(double temperature, double topP, int topK, int maxTokens) {
    public Sampling {
        if (temperature < 0 || temperature > 5) throw new IllegalArgumentException("temperature must be in [0, 5]: " + temperature);
        if (topP <= 0 || topP > 1) throw new IllegalArgumentException("top-p must be in (0, 1]: " + topP);
        if (topK < 0) throw new IllegalArgumentException("top-k must be >= 0: " + topK);
        if (maxTokens < 1 || maxTokens > 32768) throw new IllegalArgumentException("max tokens must be in [1, 32768]: " + maxTokens);
    }

    /** Settings for writing questions: varied, with room for a list. */
    public static Sampling questions() { return new Sampling(0.9, 0.95, 40, 512); }

    /** Settings for BitNut's answers (the original run's values). */
    public static Sampling voice() { return new Sampling(0.9, 0.95, 40, 512); }

    /** As stored in row metadata and job specs. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("temperature", temperature);
        m.put("top_p", topP);
        m.put("top_k", topK);
        m.put("max_tokens", maxTokens);
        return m;
    }

    public static Sampling fromMap(Map<?, ?> m) {
        return new Sampling(((Number) m.get("temperature")).doubleValue(), ((Number) m.get("top_p")).doubleValue(),
                ((Number) m.get("top_k")).intValue(), ((Number) m.get("max_tokens")).intValue());
    }
}
