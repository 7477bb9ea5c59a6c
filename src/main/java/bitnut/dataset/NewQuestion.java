package bitnut.dataset;

import java.util.Map;

/**
 * A question made by the synth question job, before it has an answer.
 *
 * @param topic         topic name (e.g. "astronomy")
 * @param prompt        the question text, no "human: " prefix
 * @param normalizedKey dedupe key, normally {@link QuestionKey#normalize(String)} of the prompt;
 *                      {@link DatasetStore#addQuestions} skips a key already stored
 * @param metadata      generation metadata (teacher, model, sampling, job id), JSON-able values
 */
public record NewQuestion(String topic, String prompt, String normalizedKey, Map<String, Object> metadata) {
    public NewQuestion {
        if (topic == null || topic.isBlank()) throw new IllegalArgumentException("topic is empty");
        if (prompt == null || prompt.isBlank()) throw new IllegalArgumentException("prompt is empty");
        if (normalizedKey == null || normalizedKey.isBlank()) throw new IllegalArgumentException("normalizedKey is empty");
        metadata = metadata == null ? Map.of() : metadata;
    }

    /** A question keyed by the shared normalization. */
    public static NewQuestion of(String topic, String prompt, Map<String, Object> metadata) {
        return new NewQuestion(topic, prompt, QuestionKey.normalize(prompt), metadata);
    }
}
