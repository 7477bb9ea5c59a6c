package bitnut.synth;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings of one question-generation run, shared by the CLI, the Prompts/Voice tab and the saved
 * run spec.
 *
 * @param topics                 topics to cover (the CLI/tab fill in topics.txt when none are picked)
 * @param requestsPerTopic       teacher requests per topic (typical 10-30; the original run made ~20)
 * @param questionsPerRequest    questions asked for per request (typical 10)
 * @param nearDuplicateThreshold MinHash Jaccard estimate that makes a near-duplicate (typical 0.7; 1 = exact only)
 * @param sampling               teacher sampling for question lists
 * @param teacher                teacher spec ({@link Teachers#spec}); never contains a key
 */
public record QuestionJobConfig(List<String> topics, int requestsPerTopic, int questionsPerRequest,
                                double nearDuplicateThreshold, Sampling sampling, Map<String, Object> teacher) {
    public QuestionJobConfig {
        topics = List.copyOf(topics);
        if (topics.isEmpty()) throw new IllegalArgumentException("no topics to generate questions for");
        if (requestsPerTopic < 1) throw new IllegalArgumentException("requests per topic must be >= 1: " + requestsPerTopic);
        if (questionsPerRequest < 1 || questionsPerRequest > 100) throw new IllegalArgumentException("questions per request must be in [1, 100]: " + questionsPerRequest);
        if (nearDuplicateThreshold <= 0 || nearDuplicateThreshold > 1) throw new IllegalArgumentException("near-duplicate threshold must be in (0, 1]: " + nearDuplicateThreshold);
        teacher = Map.copyOf(teacher);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("topics", topics);
        m.put("requests_per_topic", requestsPerTopic);
        m.put("questions_per_request", questionsPerRequest);
        m.put("near_duplicate_threshold", nearDuplicateThreshold);
        m.put("sampling", sampling.toMap());
        m.put("teacher", teacher);
        return m;
    }

    @SuppressWarnings("unchecked")
    public static QuestionJobConfig fromMap(Map<String, Object> m) {
        return new QuestionJobConfig((List<String>) m.get("topics"), ((Number) m.get("requests_per_topic")).intValue(),
                ((Number) m.get("questions_per_request")).intValue(), ((Number) m.get("near_duplicate_threshold")).doubleValue(),
                Sampling.fromMap((Map<?, ?>) m.get("sampling")), (Map<String, Object>) m.get("teacher"));
    }
}
