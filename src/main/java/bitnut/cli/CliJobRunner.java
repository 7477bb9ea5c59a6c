package bitnut.cli;

import bitnut.common.EtaEstimator;
import bitnut.common.Job;
import bitnut.common.JobExecutor;
import bitnut.common.JobHandle;
import bitnut.common.JobListener;
import bitnut.common.JobState;
import bitnut.workspace.Workspace;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Runs a job from a CLI command, through the same {@link JobExecutor} the workbench uses: a
 * progress bar with an honest ETA on stderr (redrawn in place on a terminal, one line every
 * {@value #PLAIN_EVERY_MS} ms when redirected), log lines above it, Ctrl-C = cancel with cleanup
 * (the job's finally blocks run before the process exits), and the job recorded in the workspace
 * history ({@code bitnut tasks} lists it). The result summary goes to stdout.
 */
public final class CliJobRunner {
    /** Exit codes: 0 ok, 1 failed, 130 cancelled (the shell's code for Ctrl-C). */
    public static final int OK = 0, FAILED = 1, CANCELLED = 130;
    static final long PLAIN_EVERY_MS = 10_000;
    private static final long CLEANUP_WAIT_MS = 60_000;

    private CliJobRunner() { }

    /** Runs the job, recording it in the workspace the current command opened (if any). */
    public static int run(Job job) { return run(job, BitnutCommand.openedWorkspace()); }

    /** Runs the job, recording it in {@code workspace}'s history (null: no history). */
    public static int run(Job job, Workspace workspace) {
        try (JobExecutor ex = workspace == null ? new JobExecutor() : new JobExecutor(workspace.root())) {
            return follow(ex, ex.submit(job), System.err, System.out);
        }
    }

    /** Continues an interrupted job of {@code workspace} (see {@code bitnut tasks resume}). */
    static int resume(Workspace workspace, String id) {
        try (JobExecutor ex = new JobExecutor(workspace.root())) {
            JobHandle old = ex.find(id).orElse(null);
            if (old == null) {
                System.err.println("error: no job " + id + " in " + workspace.tasksDir() + ". HINT: bitnut tasks lists them.");
                return FAILED;
            }
            JobHandle h;
            try {
                h = ex.resume(old);
            } catch (RuntimeException e) {
                System.err.println("error: " + e.getMessage());
                return FAILED;
            }
            System.err.println("resuming " + old.id() + " as " + h.id());
            return follow(ex, h, System.err, System.out);
        }
    }

    /** Waits for the job while drawing progress; Ctrl-C cancels it and waits for its cleanup. */
    static int follow(JobExecutor ex, JobHandle h, PrintStream err, PrintStream out) {
        boolean tty = System.console() != null && System.console().isTerminal();
        ProgressLine line = new ProgressLine(err, tty);
        h.addListener(new JobListener() {
            @Override public void log(JobHandle job, String text) { line.log(text); }
        });
        Thread hook = new Thread(() -> {
            if (h.state().finished()) return;
            line.log("cancelling (Ctrl-C): waiting for the job to clean up…");
            h.cancel();
            try {
                h.await(CLEANUP_WAIT_MS, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                err.println("bitnut: cleanup did not finish in " + CLEANUP_WAIT_MS / 1000 + " s");
            }
            line.finish();
            err.println("cancelled; recorded as job " + h.id());
            err.flush();
        }, "ctrl-c-cancel");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            while (!h.state().finished()) {
                line.draw(h);
                try {
                    h.completion().get(tty ? 200 : 1000, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException ignored) {
                    // redraw
                } catch (Exception e) {
                    break;
                }
            }
            line.finish();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C arrived: the hook reports; its exit status is the shell's 130
                return CANCELLED;
            }
            return switch (h.state()) {
                case SUCCEEDED -> {
                    if (h.result() != null) out.println(h.result());
                    yield OK;
                }
                case CANCELLED -> {
                    err.println("cancelled");
                    yield CANCELLED;
                }
                default -> {
                    err.println("error: " + h.error());
                    ex.history().ifPresent(hist -> err.println("log: " + hist.jobDir(h.id()).resolve("log.txt")));
                    yield FAILED;
                }
            };
        } finally {
            err.flush();
        }
    }

    /** The progress bar: "[######......]  42.0% | phase | 12.3 MB/s | ETA 3m 07s | 0m 12s". */
    static final class ProgressLine {
        private final PrintStream err;
        private final boolean tty;
        private final int width;
        private final long start = System.currentTimeMillis();
        private long lastPlain;
        private String lastPhase = "";
        private boolean drawn;

        ProgressLine(PrintStream err, boolean tty) {
            this.err = err;
            this.tty = tty;
            int cols = 100;
            try { cols = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "100")); } catch (NumberFormatException ignored) { }
            this.width = Math.max(40, cols - 1);
        }

        synchronized void draw(JobHandle h) {
            String text = render(h, System.currentTimeMillis() - start);
            if (tty) {
                err.print("\r" + pad(text) + "\r");
                drawn = true;
            } else {
                long now = System.currentTimeMillis();
                if (h.state() == JobState.QUEUED) return;
                if (now - lastPlain >= PLAIN_EVERY_MS || !h.phase().equals(lastPhase)) {
                    err.println(text);
                    lastPlain = now;
                    lastPhase = h.phase();
                }
            }
            err.flush();
        }

        synchronized void log(String text) {
            if (tty && drawn) err.print("\r" + " ".repeat(width) + "\r");
            err.println(text);
            drawn = false;
        }

        synchronized void finish() {
            if (tty && drawn) err.print("\r" + " ".repeat(width) + "\r");
            drawn = false;
            err.flush();
        }

        private String pad(String s) {
            return s.length() >= width ? s.substring(0, width) : s + " ".repeat(width - s.length());
        }

        static String render(JobHandle h, long elapsedMs) {
            StringBuilder b = new StringBuilder();
            double f = h.fraction();
            int cells = 24;
            if (f >= 0) {
                int full = (int) Math.round(Math.min(1, f) * cells);
                b.append('[').append("#".repeat(full)).append(".".repeat(cells - full)).append(']')
                        .append(String.format(Locale.ROOT, " %5.1f%%", Math.min(1, f) * 100));
            } else {
                b.append('[').append(" ".repeat(cells)).append("]   ?  ");
            }
            if (h.state() == JobState.PAUSED) b.append(" | paused");
            if (!h.phase().isEmpty()) b.append(" | ").append(h.phase());
            if (h.throughput() > 0) b.append(String.format(Locale.ROOT, " | %.3g %s", h.throughput(), h.throughputUnit()));
            b.append(" | ETA ").append(EtaEstimator.format(h.etaSeconds()));
            b.append(" | ").append(EtaEstimator.format(elapsedMs / 1000.0));
            return b.toString();
        }
    }
}
