package bitnut.synth;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Settings of one voice run (BitNut answers the unanswered questions).
 *
 * @param limit    answer at most this many questions in the run (0 = every unanswered question)
 * @param topic    only this topic's questions, or null for all
 * @param sampling teacher sampling for answers (original run: 0.9 / 0.95 / 40 / 512)
 * @param teacher  teacher spec ({@link Teachers#spec}); never contains a key
 */
public record VoiceJobConfig(int limit, String topic, Sampling sampling, Map<String, Object> teacher) {
    public VoiceJobConfig {
        if (limit < 0) throw new IllegalArgumentException("limit must be >= 0 (0 = all): " + limit);
        topic = topic == null || topic.isBlank() ? null : topic.strip();
        teacher = Map.copyOf(teacher);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("limit", limit);
        if (topic != null) m.put("topic", topic);
        m.put("sampling", sampling.toMap());
        m.put("teacher", teacher);
        return m;
    }

    @SuppressWarnings("unchecked")
    public static VoiceJobConfig fromMap(Map<String, Object> m) {
        return new VoiceJobConfig(((Number) m.get("limit")).intValue(), (String) m.get("topic"),
                Sampling.fromMap((Map<?, ?>) m.get("sampling")), (Map<String, Object>) m.get("teacher"));
    }
}
