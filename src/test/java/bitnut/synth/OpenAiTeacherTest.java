package bitnut.synth;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.*;

/** The HTTP teacher against a real loopback server that misbehaves on cue. */
class OpenAiTeacherTest {
    static final String KEY = "sk-test-SECRET-0123456789abcdef";
    TeacherServer server;

    @BeforeEach void start() throws Exception { server = new TeacherServer(); }
    @AfterEach void stop() { server.close(); }

    OpenAiTeacher teacher(int concurrency, int timeoutS, int retries) {
        return new OpenAiTeacher(new TeacherSettings(server.baseUrl(), "tiny-teacher", "BITNUT_TEST_KEY", concurrency, timeoutS, retries),
                KEY, 20);
    }

    static List<ChatMessage> voice(String q) {
        return List.of(ChatMessage.system("You are BitNut."), ChatMessage.user("A person asks:\n" + q + "\n"));
    }

    @Test void answersAndSendsTheRequestTheProtocolWants() throws Exception {
        try (OpenAiTeacher t = teacher(2, 10, 0)) {
            ChatResult r = t.chat(voice("Why is the sky blue?"), new Sampling(0.7, 0.9, 40, 64));
            assertTrue(r.text().startsWith("Woof!"), r.text());
            assertEquals("stop", r.finishReason());
            assertEquals(20, r.promptTokens());
            assertTrue(r.completionTokens() > 5);
            assertEquals(1, r.attempts());
            assertTrue(r.tokensPerSecond() > 0);
        }
        var req = server.received.getFirst();
        assertEquals("Bearer " + KEY, req.authorization());
        assertEquals("tiny-teacher", req.body().path("model").asText());
        assertEquals(0.7, req.body().path("temperature").asDouble());
        assertEquals(0.9, req.body().path("top_p").asDouble());
        assertEquals(40, req.body().path("top_k").asInt());
        assertEquals(64, req.body().path("max_tokens").asInt());
        assertEquals("system", req.body().path("messages").path(0).path("role").asText());
    }

    @Test void retriesThrough500sDroppedConnectionsAndMalformedJson() throws Exception {
        server.faults.add(new TeacherServer.Status(500));
        server.faults.add(new TeacherServer.Drop());
        server.faults.add(new TeacherServer.Malformed());
        server.faults.add(new TeacherServer.Status(503));
        try (OpenAiTeacher t = teacher(1, 10, 5)) {
            ChatResult r = t.chat(voice("Why do dogs wag?"), Sampling.voice());
            assertEquals(5, r.attempts());
            assertTrue(r.text().contains("Why do dogs wag?"));
        }
        assertEquals(5, server.received.size());
    }

    @Test void honoursRetryAfterOn429() throws Exception {
        server.faults.add(new TeacherServer.RateLimit("1"));
        try (OpenAiTeacher t = teacher(1, 10, 3)) {
            long t0 = System.nanoTime();
            ChatResult r = t.chat(voice("Are squirrels in charge?"), Sampling.voice());
            long waitedMs = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(2, r.attempts());
            // the backoff base is 20 ms here, so only Retry-After can explain a wait of ~1 s
            assertTrue(waitedMs >= 950, "waited " + waitedMs + " ms");
        }
        long gapMs = (server.received.get(1).atNanos() - server.received.get(0).atNanos()) / 1_000_000;
        assertTrue(gapMs >= 950, "second request came " + gapMs + " ms after the 429");
    }

    @Test void timesOutASlowServerAndRetries() throws Exception {
        server.faults.add(new TeacherServer.Slow(3_000));
        try (OpenAiTeacher t = teacher(1, 1, 1)) {
            long t0 = System.nanoTime();
            ChatResult r = t.chat(voice("Is it bath time?"), Sampling.voice());
            assertEquals(2, r.attempts());
            assertTrue((System.nanoTime() - t0) / 1_000_000 < 2_900, "the slow attempt was not cut off at its deadline");
        }
    }

    @Test void givesUpWithAClearRedactedErrorOnPersistentMalformedJson() {
        for (int i = 0; i < 3; i++) server.faults.add(new TeacherServer.Malformed());
        try (OpenAiTeacher t = teacher(1, 10, 2)) {
            TeacherException e = assertThrows(TeacherException.class, () -> t.chat(voice("Hi?"), Sampling.voice()));
            assertTrue(e.getMessage().contains("malformed JSON"), e.getMessage());
            assertTrue(e.getMessage().contains("after 3 attempts"), e.getMessage());
            assertFalse(e.getMessage().contains(KEY));
        }
    }

    @Test void clientErrorsFailAtOnceWithAHint() {
        server.faults.add(new TeacherServer.Status(401));
        try (OpenAiTeacher t = teacher(1, 10, 5)) {
            TeacherException e = assertThrows(TeacherException.class, () -> t.chat(voice("Hi?"), Sampling.voice()));
            assertFalse(e.retryable());
            assertTrue(e.getMessage().contains("HTTP 401") && e.getMessage().contains("BITNUT_TEST_KEY"), e.getMessage());
            assertFalse(e.getMessage().contains(KEY));
        }
        assertEquals(1, server.received.size());
    }

    @Test void keepsAtMostConcurrencyRequestsInFlight() throws Exception {
        server.delayMillis = 150;
        try (OpenAiTeacher t = teacher(3, 10, 0); ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<ChatResult>> fs = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                String q = "Question " + i + "?";
                fs.add(pool.submit(() -> t.chat(voice(q), Sampling.voice())));
            }
            for (Future<ChatResult> f : fs) assertNotNull(f.get());
        }
        assertEquals(3, server.maxInFlight.get());
    }

    @Test void backoffDoublesWithJitterAndACap() {
        try (OpenAiTeacher t = teacher(1, 10, 0)) { // base 20 ms
            for (int i = 0; i < 200; i++) {
                long b0 = t.backoffMillis(0), b3 = t.backoffMillis(3), b30 = t.backoffMillis(30);
                assertTrue(b0 >= 10 && b0 <= 20, "retry 0: " + b0);
                assertTrue(b3 >= 80 && b3 <= 160, "retry 3: " + b3);
                assertTrue(b30 >= OpenAiTeacher.BACKOFF_CAP_MILLIS / 2 && b30 <= OpenAiTeacher.BACKOFF_CAP_MILLIS, "retry 30: " + b30);
            }
        }
    }

    @Test void redactsKeysAndBearerTokens() {
        String s = ApiKeys.redact("Authorization: Bearer abcdef123456 and " + KEY + " and sk-otherkey12345678", KEY);
        assertFalse(s.contains("abcdef123456"));
        assertFalse(s.contains(KEY));
        assertFalse(s.contains("sk-otherkey12345678"));
        assertEquals("from-env", ApiKeys.resolve("SOME_VAR", n -> n.equals("SOME_VAR") ? " from-env " : null));
    }

    @Test void settingsRejectAKeyInPlaceOfAVariableName() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new TeacherSettings("http://127.0.0.1:1/v1", "m", "sk-abc-123456789012", 1, 1, 0));
        assertFalse(e.getMessage().contains("sk-abc-123456789012"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TeacherSettings("ftp://x/v1", "m", "", 1, 1, 0).endpoint());
    }
}
