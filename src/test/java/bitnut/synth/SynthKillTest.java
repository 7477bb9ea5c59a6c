package bitnut.synth;

import bitnut.dataset.DatasetStore;
import bitnut.dataset.ExampleFilter;
import bitnut.workspace.Workspace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The real CLI in a child JVM, generating against the loopback teacher, is killed with SIGKILL in
 * the middle of a run; every row it acknowledged (printed after commit) must be in the store, and
 * {@code bitnut synth resume} must finish the run redoing at most the requests in flight.
 */
class SynthKillTest {
    static final Pattern RUN = Pattern.compile("^run ([A-Za-z0-9-]+) ");
    static final Pattern QUESTIONS = Pattern.compile("^t\\d #\\d+: (\\d+) parsed, (\\d+) new");
    static final Pattern ANSWERED = Pattern.compile("^answered id=(\\d+)");
    static final int CONCURRENCY = 2;

    @TempDir Path dir;
    TeacherServer server;
    Path wsDir;

    @BeforeEach void start() throws Exception {
        server = new TeacherServer();
        server.delayMillis = 120;
        wsDir = dir.resolve("ws");
        Workspace.create(wsDir);
    }

    @AfterEach void stop() { server.close(); }

    /** A running child CLI whose stderr lines are collected as they come. */
    final class Child {
        final Process process;
        final List<String> lines = new CopyOnWriteArrayList<>();
        final Thread reader;

        Child(String... args) throws Exception {
            List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx192m",
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), "bitnut.Main",
                    "--workspace", wsDir.toString()));
            cmd.addAll(List.of(args));
            process = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            reader = Thread.ofVirtual().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                    for (String l; (l = r.readLine()) != null; ) lines.add(l);
                } catch (Exception ignored) { }
            });
        }

        long count(Pattern p) { return lines.stream().filter(p.asPredicate()).count(); }

        void awaitLines(Predicate<Child> enough) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!enough.test(this)) {
                assertTrue(process.isAlive(), "child exited early: " + lines);
                assertTrue(System.nanoTime() < deadline, "child too slow: " + lines);
                Thread.sleep(20);
            }
        }

        /** SIGKILL: no shutdown hook, no cleanup, no flush. */
        void kill() throws Exception {
            new ProcessBuilder("kill", "-KILL", Long.toString(process.pid())).inheritIO().start().waitFor();
            assertTrue(process.waitFor(20, TimeUnit.SECONDS));
            assertEquals(137, process.exitValue());
            reader.join(5_000);
        }

        int finish() throws Exception {
            assertTrue(process.waitFor(90, TimeUnit.SECONDS), "child did not finish: " + lines);
            reader.join(5_000);
            return process.exitValue();
        }

        String runId() {
            for (String l : lines) {
                Matcher m = RUN.matcher(l);
                if (m.find()) return m.group(1);
            }
            throw new AssertionError("no run id in " + lines);
        }
    }

    String[] teacherArgs() {
        return new String[] {"--base-url", server.baseUrl(), "--model", "loopback-teacher", "--key-env", "",
                "--concurrency", Integer.toString(CONCURRENCY), "--retries", "2", "--timeout", "10"};
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test void killedQuestionAndVoiceRunsLoseNoAcknowledgedRowAndResume() throws Exception {
        // ---- questions: 3 topics x 5 requests x 4 questions, killed after 4 acknowledged requests
        Child q = new Child(concat(new String[] {"synth", "questions", "--topic", "t1", "--topic", "t2", "--topic", "t3",
                "--per-topic", "5", "--questions-per-request", "4"}, teacherArgs()));
        q.awaitLines(c -> c.count(QUESTIONS) >= 4);
        server.delayMillis = 10_000; // stall what is left, so the kill lands mid-run however slow the machine
        q.kill();
        server.delayMillis = 20;
        long ackQuestions = q.lines.stream().map(QUESTIONS::matcher).filter(Matcher::find)
                .mapToLong(m -> Long.parseLong(m.group(2))).sum();
        try (DatasetStore store = DatasetStore.open(DatasetStore.path(Workspace.open(wsDir)))) {
            assertTrue(store.count(ExampleFilter.ALL) >= ackQuestions, "acknowledged questions lost");
        }
        Child qr = new Child("synth", "resume", q.runId());
        assertEquals(0, qr.finish(), String.join("\n", qr.lines));
        int questionRequests = server.received.size();
        assertTrue(questionRequests <= 15 + CONCURRENCY, "requests " + questionRequests + ": more than the in-flight ones were redone");
        try (DatasetStore store = DatasetStore.open(DatasetStore.path(Workspace.open(wsDir)))) {
            assertEquals(60, store.count(ExampleFilter.ALL), "every request's questions stored once");
        }

        // ---- voice: all 60 questions, killed after 6 acknowledged answers
        Child v = new Child(concat(new String[] {"synth", "voice"}, teacherArgs()));
        server.delayMillis = 120;
        v.awaitLines(c -> c.count(ANSWERED) >= 6);
        server.delayMillis = 10_000;
        v.kill();
        server.delayMillis = 20;
        List<Long> acked = v.lines.stream().map(ANSWERED::matcher).filter(Matcher::find).map(m -> Long.parseLong(m.group(1))).toList();
        try (DatasetStore store = DatasetStore.open(DatasetStore.path(Workspace.open(wsDir)))) {
            for (long id : acked) assertNotNull(store.get(id).orElseThrow().response(), "acknowledged answer " + id + " lost");
        }
        Child vr = new Child("synth", "resume", v.runId());
        assertEquals(0, vr.finish(), String.join("\n", vr.lines));
        int voiceRequests = server.received.size() - questionRequests;
        assertTrue(voiceRequests <= 60 + CONCURRENCY, "voice requests " + voiceRequests);
        try (DatasetStore store = DatasetStore.open(DatasetStore.path(Workspace.open(wsDir)))) {
            assertEquals(60, store.count(ExampleFilter.ALL.withHasResponse(true)));
            assertEquals(0, store.count(ExampleFilter.ALL.withHasResponse(false)));
        }
    }
}
