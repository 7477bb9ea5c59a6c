package bitnut.synth;

import bitnut.common.ChatTemplate;
import bitnut.infer.ChatSession;
import bitnut.infer.GenerationResult;
import bitnut.infer.InferenceEngine;
import bitnut.infer.SamplingSettings;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The in-process teacher: the project's own inference engine ({@code bitnut.infer}) on a BitNet
 * checkpoint the user has (one of ours, or an HF export such as microsoft/bitnet-b1.58-2B-4T),
 * no server needed. Messages are rendered exactly as {@code bitnut serve} renders a
 * chat-completions request: system text, then BitNut's {@code human:}/{@code bitnut:} template
 * ({@link ChatTemplate}), stopping at the next {@code human:} turn.
 *
 * <p>Batching: the jobs hand it {@link #batchSize()} conversations per call (4, as the original
 * rewrite did). The engine decodes one sequence at a time (its prompt prefill is batched), so a
 * batch runs back to back on the engine's lock; one call is kept in flight ({@link #parallelism()}
 * = 1) because a second would only wait for the lock.
 *
 * <p>Each request gets a fresh random seed: the jobs send the same question prompt several times
 * per topic and must not get the same list back.
 */
public final class EngineTeacher implements Teacher {
    public static final String KIND = "local";
    static final int BATCH = 4;

    private final InferenceEngine engine;
    private final int threads;

    private EngineTeacher(InferenceEngine engine, int threads) {
        this.engine = engine;
        this.threads = threads;
    }

    /** Loads the checkpoint folder (config.json, model.safetensors, tokenizer.json). */
    public static EngineTeacher open(Path checkpoint, int threads) throws IOException {
        InferenceEngine.Options d = InferenceEngine.Options.defaults();
        return new EngineTeacher(InferenceEngine.open(checkpoint, null,
                new InferenceEngine.Options(threads, d.headPrecision(), d.contextLength(), d.maxBatch())), threads);
    }

    @Override
    public ChatResult chat(List<ChatMessage> messages, Sampling sampling) throws TeacherException, InterruptedException {
        String prompt = prompt(messages);
        SamplingSettings s = ChatSession.chatSettings(new SamplingSettings(sampling.maxTokens(), (float) sampling.temperature(),
                sampling.topK(), (float) sampling.topP(), 0f, 1f, ThreadLocalRandom.current().nextLong(), List.of(), true, List.of()));
        Thread caller = Thread.currentThread();
        long t0 = System.nanoTime();
        GenerationResult r;
        synchronized (engine.lock()) {
            if (caller.isInterrupted()) throw new InterruptedException();
            try {
                r = engine.generator().generate(prompt, s, delta -> { }, caller::isInterrupted);
            } catch (RuntimeException e) {
                throw new TeacherException("local engine failed on " + engine.name() + ": " + e.getMessage(), false, e);
            }
        }
        if (r.stopReason() == GenerationResult.StopReason.CANCELLED) throw new InterruptedException();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        return new ChatResult(r.text().strip(), r.stopReason().finishReason(), r.promptTokens(), r.newTokens(), ms, 1, engine.name());
    }

    @Override
    public List<ChatResult> chatBatch(List<List<ChatMessage>> conversations, Sampling sampling) throws TeacherException, InterruptedException {
        List<ChatResult> out = new ArrayList<>(conversations.size());
        for (List<ChatMessage> c : conversations) out.add(chat(c, sampling));
        return out;
    }

    /** System messages first, then the last user message as a BitNut-template turn (earlier turns kept). */
    static String prompt(List<ChatMessage> messages) {
        StringBuilder system = new StringBuilder();
        List<String[]> turns = new ArrayList<>();
        String pendingUser = null;
        for (ChatMessage m : messages) {
            switch (m.role()) {
                case "system" -> system.append(m.content().strip()).append('\n');
                case "user" -> {
                    if (pendingUser != null) turns.add(new String[] {pendingUser, ""});
                    pendingUser = m.content();
                }
                case "assistant" -> {
                    turns.add(new String[] {pendingUser == null ? "" : pendingUser, m.content()});
                    pendingUser = null;
                }
                default -> throw new IllegalArgumentException("unknown role " + m.role());
            }
        }
        if (pendingUser == null) throw new IllegalArgumentException("the last message must come from the user");
        return system + ChatTemplate.conversationText(turns, pendingUser);
    }

    @Override public int batchSize() { return BATCH; }
    @Override public int parallelism() { return 1; }
    @Override public String model() { return engine.name(); }
    @Override public String describe() { return "local:" + engine.name() + " (" + threads + " threads)"; }
    @Override public void close() { engine.close(); }
}
