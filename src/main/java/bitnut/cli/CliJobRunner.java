package bitnut.cli;

import bitnut.common.DirectJobContext;
import bitnut.common.Job;
import bitnut.common.JobCancelledException;

/**
 * Runs a job in the terminal: progress on stderr, Ctrl-C = cancel with cleanup.
 * (Minimal first version; the foundation work adds the progress bar, ETA and job history.)
 */
public final class CliJobRunner {
    private CliJobRunner() { }

    /** Runs the job on this thread; returns a process exit code (0 ok, 1 failed, 130 cancelled). */
    public static int run(Job job) {
        DirectJobContext ctx = new DirectJobContext(line -> System.err.println(line));
        Thread hook = new Thread(ctx::cancel, "ctrl-c-cancel");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            String summary = job.run(ctx);
            System.out.println(summary);
            return 0;
        } catch (JobCancelledException e) {
            System.err.println("cancelled");
            return 130;
        } catch (Exception e) {
            System.err.println("error: " + e.getMessage());
            return 1;
        } finally {
            try { Runtime.getRuntime().removeShutdownHook(hook); } catch (IllegalStateException ignored) { }
        }
    }
}
