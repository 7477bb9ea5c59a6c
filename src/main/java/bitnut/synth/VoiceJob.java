package bitnut.synth;

import bitnut.common.Job;
import bitnut.common.JobContext;
import bitnut.common.Json;
import bitnut.common.Lane;
import bitnut.dataset.DatasetStore;
import bitnut.dataset.Example;
import bitnut.dataset.ExampleFilter;
import bitnut.workspace.Workspace;
import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Synth stage, step 2: BitNut's voice. For each question without an answer, the teacher answers
 * with the persona as system prompt ({@link SynthInputs#voiceRequest}); the raw answer is stored
 * with its metadata (teacher, model, sampling, latency, tokens/s, finish reason). Follows the
 * original BitNut rewrite (persona system prompt, batches, 0.9/0.95/40/512 sampling).
 *
 * <p>Resume needs no bookkeeping beyond the store: a question is either answered (committed) or
 * still in {@code questionsWithoutAnswer}. The run's {@link RunLedger} only counts answers toward
 * the run's limit; a kill redoes at most the answers in flight.
 */
public final class VoiceJob implements Job {
    public static final String KIND = "synth.voice";

    private final Workspace workspace;
    private final String runId;
    private final VoiceJobConfig config;
    private final DatasetStore sharedStore;

    public VoiceJob(Workspace workspace, String runId, VoiceJobConfig config, DatasetStore sharedStore) {
        this.workspace = workspace;
        this.runId = runId;
        this.config = config;
        this.sharedStore = sharedStore;
    }

    public static VoiceJob start(Workspace ws, VoiceJobConfig config, DatasetStore sharedStore) {
        return new VoiceJob(ws, RunLedger.newRunId("v"), config, sharedStore);
    }

    public static VoiceJob resume(Workspace ws, Map<String, Object> spec, DatasetStore sharedStore) {
        return new VoiceJob(ws, (String) spec.get("run_id"), VoiceJobConfig.fromMap(spec), sharedStore);
    }

    public String runId() { return runId; }

    @Override public String kind() { return KIND; }

    @Override public String title() {
        return "Prompts / Voice: answer " + (config.limit() == 0 ? "all" : "up to " + config.limit()) + " questions"
                + (config.topic() != null ? " on " + config.topic() : "") + " (" + runId + ")";
    }

    @Override public Lane lane() { return Lane.CPU; }

    @Override public Map<String, Object> spec() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", KIND);
        m.put("run_id", runId);
        m.putAll(config.toMap());
        return m;
    }

    @Override
    public String run(JobContext ctx) throws Exception {
        Path synthDir = workspace.synthDir();
        SynthInputs inputs = SynthInputs.open(synthDir);
        int answeredBefore = RunLedger.entries(synthDir, runId).size();
        DatasetStore store = sharedStore != null ? sharedStore : DatasetStore.open(workspace);
        try (RunLedger ledger = RunLedger.open(synthDir, runId, spec());
             Teacher teacher = Teachers.fromSpec(config.teacher());
             RequestPump<List<Example>> pump = new RequestPump<>(teacher)) {
            long unanswered = store.count(ExampleFilter.ALL.withHasResponse(false).withTopic(config.topic()));
            long target = config.limit() == 0 ? answeredBefore + unanswered : Math.min(config.limit(), answeredBefore + unanswered);
            if (answeredBefore > 0) ctx.log("resuming run " + runId + ": " + answeredBefore + " answers already stored");
            ctx.log("teacher " + teacher.describe() + ", " + unanswered + " unanswered questions, target " + target + " answers");

            Set<Long> claimed = new HashSet<>();  // in flight, or failed in this session (resume retries those)
            int answered = answeredBefore, doneNow = 0;
            TeacherFailures failures = new TeacherFailures();
            long tokens = 0;
            boolean exhausted = false;
            long t0 = System.nanoTime();
            while (true) {
                int batch = teacher.batchSize();
                while (pump.hasRoom() && !exhausted && answered + claimedInFlight(pump, batch) < target) {
                    List<Example> next = nextQuestions(store, claimed, batch);
                    long room = target - answered - claimedInFlight(pump, batch);
                    if (next.size() > room) next = next.subList(0, (int) room);
                    if (next.isEmpty()) {
                        exhausted = true;
                        break;
                    }
                    List<List<ChatMessage>> convs = new ArrayList<>();
                    for (Example e : next) {
                        claimed.add(e.id());
                        convs.add(inputs.voiceRequest(e.topic(), e.prompt()));
                    }
                    pump.submit(next, convs, config.sampling());
                }
                if (pump.inFlight() == 0) break;
                RequestPump.Done<List<Example>> d = pump.next(ctx);
                if (d.error() != null) {
                    ctx.log("FAILED question " + d.work().getFirst().id() + ": " + d.error().getMessage());
                    failures.failed(d.error(), d.work().size());
                    continue;
                }
                failures.succeeded();
                for (int i = 0; i < d.work().size(); i++) {
                    Example e = d.work().get(i);
                    ChatResult r = d.results().get(i);
                    store.setGeneratedAnswer(e.id(), r.text().strip(), metadata(teacher, r)).get(); // committed
                    ledger.append(Json.MAPPER.createObjectNode().put("id", e.id()).put("latency_ms", r.latencyMillis())
                            .put("completion_tokens", r.completionTokensOrEstimate()));
                    claimed.remove(e.id());
                    answered++;
                    doneNow++;
                    tokens += r.completionTokensOrEstimate();
                    ctx.log(String.format("answered id=%d (%d tokens, %.1f s, %.1f tok/s)", e.id(),
                            r.completionTokensOrEstimate(), r.latencyMillis() / 1000.0, r.tokensPerSecond()));
                }
                double secs = Math.max(1e-3, (System.nanoTime() - t0) / 1e9);
                ctx.progress(target == 0 ? 1 : (double) answered / target, answered + "/" + target + " answers");
                ctx.throughput(doneNow * 60.0 / secs, "answers/min");
                ctx.metric("answers", secs, answered);
                ctx.metric("tokens_per_s", secs, tokens / secs);
            }
            String summary = String.format("%d answers in this session (%d in run %s), %d failed, %.1f tokens/s overall",
                    doneNow, answered, runId, failures.total(), tokens / Math.max(1e-3, (System.nanoTime() - t0) / 1e9));
            failures.requireSomeSuccess(doneNow, runId);
            if (failures.total() > 0) summary += "; resume the run to retry the failed questions";
            return summary;
        } finally {
            if (sharedStore == null) store.close();
        }
    }

    private static int claimedInFlight(RequestPump<?> pump, int batch) { return pump.inFlight() * batch; }

    /** Up to {@code n} unanswered questions that are not claimed yet, oldest first. */
    private List<Example> nextQuestions(DatasetStore store, Set<Long> claimed, int n) {
        List<Example> page = store.questionsWithoutAnswer(config.topic(), claimed.size() + n);
        List<Example> out = new ArrayList<>(n);
        for (Example e : page) {
            if (!claimed.contains(e.id())) out.add(e);
            if (out.size() == n) break;
        }
        return out;
    }

    private Map<String, Object> metadata(Teacher teacher, ChatResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job", KIND);
        m.put("job_id", runId);
        m.put("teacher", teacher.describe());
        m.put("model", r.model());
        m.put("sampling", config.sampling().toMap());
        m.put("latency_ms", r.latencyMillis());
        m.put("tokens_per_s", Math.round(r.tokensPerSecond() * 10) / 10.0);
        m.put("completion_tokens", r.completionTokens());
        m.put("prompt_tokens", r.promptTokens());
        m.put("finish_reason", r.finishReason());
        m.put("attempts", r.attempts());
        m.put("answered_at", Instant.now().toString());
        return m;
    }
}
