package bitnut.common;

import java.util.List;

/**
 * BitNut's conversation template, defined once for the Chat tab, the finetune data and the
 * dataset export: {@code human: {message}\nbitnut: {answer}} then {@code <eos>} (added as a token id
 * by the tokenizer side, never as text). The original Python project used the same wording.
 *
 * <pre>
 *   trainingText("Why is the sky blue?", "Woof! ...")  ->  "human: Why is the sky blue?\nbitnut: Woof! ..."
 *   promptText("Why is the sky blue?")                 ->  "human: Why is the sky blue?\nbitnut:"
 * </pre>
 */
public final class ChatTemplate {
    public static final String HUMAN = "human:";
    public static final String BITNUT = "bitnut:";
    /** Generation stops when the model starts the next human turn (or emits eos). */
    public static final List<String> STOP_STRINGS = List.of("\nhuman:");

    private ChatTemplate() { }

    /** One finished turn as training text (without eos): prompt part + response part. */
    public static String trainingText(String message, String answer) {
        return promptText(message) + " " + answer.strip();
    }

    /** The text a model continues to answer {@code message}; ends with "bitnut:". */
    public static String promptText(String message) {
        return HUMAN + " " + message.strip() + "\n" + BITNUT;
    }

    /** A whole conversation: earlier finished turns, then the open turn to be answered. */
    public static String conversationText(List<String[]> earlierTurns, String message) {
        StringBuilder sb = new StringBuilder();
        for (String[] turn : earlierTurns) sb.append(trainingText(turn[0], turn[1])).append('\n');
        return sb.append(promptText(message)).toString();
    }

    /** Strips a leading "human:" / "bitnut:" label as stored in the original JSONL format. */
    public static String stripLabel(String text, String label) {
        String t = text.strip();
        return t.regionMatches(true, 0, label, 0, label.length()) ? t.substring(label.length()).strip() : t;
    }
}
