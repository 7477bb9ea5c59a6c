package bitnut.synth;

import java.util.ArrayList;
import java.util.List;

/**
 * A model that writes synthetic data: questions about a topic, or BitNut's answer to a question.
 * Two kinds: {@link OpenAiTeacher} (any OpenAI-compatible chat-completions server) and the
 * project's own in-process engine. The synth jobs keep {@link #parallelism()} calls in flight,
 * each with up to {@link #batchSize()} conversations.
 */
public interface Teacher extends AutoCloseable {

    /** One conversation in, one assistant answer out. Thread-safe. */
    ChatResult chat(List<ChatMessage> messages, Sampling sampling) throws TeacherException, InterruptedException;

    /**
     * Several conversations at once. Remote teachers answer them one by one (their parallelism
     * comes from concurrent calls); an in-process engine decodes them as one batch.
     */
    default List<ChatResult> chatBatch(List<List<ChatMessage>> conversations, Sampling sampling)
            throws TeacherException, InterruptedException {
        List<ChatResult> out = new ArrayList<>(conversations.size());
        for (List<ChatMessage> c : conversations) out.add(chat(c, sampling));
        return out;
    }

    /** How many conversations one {@link #chatBatch} call should carry (1 for remote teachers). */
    default int batchSize() { return 1; }

    /** How many calls the jobs should keep in flight at once. */
    int parallelism();

    /** "kind:model@where", stored with every generated row (never contains a secret). */
    String describe();

    /** The requested model name. */
    String model();

    @Override default void close() { }
}
