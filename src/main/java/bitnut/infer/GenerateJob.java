package bitnut.infer;

import bitnut.common.Job;
import bitnut.common.JobContext;
import bitnut.common.Lane;
import bitnut.infer.kernel.DenseMatrix;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/*
 * One generation request as a Job, so the tabs run it through the executor (Tasks view, cancel):
 * loads the checkpoint through an EngineCache if needed, then runs one generation per prompt/settings
 * pair in order, streaming deltas to the sink with the index of the generation. Cancel stops the
 * current generation at the next token. CPU lane: it must not queue behind a training run.
 */
public final class GenerateJob implements Job {
    /** Receives streamed text and per-generation results (from the job's thread). */
    public interface Sink {
        void text(int index, String delta);
        void done(int index, GenerationResult result);
    }

    /** What to generate: a prompt with its settings, or a chat turn on a session. */
    public record Request(String prompt, SamplingSettings settings, Function<Generator, ChatSession> chat, ChatAction action, int editIndex) {
        public static Request sample(String prompt, SamplingSettings s) { return new Request(prompt, s, null, null, -1); }
        public static Request chat(Function<Generator, ChatSession> session, ChatAction action, String message, SamplingSettings s, int editIndex) {
            return new Request(message, s, session, action, editIndex);
        }
    }

    public enum ChatAction { SEND, REGENERATE, EDIT }

    private final EngineCache engines;
    private final List<Path> checkpoints;      // one per request
    private final List<Request> requests;
    private final Sink sink;
    private final String title;
    private final DenseMatrix.Precision head;  // embeddings / lm_head precision of the engines

    public GenerateJob(String title, EngineCache engines, DenseMatrix.Precision head, List<Path> checkpoints, List<Request> requests, Sink sink) {
        if (checkpoints.size() != requests.size()) throw new IllegalArgumentException("one checkpoint per request");
        this.title = title;
        this.engines = engines;
        this.head = Objects.requireNonNull(head, "head precision");
        this.checkpoints = List.copyOf(checkpoints);
        this.requests = List.copyOf(requests);
        this.sink = sink;
    }

    @Override public String kind() { return "infer.generate"; }
    @Override public String title() { return title; }
    @Override public Lane lane() { return Lane.CPU; }

    @Override public String run(JobContext ctx) throws Exception {
        StringBuilder summary = new StringBuilder();
        for (int i = 0; i < requests.size(); i++) {
            ctx.checkpoint();
            ctx.progress((double) i / requests.size(), "loading " + checkpoints.get(i).getFileName());
            InferenceEngine engine = engines.get(checkpoints.get(i), head);
            Request r = requests.get(i);
            final int index = i;
            int[] count = {0};
            long t0 = System.nanoTime();
            Generator.Listener listener = delta -> {
                sink.text(index, delta);
                count[0]++;
                double s = (System.nanoTime() - t0) / 1e9;
                if (s > 0) ctx.throughput(count[0] / s, "tok/s");
            };
            ctx.progress((double) i / requests.size(), "generating " + (i + 1) + "/" + requests.size());
            GenerationResult res;
            synchronized (engine.lock()) {
                if (r.chat() == null) {
                    res = engine.generator().generate(r.prompt(), r.settings(), listener, ctx::cancelRequested);
                } else {
                    ChatSession session = r.chat().apply(engine.generator());
                    res = switch (r.action()) {
                        case SEND -> session.send(r.prompt(), r.settings(), listener, ctx::cancelRequested);
                        case REGENERATE -> session.regenerate(r.settings(), listener, ctx::cancelRequested);
                        case EDIT -> session.editAndResend(r.editIndex(), r.prompt(), r.settings(), listener, ctx::cancelRequested);
                    };
                }
            }
            sink.done(i, res);
            ctx.log(engine.name() + ": " + res.speedLine());
            summary.append(String.format(Locale.ROOT, "%s%d tokens at %.1f tok/s", summary.isEmpty() ? "" : "; ", res.newTokens(), res.decodeTokPerSec()));
        }
        ctx.progress(1, "done");
        return summary.toString();
    }
}
