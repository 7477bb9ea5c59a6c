package bitnut.cli;

import bitnut.common.JobExecutor;
import bitnut.common.JobHandle;
import bitnut.common.JobState;
import bitnut.workspace.Workspace;

import java.nio.file.Path;

/**
 * A child process for the process-death tests: {@code executor WS DIR} submits a CountingJob to a
 * JobExecutor on workspace WS and prints "RUNNING <id>" once it runs (then waits to be killed);
 * {@code cli WS DIR} runs it through CliJobRunner as a CLI command would (and exits with its code).
 */
public final class ChildJobMain {
    public static void main(String[] args) throws Exception {
        Workspace ws = Workspace.create(Path.of(args[1]));
        CountingJob job = new CountingJob(Path.of(args[2]), 100_000, 20);
        if (args[0].equals("cli")) {
            System.exit(CliJobRunner.run(job, ws));
        }
        JobExecutor ex = new JobExecutor(ws.root());
        JobHandle h = ex.submit(job);
        while (h.state() != JobState.RUNNING || h.fraction() <= 0) Thread.sleep(10);
        Thread.sleep(1500); // let the history flusher persist progress at least once
        System.out.println("RUNNING " + h.id());
        System.out.flush();
        Thread.sleep(600_000);
    }
}
