package bitnut.synth;

import bitnut.common.DirectJobContext;
import bitnut.common.JobCancelledException;
import bitnut.common.JobKinds;
import bitnut.dataset.DatasetStore;
import bitnut.dataset.Example;
import bitnut.dataset.ExampleFilter;
import bitnut.workspace.Workspace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Question and voice jobs end to end: real SQLite store, real HTTP teacher on loopback. */
class SynthJobsTest {
    @TempDir Path dir;
    TeacherServer server;
    Workspace ws;

    @BeforeEach void start() throws Exception {
        server = new TeacherServer();
        ws = Workspace.create(dir.resolve("ws"));
    }

    @AfterEach void stop() { server.close(); }

    Map<String, Object> teacher(int concurrency) {
        return Teachers.spec(new TeacherSettings(server.baseUrl(), "loopback-teacher", "", concurrency, 5, 4));
    }

    QuestionJobConfig questions(List<String> topics, int perTopic, int perRequest, double nearDup) {
        return new QuestionJobConfig(topics, perTopic, perRequest, nearDup, Sampling.questions(), teacher(2));
    }

    @Test void questionJobStoresDedupedQuestionsWithMetadataAndSurvivesFaults() throws Exception {
        server.faults.add(new TeacherServer.Status(500));
        server.faults.add(new TeacherServer.RateLimit("0"));
        server.faults.add(new TeacherServer.Malformed());
        QuestionJob job = QuestionJob.start(ws, questions(List.of("moon", "bees", "trains"), 2, 5, 0.7), null);
        DirectJobContext ctx = new DirectJobContext();
        String summary = job.run(ctx);
        assertTrue(summary.startsWith("30 new questions from 6 requests"), summary);
        assertEquals(1.0, ctx.fraction(), 1e-9);
        assertEquals("questions/min", ctx.throughputUnit());
        try (DatasetStore store = DatasetStore.open(ws)) {
            List<Example> qs = store.questionsWithoutAnswer(100);
            assertEquals(30, qs.size());
            assertEquals(Set.of("moon", "bees", "trains"), new HashSet<>(qs.stream().map(Example::topic).toList()));
            Map<String, Object> meta = qs.getFirst().metadata();
            assertEquals(job.runId(), meta.get("question_run_id"));
            assertEquals("loopback-teacher", meta.get("question_model"));
            assertNotNull(meta.get("question_sampling"));
        }
        // the same run again: everything is in the ledger, so no request is sent
        int before = server.received.size();
        String again = QuestionJob.resume(ws, job.spec(), null).run(new DirectJobContext());
        assertTrue(again.startsWith("0 new questions from 0 requests"), again);
        assertEquals(before, server.received.size());
    }

    @Test void dropsExactAndNearDuplicatesAcrossRequestsAndRuns() throws Exception {
        server.scriptedReplies.add("""
                Sure! Here are some questions:
                1. What is the best way to train a puppy to sit?
                2. Why do squirrels bury acorns?
                3. WHY do squirrels bury acorns??
                """);
        server.scriptedReplies.add("""
                1. What is the best way to train a puppy to sit down?
                2. Why do squirrels forget where they hide nuts?
                """);
        QuestionJob job = new QuestionJob(ws, "q-dedupe", new QuestionJobConfig(List.of("dogs"), 2, 3, 0.7,
                Sampling.questions(), teacher(1)), null);
        String summary = job.run(new DirectJobContext());
        // kept: puppy/sit, squirrels bury acorns, squirrels forget where they hide nuts (3 of 10 words shared)
        assertTrue(summary.startsWith("3 new questions from 2 requests (1 duplicates, 1 near-duplicates"), summary);
        try (DatasetStore store = DatasetStore.open(ws)) {
            assertEquals(3, store.questionsWithoutAnswer(10).size());
        }
        // a new run sees the stored questions: the same list again is all duplicates
        server.scriptedReplies.add("1. Why do squirrels bury acorns?\n2. What is the best way to train a puppy to sit?");
        String second = QuestionJob.start(ws, new QuestionJobConfig(List.of("dogs"), 1, 2, 0.7, Sampling.questions(), teacher(1)), null)
                .run(new DirectJobContext());
        assertTrue(second.startsWith("0 new questions from 1 requests (2 duplicates"), second);
    }

    @Test void voiceJobAnswersWithPersonaAndStoresMetadataThenResumesAfterCancel() throws Exception {
        QuestionJob.start(ws, questions(List.of("moon", "bees"), 2, 5, 0.7), null).run(new DirectJobContext());
        server.delayMillis = 40;
        VoiceJob first = VoiceJob.start(ws, new VoiceJobConfig(15, null, Sampling.voice(), teacher(3)), null);
        DirectJobContext ctx = new DirectJobContext(line -> { });
        Thread canceller = Thread.ofVirtual().start(() -> {
            while (ctx.logs().stream().filter(l -> l.startsWith("answered id=")).count() < 5) Thread.onSpinWait();
            server.delayMillis = 5_000; // the rest stalls: the cancel lands mid-run however slow the machine
            ctx.cancel();
        });
        assertThrows(JobCancelledException.class, () -> first.run(ctx));
        canceller.join();
        long acknowledged = ctx.logs().stream().filter(l -> l.startsWith("answered id=")).count();
        int requestsBefore = server.received.size();

        server.delayMillis = 0;
        SynthJobs.register();
        var resumed = JobKinds.resumer(VoiceJob.KIND).orElseThrow().apply(ws.root(), first.spec());
        String summary = resumed.run(new DirectJobContext());
        try (DatasetStore store = DatasetStore.open(ws)) {
            long answered = store.count(ExampleFilter.ALL.withHasResponse(true));
            assertEquals(15, answered, "the run's limit counts answers from before the cancel: " + summary);
            assertEquals(5, store.count(ExampleFilter.ALL.withHasResponse(false)));
            List<Example> answeredRows = new java.util.ArrayList<>();
            store.scan(ExampleFilter.ALL.withHasResponse(true), answeredRows::add);
            Example e = answeredRows.getFirst();
            assertTrue(e.response().startsWith("Woof!"));
            Map<String, Object> m = e.metadata();
            assertEquals("openai:loopback-teacher@127.0.0.1:" + server.baseUrl().replaceAll(".*:(\\d+)/v1", "$1"), m.get("teacher"));
            assertEquals("loopback-teacher", m.get("model"));
            assertEquals(0.9, ((Map<?, ?>) m.get("sampling")).get("temperature"));
            assertTrue(((Number) m.get("tokens_per_s")).doubleValue() > 0);
            assertTrue(answeredRows.stream().anyMatch(r -> ((Number) r.metadata().get("latency_ms")).longValue() >= 40),
                    "the answers made before the cancel took the server's 40 ms");
            assertEquals("stop", m.get("finish_reason"));
            assertNotNull(m.get("question_run_id"), "the question's own metadata survives the answer");
        }
        // the persona was the system prompt of every voice request
        var voiceReq = server.received.get(server.received.size() - 1).body().path("messages");
        assertTrue(voiceReq.path(0).path("content").asText().contains("squirrels secretly run the world"));
        // at most the 3 in-flight requests at the cancel were asked twice
        int voiceRequests = server.received.size() - 4; // 4 question requests came first
        assertTrue(voiceRequests <= 15 + 3, "voice requests " + voiceRequests);
        assertTrue(acknowledged >= 5 && requestsBefore >= 4 + acknowledged);
    }

    @Test void anUnreachableTeacherFailsTheJobWithAHint() throws Exception {
        String url;
        try (TeacherServer gone = new TeacherServer()) { url = gone.baseUrl(); }
        var spec = Teachers.spec(new TeacherSettings(url, "m", "", 2, 5, 1));
        QuestionJob job = QuestionJob.start(ws, new QuestionJobConfig(List.of("moon"), 2, 5, 0.7, Sampling.questions(), spec), null);
        TeacherException e = assertThrows(TeacherException.class, () -> job.run(new DirectJobContext()));
        assertTrue(e.getMessage().contains("every request failed (2)") && e.getMessage().contains("connection failed (ConnectException)")
                && e.getMessage().contains("HINT"), e.getMessage());
    }

    @Test void aBadKeyStopsTheJobAtOnceWithAHint() {
        for (int i = 0; i < 5; i++) server.faults.add(new TeacherServer.Status(401));
        QuestionJob job = QuestionJob.start(ws, new QuestionJobConfig(List.of("moon"), 3, 5, 0.7, Sampling.questions(), teacher(1)), null);
        TeacherException e = assertThrows(TeacherException.class, () -> job.run(new DirectJobContext()));
        assertTrue(e.getMessage().contains("HTTP 401"), e.getMessage());
        assertEquals(1, server.received.size());
    }
}
