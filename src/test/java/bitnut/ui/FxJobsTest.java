package bitnut.ui;

import bitnut.common.Job;
import bitnut.common.JobContext;
import bitnut.common.JobExecutor;
import bitnut.common.JobState;
import bitnut.common.Lane;
import javafx.application.Platform;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The FX adapter under a flood: a job reporting tens of thousands of progress/metric/log events per
 * second must cost the FX thread only ~10 short drains per second. We measure how long a
 * Platform.runLater takes to run while the flood lasts (the UI's responsiveness), count the drains,
 * and check every metric event still arrives, in batches.
 */
class FxJobsTest {
    static JobExecutor executor;
    static FxJobs jobs;

    /** Emits events as fast as it can, throttled to about {@code perSecond}, for {@code millis}. */
    record FloodJob(int perSecond, long millis, AtomicLong emitted) implements Job {
        @Override public String kind() { return "test.flood"; }
        @Override public String title() { return "Flood"; }
        @Override public Lane lane() { return Lane.DEVICE; }
        @Override public String run(JobContext ctx) throws Exception {
            long start = System.nanoTime();
            long n = 0;
            while (System.nanoTime() - start < millis * 1_000_000L) {
                ctx.checkpoint();
                for (int i = 0; i < 100; i++, n++) {
                    ctx.progress((System.nanoTime() - start) / (millis * 1e6), "flooding");
                    ctx.metric("loss", n, Math.sin(n));
                    if (n % 10 == 0) ctx.log("line " + n);
                }
                emitted.set(n);
                long due = (long) (n * 1e9 / perSecond);
                long sleep = due - (System.nanoTime() - start);
                if (sleep > 0) Thread.sleep(sleep / 1_000_000L, (int) (sleep % 1_000_000L));
            }
            return n + " events";
        }
    }

    @BeforeAll
    static void start() throws Exception {
        FxToolkit.registerPrimaryStage();
        executor = new JobExecutor();
        CompletableFuture<FxJobs> f = new CompletableFuture<>();
        Platform.runLater(() -> f.complete(new FxJobs(executor)));
        jobs = f.get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        jobs.close();
        executor.shutdown(5000);
    }

    @Test
    void aJobFloodingEventsKeepsTheFxThreadResponsiveAndDrainsAtTenHertz() throws Exception {
        AtomicLong emitted = new AtomicLong();
        AtomicLong received = new AtomicLong();
        AtomicLong batches = new AtomicLong();
        long seconds = 3;
        CompletableFuture<FxJob> submitted = new CompletableFuture<>();
        long drainsBefore;
        {
            CompletableFuture<Long> d = new CompletableFuture<>();
            Platform.runLater(() -> {
                d.complete(jobs.drainCount());
                FxJob j = jobs.submit(new FloodJob(20_000, seconds * 1000, emitted));
                j.onMetrics(batch -> { batches.incrementAndGet(); received.addAndGet(batch.size()); });
                submitted.complete(j);
            });
            drainsBefore = d.get(10, TimeUnit.SECONDS);
        }
        FxJob job = submitted.get(10, TimeUnit.SECONDS);
        long t0 = System.nanoTime();

        // while the flood runs: how long does the FX thread take to run a tiny task?
        List<Long> latenciesMs = new ArrayList<>();
        while (job.handle().state() != JobState.SUCCEEDED && System.nanoTime() - t0 < 30_000_000_000L) {
            long sent = System.nanoTime();
            CompletableFuture<Long> ran = new CompletableFuture<>();
            Platform.runLater(() -> ran.complete(System.nanoTime()));
            latenciesMs.add((ran.get(10, TimeUnit.SECONDS) - sent) / 1_000_000L);
            Thread.sleep(20);
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        assertEquals(JobState.SUCCEEDED, job.handle().state());
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> received.get() == emitted.get());
        long drains = callFx(jobs::drainCount) - drainsBefore;

        double rate = emitted.get() / elapsed;
        latenciesMs.sort(null);
        long p50 = latenciesMs.get(latenciesMs.size() / 2);
        long max = latenciesMs.getLast();
        System.out.printf("FxJobsTest: %d metric events (+ as many progress, 1/10 logs) in %.1f s = %.0f/s; "
                        + "%d drains (%.1f Hz), %d metric batches; FX runLater latency p50 %d ms, max %d ms (load %s)%n",
                emitted.get(), elapsed, rate, drains, drains / elapsed, batches.get(), p50, max,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        assertTrue(rate > 5_000, "the flood is a flood: " + rate + " events/s");
        assertEquals(emitted.get(), received.get(), "no metric event is lost");
        assertTrue(drains / elapsed <= 13, "drains at ~10 Hz, not per event: " + drains / elapsed);
        assertTrue(batches.get() <= drains + 1, "metrics arrive in one batch per drain");
        assertTrue(p50 < 100, "the FX thread stays responsive (median runLater latency " + p50 + " ms)");
        assertTrue(max < 1000, "no long stall (max runLater latency " + max + " ms)");
        assertTrue(callFx(() -> job.log().size()) <= FxJob.UI_LOG_LINES);
    }

    /**
     * Benchmark, not a test (runs only with -Dbitnut.bench=true): the same flood delivered the naive
     * way, one Platform.runLater per event, beside the adapter, in one run. Prints both lines.
     */
    @Test
    void benchAdapterVersusOneRunLaterPerEvent() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Boolean.getBoolean("bitnut.bench"), "benchmark: -Dbitnut.bench=true");
        aJobFloodingEventsKeepsTheFxThreadResponsiveAndDrainsAtTenHertz();
        AtomicLong emitted = new AtomicLong();
        AtomicLong applied = new AtomicLong();
        bitnut.common.JobHandle h = executor.submit(new FloodJob(20_000, 3000, emitted));
        h.addListener(new bitnut.common.JobListener() {
            @Override public void progress(bitnut.common.JobHandle j) { Platform.runLater(applied::incrementAndGet); }
            @Override public void metric(bitnut.common.JobHandle j, String n, double x, double y) { Platform.runLater(applied::incrementAndGet); }
            @Override public void log(bitnut.common.JobHandle j, String line) { Platform.runLater(applied::incrementAndGet); }
        });
        long t0 = System.nanoTime();
        List<Long> latenciesMs = new ArrayList<>();
        while (h.state() != JobState.SUCCEEDED && System.nanoTime() - t0 < 60_000_000_000L) {
            long sent = System.nanoTime();
            CompletableFuture<Long> ran = new CompletableFuture<>();
            Platform.runLater(() -> ran.complete(System.nanoTime()));
            latenciesMs.add((ran.get(60, TimeUnit.SECONDS) - sent) / 1_000_000L);
            Thread.sleep(20);
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        latenciesMs.sort(null);
        System.out.printf("FxJobsBench naive: %d metric events in %.1f s = %.0f/s; %d runLater calls; FX runLater latency p50 %d ms, max %d ms (load %s)%n",
                emitted.get(), elapsed, emitted.get() / elapsed, applied.get(), latenciesMs.get(latenciesMs.size() / 2),
                latenciesMs.getLast(), java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    static <T> T callFx(java.util.concurrent.Callable<T> c) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        Platform.runLater(() -> {
            try { f.complete(c.call()); } catch (Exception e) { f.completeExceptionally(e); }
        });
        return f.get(10, TimeUnit.SECONDS);
    }
}
