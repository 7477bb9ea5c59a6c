package bitnut.synth;

import bitnut.common.Job;
import bitnut.common.JobContext;
import bitnut.common.Lane;
import bitnut.dataset.DatasetStore;
import bitnut.dataset.NewQuestion;
import bitnut.workspace.Workspace;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import bitnut.common.Json;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Synth stage, step 1: ask the teacher for questions, topic by topic. For every topic it sends
 * {@code requestsPerTopic} requests (request r uses question style r), parses the reply
 * ({@link QuestionParser}), drops exact and near duplicates of everything in the dataset
 * ({@link QuestionDeduper}) and stores the rest as unanswered questions with their generation
 * metadata. Follows the original BitNut recipe (N questions per request, keep questions, global
 * exact dedupe) and adds near-duplicate removal and item-wise parsing.
 *
 * <p>Resume: a unit of work is one (topic, request). Its questions are committed to the store,
 * then the unit is appended to the run's {@link RunLedger}. Resume skips ledgered units, so at
 * most the requests in flight at the kill are asked again.
 */
public final class QuestionJob implements Job {
    public static final String KIND = "synth.questions";

    private final Workspace workspace;
    private final String runId;
    private final QuestionJobConfig config;
    private final DatasetStore sharedStore;

    private record Unit(String topic, int request) { }

    /**
     * @param sharedStore the app's open store, or null to open (and close) the workspace's own;
     *                    one writer per file keeps edits fast (shared/notes/data.md)
     */
    public QuestionJob(Workspace workspace, String runId, QuestionJobConfig config, DatasetStore sharedStore) {
        this.workspace = workspace;
        this.runId = runId;
        this.config = config;
        this.sharedStore = sharedStore;
    }

    /** A new run over the given config (its topic list resolved now, so a resume covers the same topics). */
    public static QuestionJob start(Workspace ws, QuestionJobConfig config, DatasetStore sharedStore) {
        return new QuestionJob(ws, RunLedger.newRunId("q"), config, sharedStore);
    }

    /** Rebuilds the job of a saved spec: continues the same run. */
    public static QuestionJob resume(Workspace ws, Map<String, Object> spec, DatasetStore sharedStore) {
        return new QuestionJob(ws, (String) spec.get("run_id"), QuestionJobConfig.fromMap(spec), sharedStore);
    }

    public String runId() { return runId; }

    @Override public String kind() { return KIND; }

    @Override public String title() {
        return "Prompts / Voice: questions, " + config.topics().size() + " topics x " + config.requestsPerTopic() + " requests (" + runId + ")";
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
        Set<Unit> done = new HashSet<>();
        for (JsonNode e : RunLedger.entries(synthDir, runId)) done.add(new Unit(e.path("topic").asText(), e.path("request").asInt()));
        Deque<Unit> pending = new ArrayDeque<>();
        for (String t : config.topics()) {
            for (int r = 0; r < config.requestsPerTopic(); r++) if (!done.contains(new Unit(t, r))) pending.add(new Unit(t, r));
        }
        int total = config.topics().size() * config.requestsPerTopic();
        int finished = total - pending.size();
        if (finished > 0) ctx.log("resuming run " + runId + ": " + finished + " of " + total + " requests already done");

        DatasetStore store = sharedStore != null ? sharedStore : DatasetStore.open(workspace);
        try (RunLedger ledger = RunLedger.open(synthDir, runId, spec());
             Teacher teacher = Teachers.fromSpec(config.teacher());
             RequestPump<Unit> pump = new RequestPump<>(teacher)) {
            ctx.progress(total == 0 ? 1 : (double) finished / total, "loading question keys");
            QuestionDeduper dedupe = new QuestionDeduper(config.nearDuplicateThreshold());
            for (String key : store.allQuestionKeys()) dedupe.addExisting(key);
            ctx.log("teacher " + teacher.describe() + ", " + dedupe.size() + " questions already in the dataset, "
                    + pump.capacity() + " requests in flight");

            long t0 = System.nanoTime();
            int added = 0, exact = 0, near = 0, doneNow = 0;
            TeacherFailures failures = new TeacherFailures();
            while (!pending.isEmpty() || pump.inFlight() > 0) {
                while (pump.hasRoom() && !pending.isEmpty()) {
                    Unit u = pending.poll();
                    pump.submit(u, List.of(inputs.questionRequest(u.topic(), config.questionsPerRequest(), u.request())), config.sampling());
                }
                RequestPump.Done<Unit> d = pump.next(ctx);
                Unit u = d.work();
                if (d.error() != null) {
                    ctx.log("FAILED " + u.topic() + " #" + u.request() + ": " + d.error().getMessage());
                    failures.failed(d.error(), 1);
                    continue;
                }
                failures.succeeded();
                ChatResult r = d.results().getFirst();
                List<String> parsed = QuestionParser.parse(r.text());
                List<NewQuestion> fresh = new ArrayList<>();
                int unitExact = 0, unitNear = 0;
                for (String q : parsed) {
                    QuestionDeduper.Verdict v = dedupe.check(q);
                    switch (v.kind()) {
                        case EXACT -> unitExact++;
                        case NEAR -> unitNear++;
                        case NEW -> {
                            dedupe.accept(v);
                            fresh.add(new NewQuestion(u.topic(), q, v.key(), metadata(teacher, r, u)));
                        }
                    }
                }
                int stored = fresh.isEmpty() ? 0 : store.addQuestions(fresh).get().size(); // committed: on disk now
                ledger.append(ledgerEntry(u, r, parsed.size(), stored, unitExact, unitNear));
                added += stored;
                exact += unitExact;
                near += unitNear;
                finished++;
                doneNow++;
                double secs = Math.max(1e-3, (System.nanoTime() - t0) / 1e9);
                ctx.log(String.format("%s #%d: %d parsed, %d new, %d duplicate, %d near-duplicate (%.1f s)",
                        u.topic(), u.request(), parsed.size(), stored, unitExact, unitNear, r.latencyMillis() / 1000.0));
                ctx.progress((double) finished / total, u.topic() + " (" + finished + "/" + total + " requests)");
                ctx.throughput(added * 60.0 / secs, "questions/min");
                ctx.metric("questions_added", secs, added);
                ctx.metric("requests_per_s", secs, doneNow / secs);
            }
            String summary = String.format("%d new questions from %d requests (%d duplicates, %d near-duplicates, %d failed requests) in run %s",
                    added, doneNow, exact, near, failures.total(), runId);
            failures.requireSomeSuccess(doneNow, runId);
            if (failures.total() > 0) summary += "; resume the run to retry the failed requests";
            return summary;
        } finally {
            if (sharedStore == null) store.close();
        }
    }

    /**
     * Question-side metadata, prefixed "question_" because the voice job later merges its own
     * teacher/model/sampling keys into the same row and must not erase how the question was made.
     */
    private Map<String, Object> metadata(Teacher teacher, ChatResult r, Unit u) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("question_job", KIND);
        m.put("question_run_id", runId);
        m.put("question_teacher", teacher.describe());
        m.put("question_model", r.model());
        m.put("question_sampling", config.sampling().toMap());
        m.put("question_request", u.request());
        m.put("question_latency_ms", r.latencyMillis());
        m.put("question_finish_reason", r.finishReason());
        m.put("question_generated_at", Instant.now().toString());
        return m;
    }

    private static ObjectNode ledgerEntry(Unit u, ChatResult r, int parsed, int added, int exact, int near) {
        ObjectNode e = Json.MAPPER.createObjectNode();
        e.put("topic", u.topic()).put("request", u.request()).put("parsed", parsed).put("added", added)
                .put("duplicates", exact).put("near_duplicates", near).put("latency_ms", r.latencyMillis())
                .put("attempts", r.attempts());
        return e;
    }
}
