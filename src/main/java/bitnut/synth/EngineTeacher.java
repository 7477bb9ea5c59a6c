package bitnut.synth;

import bitnut.common.ChatTemplate;
import bitnut.infer.ChatSession;
import bitnut.infer.GenerationResult;
import bitnut.infer.Generator;
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
 * rewrite did), and the engine decodes them as one batch (batched decode: each decode step reads the
 * ternary weights and the lm_head once for all 4; each prompt is prefilled on its own). One call is
 * kept in flight ({@link #parallelism()} = 1) because a second would only wait for the engine's lock.
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
        return chatBatch(List.of(messages), sampling).getFirst();
    }

    /**
     * Decodes the conversations together (Generator.generateBatch): each has its own seed, KV cache and
     * stop state, and one decode step advances all unfinished ones. Per answer, latency is the wall time
     * from this call to that answer's last token (a short answer returns its own, shorter time), so
     * tokens/s per answer is that answer's share of the batch's throughput.
     */
    @Override
    public List<ChatResult> chatBatch(List<List<ChatMessage>> conversations, Sampling sampling) throws TeacherException, InterruptedException {
        List<String> prompts = new ArrayList<>(conversations.size());
        for (List<ChatMessage> c : conversations) prompts.add(prompt(c));
        Thread caller = Thread.currentThread();
        long t0 = System.nanoTime();
        List<GenerationResult> results;
        double waitedMs;
        synchronized (engine.lock()) {
            if (caller.isInterrupted()) throw new InterruptedException();
            waitedMs = (System.nanoTime() - t0) / 1e6;
            try {
                Generator g = engine.generator();
                List<Generator.Request> requests = new ArrayList<>(prompts.size());
                for (String p : prompts) requests.add(g.request(p, settings(sampling), null));
                results = g.generateBatch(requests, caller::isInterrupted);
            } catch (RuntimeException e) {
                throw new TeacherException("local engine failed on " + engine.name() + ": " + e.getMessage(), false, e);
            }
        }
        List<ChatResult> out = new ArrayList<>(results.size());
        for (GenerationResult r : results) {
            if (r.stopReason() == GenerationResult.StopReason.CANCELLED) throw new InterruptedException();
            out.add(new ChatResult(r.text().strip(), r.stopReason().finishReason(), r.promptTokens(), r.newTokens(),
                    Math.round(waitedMs + r.totalMs()), 1, engine.name()));
        }
        return out;
    }

    /** The engine's settings for one request: the job's sampling, a fresh seed, chat stop rules. */
    private static SamplingSettings settings(Sampling sampling) {
        return ChatSession.chatSettings(new SamplingSettings(sampling.maxTokens(), (float) sampling.temperature(),
                sampling.topK(), (float) sampling.topP(), 0f, 1f, ThreadLocalRandom.current().nextLong(), List.of(), true, List.of()));
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
