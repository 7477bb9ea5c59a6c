package bitnut.cli;

import bitnut.common.Job;
import bitnut.common.JobContext;
import bitnut.common.JobExecutor;
import bitnut.common.JobHistory;
import bitnut.common.JobState;
import bitnut.common.Lane;
import bitnut.workspace.Workspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The CLI side of jobs: exit codes, result on stdout, errors and progress on stderr, history. */
class CliJobRunnerTest {
    static Job job(String title, boolean fail) {
        return new Job() {
            public String kind() { return "test.cli"; }
            public String title() { return title; }
            public Lane lane() { return Lane.CPU; }
            public String run(JobContext ctx) throws Exception {
                for (int i = 1; i <= 5; i++) {
                    ctx.checkpoint();
                    ctx.progress(i / 5.0, "phase " + i);
                    ctx.log("did " + i);
                    Thread.sleep(5);
                }
                if (fail) throw new IllegalArgumentException("input.txt:3: unterminated quote");
                return "5 things done";
            }
        };
    }

    @Test
    void successPrintsTheResultOnStdoutAndRecordsTheJob(@TempDir Path tmp) throws Exception {
        Workspace ws = Workspace.create(tmp);
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code;
        try (JobExecutor ex = new JobExecutor(ws.root())) {
            code = CliJobRunner.follow(ex, ex.submit(job("ok", false)), ps(err), ps(out));
        }
        assertEquals(CliJobRunner.OK, code);
        assertEquals("5 things done", out.toString(StandardCharsets.UTF_8).trim());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("did 5"), "log lines go to stderr");
        var history = new JobHistory(ws.tasksDir()).load();
        assertEquals(JobState.SUCCEEDED, history.getFirst().state());
        String listing = ProcessDeathTest.runCli("--workspace", tmp.toString(), "tasks");
        assertTrue(listing.contains("succeeded") && listing.contains("ok: 5 things done"), listing);
    }

    @Test
    void failurePrintsTheMessageAndWhereTheLogIs(@TempDir Path tmp) throws Exception {
        Workspace ws = Workspace.create(tmp);
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code;
        try (JobExecutor ex = new JobExecutor(ws.root())) {
            code = CliJobRunner.follow(ex, ex.submit(job("bad", true)), ps(err), ps(out));
        }
        assertEquals(CliJobRunner.FAILED, code);
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e.contains("error: input.txt:3: unterminated quote"), e);
        assertTrue(e.contains("log: " + ws.tasksDir()), e);
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theProgressLineShowsBarPercentPhaseThroughputAndEta() throws Exception {
        try (JobExecutor ex = new JobExecutor()) {
            var h = ex.submit(job("x", false));
            h.await(5, java.util.concurrent.TimeUnit.SECONDS);
            String line = CliJobRunner.ProgressLine.render(h, 65_000);
            assertTrue(line.startsWith("[########################] 100.0%"), line);
            assertTrue(line.contains("| phase 5"), line);
            assertTrue(line.contains("| ETA ?"), "no ETA once finished: " + line);
            assertTrue(line.endsWith("| 1m 05s"), line);
        }
    }

    static PrintStream ps(ByteArrayOutputStream b) { return new PrintStream(b, true, StandardCharsets.UTF_8); }
}
