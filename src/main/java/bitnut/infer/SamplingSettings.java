package bitnut.infer;

import java.util.List;

/**
 * Generation settings: one record shared by the CLI flags, the Sample/Chat tabs and the server.
 *
 * @param maxNewTokens       tokens to generate at most (128)
 * @param temperature        softmax temperature; 0 = greedy (0.8)
 * @param topK               keep the k most likely tokens; 0 = off (40)
 * @param topP               nucleus: smallest set with this much probability; 1 = off (0.95)
 * @param minP               drop tokens below min_p x p(most likely); 0 = off (0.05)
 * @param repetitionPenalty  HF-style penalty on tokens already in the context; 1 = off (1.1)
 * @param seed               random seed; the same seed and inputs give the same text (42)
 * @param stopStrings        generation ends before any of these strings (empty list = none)
 * @param stopOnEos          stop at the model's eos token id (true)
 * @param stopTokenIds       further token ids that end generation (empty list = none)
 */
public record SamplingSettings(int maxNewTokens, float temperature, int topK, float topP, float minP,
                               float repetitionPenalty, long seed, List<String> stopStrings, boolean stopOnEos,
                               List<Integer> stopTokenIds) {
    public static final SamplingSettings DEFAULT = new SamplingSettings(128, 0.8f, 40, 0.95f, 0.05f, 1.1f, 42L, List.of(), true, List.of());

    public SamplingSettings {
        if (maxNewTokens < 0) throw new IllegalArgumentException("max new tokens must be >= 0, got " + maxNewTokens);
        if (!(temperature >= 0) || Float.isInfinite(temperature)) throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        if (topK < 0) throw new IllegalArgumentException("top-k must be >= 0, got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        if (!(minP >= 0 && minP < 1)) throw new IllegalArgumentException("min-p must be in [0, 1), got " + minP);
        if (!(repetitionPenalty > 0)) throw new IllegalArgumentException("repetition penalty must be > 0, got " + repetitionPenalty);
        stopStrings = stopStrings == null ? List.of() : List.copyOf(stopStrings);
        stopTokenIds = stopTokenIds == null ? List.of() : List.copyOf(stopTokenIds);
        for (String stop : stopStrings) if (stop.isEmpty()) throw new IllegalArgumentException("empty stop string");
    }

    public SamplingSettings withMaxNewTokens(int n) { return new SamplingSettings(n, temperature, topK, topP, minP, repetitionPenalty, seed, stopStrings, stopOnEos, stopTokenIds); }
    public SamplingSettings withSeed(long s) { return new SamplingSettings(maxNewTokens, temperature, topK, topP, minP, repetitionPenalty, s, stopStrings, stopOnEos, stopTokenIds); }
    public SamplingSettings withTemperature(float t) { return new SamplingSettings(maxNewTokens, t, topK, topP, minP, repetitionPenalty, seed, stopStrings, stopOnEos, stopTokenIds); }
    public SamplingSettings withStopStrings(List<String> stops) { return new SamplingSettings(maxNewTokens, temperature, topK, topP, minP, repetitionPenalty, seed, stops, stopOnEos, stopTokenIds); }
    public SamplingSettings withStopOnEos(boolean b) { return new SamplingSettings(maxNewTokens, temperature, topK, topP, minP, repetitionPenalty, seed, stopStrings, b, stopTokenIds); }
}
