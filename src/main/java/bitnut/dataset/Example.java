package bitnut.dataset;

import java.util.Map;

/**
 * One row of the dataset: a question (prompt) and BitNut's answer (response, null until the voice
 * job or an import fills it). Prompt and response are stored without the {@code human: }/
 * {@code bitnut: } prefixes of the original files; export adds them back.
 *
 * @param originalPrompt   the prompt as first generated/imported (for the diff in the editor)
 * @param originalResponse the response as first generated/imported, null if never answered
 * @param flags            automatic flags (bit set, see {@link Flag})
 * @param flagNotes        one explanation per raised flag, for the UI
 * @param metadata         generation metadata (teacher, model, sampling, latency, tokens/s, job id)
 * @param version          optimistic-concurrency version, +1 on every user-visible change
 */
public record Example(long id, String topic, String prompt, String response, ExampleStatus status,
                      ExampleSource source, FlagSet flags, Map<String, String> flagNotes,
                      String questionKey, String originalPrompt, String originalResponse,
                      Map<String, Object> metadata, long createdMillis, long updatedMillis, long version) {

    public boolean hasResponse() { return response != null; }

    public int promptWords() { return TextStats.words(prompt); }

    public int responseWords() { return TextStats.words(response); }
}
