package bitnut.infer;

import bitnut.common.ChatTemplate;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/*
 * A conversation with BitNut. The prompt is BitNut's template (bitnut.common.ChatTemplate, the one
 * place it is defined; the finetune data uses the same class):
 *     human: {earlier message}\nbitnut: {earlier answer}\n ... human: {message}\nbitnut:
 * Earlier turns are dropped oldest-first until the prompt plus max new tokens fits the context
 * window. Generation stops at "\nhuman:" (the model starting the next turn) or <eos>.
 */
public final class ChatSession {
    /** One finished exchange. */
    public record Turn(String human, String bitnut, GenerationResult stats) { }

    private final Generator generator;
    private final List<Turn> turns = new ArrayList<>();

    public ChatSession(Generator generator) { this.generator = generator; }

    public ChatSession(Generator generator, List<Turn> earlier) {
        this.generator = generator;
        turns.addAll(earlier);
    }

    public List<Turn> turns() { return List.copyOf(turns); }

    /** Chat stop rules added to any settings: the template's stop strings and eos. */
    public static SamplingSettings chatSettings(SamplingSettings s) {
        List<String> stops = new ArrayList<>(s.stopStrings());
        for (String stop : ChatTemplate.STOP_STRINGS) if (!stops.contains(stop)) stops.add(stop);
        return s.withStopStrings(stops).withStopOnEos(true);
    }

    /** The prompt for `message` after the current turns, trimmed to fit; package-visible for tests. */
    String promptFor(String message, int maxNewTokens) {
        int budget = generator.contextLength() - Math.max(1, maxNewTokens);
        int first = 0;
        while (true) {
            List<String[]> earlier = new ArrayList<>();
            for (int i = first; i < turns.size(); i++) earlier.add(new String[] {turns.get(i).human(), turns.get(i).bitnut()});
            String prompt = ChatTemplate.conversationText(earlier, message);
            if (first >= turns.size() || generator.codec().encode(prompt).length <= budget) return prompt;
            first++;
        }
    }

    /** Answers `message`, streaming to listener, and records the turn (also when cancelled). */
    public GenerationResult send(String message, SamplingSettings settings, Generator.Listener listener, BooleanSupplier cancelled) {
        SamplingSettings s = chatSettings(settings);
        GenerationResult r = generator.generate(promptFor(message, s.maxNewTokens()), s, listener, cancelled);
        turns.add(new Turn(message.strip(), r.text().strip(), r));
        return r;
    }

    /** Drops the last answer and asks the same message again (pass a new seed for a different answer). */
    public GenerationResult regenerate(SamplingSettings settings, Generator.Listener listener, BooleanSupplier cancelled) {
        if (turns.isEmpty()) throw new IllegalStateException("nothing to regenerate");
        Turn last = turns.removeLast();
        return send(last.human(), settings, listener, cancelled);
    }

    /** Replaces turn `index` (and forgets every later turn) with a new message, then answers it. */
    public GenerationResult editAndResend(int index, String message, SamplingSettings settings, Generator.Listener listener,
                                          BooleanSupplier cancelled) {
        if (index < 0 || index >= turns.size()) throw new IndexOutOfBoundsException("no turn " + index);
        while (turns.size() > index) turns.removeLast();
        return send(message, settings, listener, cancelled);
    }
}
