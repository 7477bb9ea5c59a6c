package bitnut.common;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The persisted job history of one workspace: one folder per job under {@code tasks/}, holding
 * {@code job.json} (a {@link JobRecord}, replaced atomically on every state change) and
 * {@code log.txt} (append-only, one line per {@link JobContext#log} call).
 *
 * <p>Loading the history is where crashes are noticed: a record still QUEUED, RUNNING or PAUSED
 * whose process is gone is rewritten as INTERRUPTED. Unreadable records are skipped and reported
 * in {@link #problems()}, never deleted.
 */
public final class JobHistory {
    public static final String RECORD = "job.json";
    public static final String LOG = "log.txt";

    private final Path dir;
    private final List<String> problems = new ArrayList<>();

    public JobHistory(Path tasksDir) { this.dir = tasksDir.toAbsolutePath().normalize(); }

    public Path dir() { return dir; }

    public Path jobDir(String id) { return dir.resolve(id); }

    /** Atomically replaces the job's record. */
    public void save(JobRecord r) throws IOException {
        AtomicFiles.writeJson(jobDir(r.id()).resolve(RECORD), r);
    }

    /** Opens the job's log for appending (created if missing). */
    public BufferedWriter openLog(String id) throws IOException {
        Files.createDirectories(jobDir(id));
        return Files.newBufferedWriter(jobDir(id).resolve(LOG), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** The last {@code maxLines} lines of the job's log (all when maxLines <= 0). */
    public List<String> readLog(String id, int maxLines) {
        Path log = jobDir(id).resolve(LOG);
        if (!Files.isRegularFile(log)) return List.of();
        ArrayDeque<String> tail = new ArrayDeque<>();
        try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
            lines.forEach(l -> {
                tail.addLast(l);
                if (maxLines > 0 && tail.size() > maxLines) tail.removeFirst();
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            return List.of("(log unreadable: " + e.getMessage() + ")");
        }
        return List.copyOf(tail);
    }

    public Optional<JobRecord> find(String id) {
        Path f = jobDir(id).resolve(RECORD);
        if (!Files.isRegularFile(f)) return Optional.empty();
        try {
            return Optional.of(Json.MAPPER.readValue(f.toFile(), JobRecord.class));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * All records, oldest first. Unfinished records whose process died become INTERRUPTED (and are
     * saved so). Unreadable ones are skipped and listed in {@link #problems()}.
     */
    public synchronized List<JobRecord> load() {
        problems.clear();
        List<JobRecord> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path jobDir : (Iterable<Path>) s.sorted()::iterator) {
                Path f = jobDir.resolve(RECORD);
                if (!Files.isRegularFile(f)) continue;
                JobRecord r;
                try {
                    r = Json.MAPPER.readValue(f.toFile(), JobRecord.class);
                } catch (IOException e) {
                    problems.add(f + ": unreadable job record, skipped (" + e.getMessage() + ")");
                    continue;
                }
                if (r.id() == null || !r.id().equals(jobDir.getFileName().toString())) {
                    problems.add(f + ": id does not match its folder, skipped");
                    continue;
                }
                if (!r.state().finished() && !ownerAlive(r)) {
                    r = r.withState(JobState.INTERRUPTED, "the process running it ended (pid " + r.pid() + ")");
                    try { save(r); } catch (IOException e) { problems.add(f + ": " + e.getMessage()); }
                }
                out.add(r);
            }
        } catch (IOException e) {
            problems.add(dir + ": " + e.getMessage());
        }
        out.sort(Comparator.comparingLong(JobRecord::submittedAt).thenComparing(JobRecord::id));
        return out;
    }

    public synchronized List<String> problems() { return List.copyOf(problems); }

    /** Deletes a finished job's folder. */
    public void delete(String id) throws IOException { AtomicFiles.deleteTree(jobDir(id)); }

    /** The process start time we record, to tell a live owner from a recycled pid. */
    static long currentProcessStart() {
        return ProcessHandle.current().info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
    }

    static boolean ownerAlive(JobRecord r) {
        if (r.pid() == ProcessHandle.current().pid()) return r.processStart() == currentProcessStart();
        Optional<ProcessHandle> ph = ProcessHandle.of(r.pid());
        if (ph.isEmpty() || !ph.get().isAlive()) return false;
        return ph.get().info().startInstant()
                .map(i -> r.processStart() == 0 || Math.abs(i.toEpochMilli() - r.processStart()) < 2000)
                .orElse(true);
    }
}
