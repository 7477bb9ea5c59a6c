package bitnut.cli;

import bitnut.common.JobExecutor;
import bitnut.common.JobHandle;
import bitnut.common.JobHistory;
import bitnut.common.JobRecord;
import bitnut.common.JobState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Real child JVMs: one killed with SIGKILL while its job runs (the job must show as INTERRUPTED and
 * be resumable from its durable state), one sent SIGINT while a CLI job runs (Ctrl-C = cancel with
 * cleanup, recorded as CANCELLED, exit code 130).
 */
class ProcessDeathTest {

    static Process child(String mode, Path ws, Path dir) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-Xmx96m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                ChildJobMain.class.getName(), mode, ws.toString(), dir.toString())
                .redirectError(ProcessBuilder.Redirect.PIPE).start();
    }

    @Test
    void aKilledProcessLeavesItsJobInterruptedAndResumeContinuesIt(@TempDir Path tmp) throws Exception {
        Path ws = tmp.resolve("ws");
        Path dir = Files.createDirectories(tmp.resolve("job"));
        Process p = child("executor", ws, dir);
        String id;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            assertNotNull(line, "child printed nothing");
            assertTrue(line.startsWith("RUNNING "), line);
            id = line.substring("RUNNING ".length()).trim();
            p.destroyForcibly(); // SIGKILL: no shutdown hooks, no finally blocks
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        }
        assertEquals(137, p.exitValue());
        int savedStep = Integer.parseInt(Files.readString(dir.resolve("counter")).trim());
        assertTrue(savedStep > 0);

        CountingJob.register();
        try (JobExecutor ex = new JobExecutor(ws)) {
            JobHandle old = ex.find(id).orElseThrow();
            assertEquals(JobState.INTERRUPTED, old.state());
            assertTrue(old.error().contains("process running it ended"), old.error());
            assertTrue(old.fraction() > 0, "last persisted progress kept");
            assertTrue(old.resumable());
            // a shorter target so the resumed run finishes quickly: same durable counter
            JobRecord rec = new JobHistory(ws.resolve("tasks")).find(id).orElseThrow();
            assertEquals(dir.toString(), rec.spec().get("dir"));
            Files.writeString(dir.resolve("counter"), "99990");
            JobHandle next = ex.resume(old);
            assertEquals(JobState.SUCCEEDED, next.await(30, TimeUnit.SECONDS));
            assertEquals("counted to 100000", next.result());
            assertEquals("continuing from step 99990", next.logTail().getFirst());
            assertEquals(id, next.resumedFrom());
            assertFalse(old.resumable(), "resumed once");
        }
        try (JobExecutor again = new JobExecutor(ws)) {
            JobHandle old = again.find(id).orElseThrow();
            assertEquals(JobState.INTERRUPTED, old.state());
            assertNotNull(old.resumedBy(), "the link to the continuing job is persisted");
            assertEquals(JobState.SUCCEEDED, again.find(old.resumedBy()).orElseThrow().state());
        }
        String listing = runCli("--workspace", ws.toString(), "tasks");
        assertTrue(listing.contains(id) && listing.contains("interrupted") && listing.contains("resumed as"), listing);
    }

    @Test
    void ctrlCInACliJobCancelsWithCleanupAndRecordsIt(@TempDir Path tmp) throws Exception {
        Path ws = tmp.resolve("ws");
        Path dir = Files.createDirectories(tmp.resolve("job"));
        Process p = child("cli", ws, dir);
        long end = System.currentTimeMillis() + 60_000;
        while (!Files.isRegularFile(dir.resolve("counter"))) {
            assertTrue(p.isAlive(), "child died");
            assertTrue(System.currentTimeMillis() < end, "job never started");
            Thread.sleep(20);
        }
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start();
        assertEquals(0, kill.waitFor());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(130, p.exitValue(), err);
        assertTrue(Files.isRegularFile(dir.resolve("cleaned-up")), "the job's finally block ran before exit");
        assertTrue(err.contains("cancelling (Ctrl-C)"), err);
        List<JobRecord> history = new JobHistory(ws.resolve("tasks")).load();
        assertEquals(1, history.size());
        assertEquals(JobState.CANCELLED, history.getFirst().state());
        assertTrue(err.contains("recorded as job " + history.getFirst().id()), err);
        List<String> log = new JobHistory(ws.resolve("tasks")).readLog(history.getFirst().id(), 0);
        assertTrue(log.contains("cancelled"), log.toString());
    }

    static String runCli(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, BitnutCommand.commandLine().execute(args));
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
