package bitnut.common;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs {@link Job}s in the background on two lanes (engine-level: no JavaFX here; the workbench adapts
 * it to {@code javafx.concurrent} in {@code bitnut.ui.FxJobs}, the CLI in {@code CliJobRunner}).
 *
 * <ul>
 *   <li><b>DEVICE</b>: one accelerator-heavy job at a time, FIFO; queued jobs show their position
 *       and can be reordered ({@link #move}) or cancelled before they start.</li>
 *   <li><b>CPU</b>: a small pool for I/O and HTTP work beside the device job.</li>
 * </ul>
 *
 * <p>With a {@link JobHistory} every job is recorded in the workspace ({@code tasks/<id>/}): its
 * record is rewritten atomically on each state change and at most once a second while progress
 * moves, and its log is appended as it runs. The history of earlier runs is loaded at construction,
 * so finished jobs show their result and log, and jobs whose process died show as INTERRUPTED.
 *
 * <p>Cancel is cooperative ({@link JobContext#checkpoint()} throws), never a thread interrupt:
 * interrupting a thread closes any NIO channel it is using, which would corrupt the job's output.
 */
public final class JobExecutor implements AutoCloseable {
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final JobHistory history;
    private final Path workspaceRoot;
    private final LaneQueue device;
    private final LaneQueue cpu;
    private final List<JobHandle> jobs = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<JobListener> listeners = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<Consumer<JobHandle>> addedListeners = new CopyOnWriteArrayList<>();
    private final Thread flusher;
    private volatile boolean closed;

    /** An executor without history (tests, throwaway work). */
    public JobExecutor() { this(null, null, defaultCpuThreads()); }

    /** An executor whose history lives in {@code workspaceRoot/tasks/}. */
    public JobExecutor(Path workspaceRoot) {
        this(new JobHistory(workspaceRoot.resolve("tasks")), workspaceRoot, defaultCpuThreads());
    }

    public JobExecutor(JobHistory history, Path workspaceRoot, int cpuThreads) {
        this.history = history;
        this.workspaceRoot = workspaceRoot;
        if (history != null) {
            for (JobRecord r : history.load()) jobs.add(new JobHandle(this, r, history));
        }
        device = new LaneQueue(Lane.DEVICE, 1);
        cpu = new LaneQueue(Lane.CPU, Math.max(1, cpuThreads));
        flusher = Thread.ofPlatform().daemon().name("job-history-flusher").start(this::flushLoop);
    }

    /** I/O and HTTP jobs wait more than they compute: a few threads, independent of core count. */
    public static int defaultCpuThreads() { return 3; }

    public Optional<JobHistory> history() { return Optional.ofNullable(history); }

    /** Queues a job on its lane; returns at once. */
    public JobHandle submit(Job job) { return submit(job, null); }

    private JobHandle submit(Job job, String resumedFrom) {
        if (closed) throw new IllegalStateException("executor is closed");
        JobHandle h = new JobHandle(this, newId(job.kind()), job, resumedFrom);
        if (history != null) {
            try {
                h.setLogWriter(history.openLog(h.id()));
            } catch (IOException e) {
                h.context().log("WARNING: cannot write the job log: " + e.getMessage());
            }
        }
        persist(h);
        jobs.add(h);
        for (Consumer<JobHandle> l : addedListeners) l.accept(h);
        lane(job.lane()).enqueue(h);
        return h;
    }

    /**
     * Continues an INTERRUPTED job: recreates it from its saved spec through the resumer its kind
     * registered in {@link JobKinds} and queues it. The old entry records which job continued it.
     */
    public JobHandle resume(JobHandle interrupted) {
        if (!interrupted.resumable()) {
            throw new IllegalStateException(interrupted.title() + " cannot be resumed ("
                    + (interrupted.state() != JobState.INTERRUPTED ? "it is " + interrupted.state()
                    : interrupted.resumedBy() != null ? "already resumed as " + interrupted.resumedBy()
                    : "kind " + interrupted.kind() + " has no resumer") + ")");
        }
        Job job = JobKinds.resumer(interrupted.kind()).orElseThrow()
                .apply(workspaceRoot, interrupted.spec());
        JobHandle h = submit(job, interrupted.id());
        interrupted.markResumedBy(h.id());
        persist(interrupted);
        return h;
    }

    /** Every job known: this run's and the history's, oldest first. */
    public List<JobHandle> jobs() { return List.copyOf(jobs); }

    public Optional<JobHandle> find(String id) { return jobs.stream().filter(j -> j.id().equals(id)).findFirst(); }

    /** The queued (not yet running) jobs of a lane, in the order they will start. */
    public List<JobHandle> queued(Lane lane) { return lane(lane).snapshot(); }

    /** The jobs running (or paused) right now. */
    public List<JobHandle> running() {
        return jobs.stream().filter(j -> j.state() == JobState.RUNNING || j.state() == JobState.PAUSED).toList();
    }

    /** Moves a queued job to {@code index} (0 = next to start) in its lane's queue. */
    public boolean move(JobHandle h, int index) { return lane(h.lane()).move(h, index); }

    /** Cancels: removes a queued job at once, or asks a running one to stop at its next checkpoint. */
    public void cancel(JobHandle h) {
        if (h.state().finished()) return;
        h.requestCancel();
        if (lane(h.lane()).remove(h)) {
            h.context().log("cancelled before it started");
            h.setState(JobState.CANCELLED);
            h.closeLog();
        }
    }

    /** Forgets a finished job and deletes its history folder. */
    public void remove(JobHandle h) throws IOException {
        if (!h.state().finished()) throw new IllegalStateException("job " + h.id() + " is still " + h.state());
        jobs.remove(h);
        if (history != null) history.delete(h.id());
    }

    /** Listens to every job's events (called on the job threads; keep it cheap). */
    public void addListener(JobListener l) { listeners.add(l); }
    public void removeListener(JobListener l) { listeners.remove(l); }
    /** Called (on the submitting thread) for every newly submitted job. */
    public void addJobAddedListener(Consumer<JobHandle> l) { addedListeners.add(l); }

    List<JobListener> listeners() { return listeners; }

    /**
     * Cancels everything and waits up to {@code timeoutMillis} for running jobs to clean up.
     * Returns true when every job finished in time.
     */
    public boolean shutdown(long timeoutMillis) {
        closed = true;
        for (JobHandle h : jobs) if (!h.state().finished()) cancel(h);
        long deadline = System.currentTimeMillis() + timeoutMillis;
        boolean all = true;
        for (JobHandle h : jobs) {
            long left = deadline - System.currentTimeMillis();
            try {
                h.await(Math.max(1, left), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                all = false;
            }
        }
        device.stop();
        cpu.stop();
        flusher.interrupt();
        flushDirty();
        return all;
    }

    @Override public void close() { shutdown(10_000); }

    // ---- persistence ----

    void persist(JobHandle h) {
        if (history == null) return;
        try {
            history.save(h.toRecord());
        } catch (IOException e) {
            h.context().log("WARNING: cannot save the job record: " + e.getMessage());
        }
    }

    private void flushLoop() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            flushDirty();
        }
    }

    private void flushDirty() {
        for (JobHandle h : jobs) {
            if (h.fromHistory()) {
                if (h.takeDirty()) persist(h);
                continue;
            }
            JobState s = h.state();
            if (s == JobState.RUNNING || s == JobState.PAUSED) {
                h.flushLog();
                if (h.takeDirty()) persist(h);
            }
        }
    }

    private LaneQueue lane(Lane lane) { return lane == Lane.DEVICE ? device : cpu; }

    private static String newId(String kind) {
        String k = kind.replaceAll("[^A-Za-z0-9]+", "-");
        return LocalDateTime.now().format(ID_TIME) + "-" + k + "-"
                + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
    }

    /** A FIFO queue with its worker threads; the queue is a list so it can be reordered. */
    private static final class LaneQueue {
        private final Lane lane;
        private final List<JobHandle> queue = new ArrayList<>();
        private final List<Thread> workers = new ArrayList<>();
        private boolean stopped;

        LaneQueue(Lane lane, int threads) {
            this.lane = lane;
            for (int i = 0; i < threads; i++) {
                String name = lane == Lane.DEVICE ? "device-lane" : "cpu-lane-" + (i + 1);
                workers.add(Thread.ofPlatform().daemon().name(name).start(this::work));
            }
        }

        synchronized void enqueue(JobHandle h) {
            queue.add(h);
            renumber();
            notifyAll();
        }

        synchronized boolean remove(JobHandle h) {
            boolean removed = queue.remove(h);
            if (removed) {
                h.setQueuePosition(0);
                renumber();
            }
            return removed;
        }

        synchronized boolean move(JobHandle h, int index) {
            int from = queue.indexOf(h);
            if (from < 0) return false;
            queue.remove(from);
            queue.add(Math.clamp(index, 0, queue.size()), h);
            renumber();
            return true;
        }

        synchronized List<JobHandle> snapshot() { return List.copyOf(queue); }

        synchronized void stop() {
            stopped = true;
            notifyAll();
        }

        private void renumber() {
            for (int i = 0; i < queue.size(); i++) queue.get(i).setQueuePosition(i + 1);
        }

        private synchronized JobHandle take() throws InterruptedException {
            while (queue.isEmpty() && !stopped) wait();
            if (stopped) return null;
            JobHandle h = queue.removeFirst();
            h.setQueuePosition(0);
            renumber();
            return h;
        }

        private void work() {
            while (true) {
                JobHandle h;
                try {
                    h = take();
                } catch (InterruptedException e) {
                    return;
                }
                if (h == null) return;
                if (h.cancelRequested()) { // cancelled between take and start
                    h.setState(JobState.CANCELLED);
                    h.closeLog();
                    continue;
                }
                h.runHere();
            }
        }

        @Override public String toString() { return lane + " lane"; }
    }

    /** For diagnostics: how many jobs wait on each lane. */
    public Map<Lane, Integer> queueLengths() {
        return Map.of(Lane.DEVICE, device.snapshot().size(), Lane.CPU, cpu.snapshot().size());
    }
}
