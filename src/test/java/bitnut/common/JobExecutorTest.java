package bitnut.common;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;

/** The executor with real threads and a real history folder: ordering, cancel, pause, failure, restart. */
class JobExecutorTest {

    /** A job that runs {@code steps} checkpoints of {@code stepMillis} each and records its name. */
    record StepJob(String name, Lane lane, int steps, long stepMillis, boolean pausable, List<String> order)
            implements Job {
        @Override public String kind() { return "test.step"; }
        @Override public String title() { return "Step " + name; }
        @Override public String run(JobContext ctx) throws Exception {
            order.add(name);
            try {
                for (int i = 0; i < steps; i++) {
                    ctx.checkpoint();
                    Thread.sleep(stepMillis);
                    ctx.progress((i + 1) / (double) steps, "step " + (i + 1));
                    ctx.log(name + " step " + (i + 1));
                }
            } finally {
                order.add(name + ":cleanup");
            }
            return name + " done";
        }
        @Override public Map<String, Object> spec() { return Map.of("name", name, "steps", steps); }
    }

    static void waitUntil(BooleanSupplier c, long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (!c.getAsBoolean()) {
            if (System.currentTimeMillis() > end) fail("condition not reached in " + millis + " ms");
            Thread.sleep(5);
        }
    }

    @Test
    void deviceLaneRunsOneAtATimeInFifoOrderAndQueuedJobsCanBeReordered() throws Exception {
        List<String> order = new CopyOnWriteArrayList<>();
        try (JobExecutor ex = new JobExecutor()) {
            JobHandle a = ex.submit(new StepJob("a", Lane.DEVICE, 20, 10, false, order));
            JobHandle b = ex.submit(new StepJob("b", Lane.DEVICE, 2, 1, false, order));
            JobHandle c = ex.submit(new StepJob("c", Lane.DEVICE, 2, 1, false, order));
            JobHandle d = ex.submit(new StepJob("d", Lane.DEVICE, 2, 1, false, order));
            waitUntil(() -> a.state() == JobState.RUNNING, 5000);
            assertEquals(List.of(b, c, d), ex.queued(Lane.DEVICE));
            assertEquals(1, b.queuePosition());
            assertEquals(3, d.queuePosition());
            assertTrue(ex.move(d, 0), "d moves to the front");
            assertEquals(1, d.queuePosition());
            assertEquals(2, b.queuePosition());
            for (JobHandle h : List.of(a, b, c, d)) assertEquals(JobState.SUCCEEDED, h.await(10, TimeUnit.SECONDS));
            assertEquals(List.of("a", "a:cleanup", "d", "d:cleanup", "b", "b:cleanup", "c", "c:cleanup"), order,
                    "device lane: one job at a time, FIFO after the reorder");
            assertEquals("a done", a.result());
            assertEquals(1.0, a.fraction());
        }
    }

    @Test
    void cpuLaneRunsBesideTheDeviceJob() throws Exception {
        List<String> order = new CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        try (JobExecutor ex = new JobExecutor()) {
            JobHandle dev = ex.submit(new Job() {
                public String kind() { return "test.block"; }
                public String title() { return "block"; }
                public Lane lane() { return Lane.DEVICE; }
                public String run(JobContext ctx) throws Exception {
                    while (!release.await(5, TimeUnit.MILLISECONDS)) ctx.checkpoint();
                    return "released";
                }
            });
            JobHandle io = ex.submit(new StepJob("io", Lane.CPU, 2, 1, false, order));
            assertEquals(JobState.SUCCEEDED, io.await(5, TimeUnit.SECONDS), "cpu job finishes while the device job blocks");
            assertEquals(JobState.RUNNING, dev.state());
            release.countDown();
            assertEquals(JobState.SUCCEEDED, dev.await(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void cancelStopsARunningJobAfterItsCleanupAndDropsAQueuedOne() throws Exception {
        List<String> order = new CopyOnWriteArrayList<>();
        try (JobExecutor ex = new JobExecutor()) {
            JobHandle a = ex.submit(new StepJob("a", Lane.DEVICE, 100_000, 1, false, order));
            JobHandle b = ex.submit(new StepJob("b", Lane.DEVICE, 1, 1, false, order));
            waitUntil(() -> a.fraction() > 0, 5000);
            b.cancel();
            assertEquals(JobState.CANCELLED, b.state(), "a queued job is dropped at once");
            a.cancel();
            assertEquals(JobState.CANCELLED, a.await(5, TimeUnit.SECONDS));
            assertEquals(List.of("a", "a:cleanup"), order, "b never ran; a cleaned up");
            assertTrue(a.fraction() < 1);
        }
    }

    @Test
    void pauseBlocksAPausableJobAtItsCheckpointAndResumeContinues() throws Exception {
        List<String> order = new CopyOnWriteArrayList<>();
        try (JobExecutor ex = new JobExecutor()) {
            JobHandle a = ex.submit(new StepJob("a", Lane.DEVICE, 300, 2, true, order));
            waitUntil(() -> a.fraction() > 0, 5000);
            a.pause();
            waitUntil(() -> a.state() == JobState.PAUSED, 5000);
            double frozen = a.fraction();
            Thread.sleep(150);
            assertEquals(frozen, a.fraction(), "no progress while paused");
            a.resume();
            waitUntil(() -> a.fraction() > frozen, 5000);
            assertEquals(JobState.SUCCEEDED, a.await(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void pauseIsIgnoredByJobsThatAreNotPausable() throws Exception {
        try (JobExecutor ex = new JobExecutor()) {
            JobHandle a = ex.submit(new StepJob("a", Lane.DEVICE, 30, 2, false, new CopyOnWriteArrayList<>()));
            a.pause();
            assertEquals(JobState.SUCCEEDED, a.await(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aFailingJobSurfacesItsMessageAndLogsIt() throws Exception {
        try (JobExecutor ex = new JobExecutor()) {
            JobHandle h = ex.submit(new Job() {
                public String kind() { return "test.fail"; }
                public String title() { return "fail"; }
                public Lane lane() { return Lane.CPU; }
                public String run(JobContext ctx) {
                    ctx.log("reading corpus.txt");
                    throw new IllegalArgumentException("corpus.txt:17: line longer than 1 MiB");
                }
            });
            assertEquals(JobState.FAILED, h.await(5, TimeUnit.SECONDS));
            assertEquals("corpus.txt:17: line longer than 1 MiB", h.error());
            assertTrue(h.logTail().contains("ERROR corpus.txt:17: line longer than 1 MiB"), h.logTail().toString());
        }
    }

    @Test
    void historySurvivesARestartWithResultAndLog(@TempDir Path ws) throws Exception {
        List<String> order = new CopyOnWriteArrayList<>();
        String okId;
        String failId;
        try (JobExecutor ex = new JobExecutor(ws)) {
            JobHandle ok = ex.submit(new StepJob("ok", Lane.DEVICE, 3, 1, false, order));
            JobHandle bad = ex.submit(new Job() {
                public String kind() { return "test.fail"; }
                public String title() { return "fail"; }
                public Lane lane() { return Lane.CPU; }
                public String run(JobContext ctx) { throw new IllegalStateException("boom"); }
            });
            ok.await(5, TimeUnit.SECONDS);
            bad.await(5, TimeUnit.SECONDS);
            okId = ok.id();
            failId = bad.id();
        }
        try (JobExecutor again = new JobExecutor(ws)) {
            JobHandle ok = again.find(okId).orElseThrow();
            assertTrue(ok.fromHistory());
            assertEquals(JobState.SUCCEEDED, ok.state());
            assertEquals("ok done", ok.result());
            assertEquals(List.of("ok step 1", "ok step 2", "ok step 3"), ok.logTail());
            JobHandle bad = again.find(failId).orElseThrow();
            assertEquals(JobState.FAILED, bad.state());
            assertEquals("boom", bad.error());
            assertTrue(again.history().orElseThrow().problems().isEmpty());
        }
    }

    @Test
    void etaFollowsTheRecentRate() {
        EtaEstimator eta = new EtaEstimator();
        long s = 1_000_000_000L;
        for (int t = 0; t <= 10; t++) eta.sample(t * s, t * 0.05); // 5 %/s
        assertEquals(10.0, eta.secondsLeft(10 * s, 0.5), 0.01);
        assertEquals("3m 07s", EtaEstimator.format(187));
        assertEquals("?", EtaEstimator.format(-1));
        assertEquals(-1, new EtaEstimator().secondsLeft(0, 0.5));
    }
}
