package bitnut.cli;

import bitnut.common.JobHistory;
import bitnut.common.JobRecord;
import bitnut.workspace.Workspace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code bitnut tasks}: the workspace's job history (what the workbench's Tasks view shows), one job
 * per line, newest last; {@code tasks show ID} prints one job with its log; {@code tasks resume ID}
 * continues an interrupted job whose kind can resume.
 */
@Command(name = "tasks", mixinStandardHelpOptions = true,
        description = "List the workspace's job history (tasks/); show or resume one job.",
        subcommands = {TasksCommand.Show.class, TasksCommand.Resume.class})
public final class TasksCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    @ParentCommand BitnutCommand root;

    @Option(names = {"-n", "--last"}, paramLabel = "N", description = "Show only the last N jobs (default: all).")
    int last;

    @Override public Integer call() {
        Workspace ws = root.workspace();
        JobHistory history = new JobHistory(ws.tasksDir());
        List<JobRecord> records = history.load();
        for (String p : history.problems()) System.err.println("warning: " + p);
        if (records.isEmpty()) {
            System.out.println("No jobs in " + ws.tasksDir());
            return 0;
        }
        if (last > 0 && records.size() > last) records = records.subList(records.size() - last, records.size());
        System.out.printf("%-44s %-12s %-19s %9s  %s%n", "ID", "STATE", "SUBMITTED", "DURATION", "TITLE: RESULT");
        for (JobRecord r : records) System.out.println(line(r));
        return 0;
    }

    static String line(JobRecord r) {
        String outcome = switch (r.state()) {
            case SUCCEEDED -> r.result() == null ? "" : ": " + r.result();
            case FAILED -> ": " + r.error();
            case INTERRUPTED -> ": " + r.error() + (r.resumedBy() != null ? " (resumed as " + r.resumedBy() + ")"
                    : bitnut.common.JobKinds.resumer(r.kind()).isPresent() ? " (resumable: bitnut tasks resume " + r.id() + ")" : "");
            case RUNNING, PAUSED -> String.format(" (%.0f%% %s)", Math.max(0, r.fraction()) * 100, r.phase());
            default -> "";
        };
        return String.format("%-44s %-12s %-19s %9s  %s%s", r.id(), r.state().name().toLowerCase(),
                TIME.format(Instant.ofEpochMilli(r.submittedAt())), duration(r), r.title(), outcome);
    }

    static String duration(JobRecord r) {
        if (r.startedAt() == 0) return "-";
        long end = r.finishedAt() > 0 ? r.finishedAt() : System.currentTimeMillis();
        Duration d = Duration.ofMillis(Math.max(0, end - r.startedAt()));
        if (d.toHours() > 0) return String.format("%dh%02dm", d.toHours(), d.toMinutesPart());
        if (d.toMinutes() > 0) return String.format("%dm%02ds", d.toMinutes(), d.toSecondsPart());
        return String.format("%.1fs", d.toMillis() / 1000.0);
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Print one job's record and log.")
    static final class Show implements Callable<Integer> {
        @ParentCommand TasksCommand parent;
        @Parameters(paramLabel = "ID", description = "Job id (as listed by bitnut tasks).") String id;
        @Option(names = "--lines", paramLabel = "N", description = "Log lines to print from the end (default 200; 0 = all).")
        int lines = 200;

        @Override public Integer call() throws Exception {
            Workspace ws = parent.root.workspace();
            JobHistory history = new JobHistory(ws.tasksDir());
            history.load(); // marks a dead owner's job INTERRUPTED before we print it
            JobRecord r = history.find(id).orElse(null);
            if (r == null) {
                System.err.println("error: no job " + id + " in " + ws.tasksDir() + ". HINT: bitnut tasks lists them.");
                return 1;
            }
            System.out.println(line(r));
            System.out.println("kind " + r.kind() + " | lane " + r.lane().name().toLowerCase() + " | spec " + bitnut.common.Json.MAPPER.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsString(r.spec()));
            System.out.println("--- log (" + history.jobDir(id).resolve(JobHistory.LOG) + ")");
            for (String l : history.readLog(id, lines)) System.out.println(l);
            return 0;
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = "Continue an interrupted job whose kind can resume (runs it here, with a progress bar).")
    static final class Resume implements Callable<Integer> {
        @ParentCommand TasksCommand parent;
        @Parameters(paramLabel = "ID", description = "Id of the interrupted job.") String id;

        @Override public Integer call() { return CliJobRunner.resume(parent.root.workspace(), id); }
    }
}
