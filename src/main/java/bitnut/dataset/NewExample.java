package bitnut.dataset;

import java.util.Map;

/**
 * A complete example to insert (import job, manual entry). Keyed like questions: an import run twice
 * inserts nothing the second time.
 *
 * @param response may be null (a question file has no answers)
 */
public record NewExample(String topic, String prompt, String response, ExampleSource source,
                        Map<String, Object> metadata) {
    public NewExample {
        if (topic == null || topic.isBlank()) throw new IllegalArgumentException("topic is empty");
        if (prompt == null || prompt.isBlank()) throw new IllegalArgumentException("prompt is empty");
        if (source == null) throw new IllegalArgumentException("source is null");
        metadata = metadata == null ? Map.of() : metadata;
    }

    public String questionKey() { return QuestionKey.normalize(prompt); }
}
