package bitnut.infer.kernel;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ThreadTeam: owned regions + stealing cover every row exactly once, aligned, even with a stalled worker. */
class ThreadTeamTest {
    @Test
    void everyRowExactlyOnceInAlignedSlicesForManyShapes() {
        for (int threads = 1; threads <= 4; threads++) {
            try (ThreadTeam team = new ThreadTeam(threads)) {
                for (int n : new int[] {0, 1, 2, 15, 16, 17, 100, 301, 2304}) {
                    for (int align : new int[] {1, 4, 16, 64}) {
                        for (int chunks : new int[] {1, 2, 8}) {
                            AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(n, 1));
                            int a = align;
                            for (int rep = 0; rep < 20; rep++) {
                                team.forRange(n, a, chunks, (from, to) -> {
                                    if (from % a != 0 || (to % a != 0 && to != n)) throw new IllegalStateException("unaligned slice " + from + ".." + to);
                                    for (int i = from; i < to; i++) hits.incrementAndGet(i);
                                });
                            }
                            for (int i = 0; i < n; i++) assertEquals(20, hits.get(i), threads + " threads, n=" + n + " align=" + align + " chunks=" + chunks + " row " + i);
                        }
                    }
                }
            }
        }
    }

    @Test
    void callerStealsTheRegionOfAStalledWorker() {
        try (ThreadTeam team = new ThreadTeam(2)) {
            int n = 1024;
            AtomicIntegerArray hits = new AtomicIntegerArray(n);
            AtomicBoolean stalled = new AtomicBoolean();
            int[] byCaller = new int[1];
            Thread caller = Thread.currentThread();
            team.forRange(n, 16, 8, (from, to) -> {
                if (Thread.currentThread() != caller && stalled.compareAndSet(false, true)) {
                    try { Thread.sleep(200); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
                }
                if (Thread.currentThread() == caller) byCaller[0] += to - from;
                for (int i = from; i < to; i++) hits.incrementAndGet(i);
            });
            for (int i = 0; i < n; i++) assertEquals(1, hits.get(i), "row " + i);
            // the worker held at most one chunk (1024 / 16 = 64 rows) while the caller took the rest
            if (stalled.get()) assertTrue(byCaller[0] >= n - 64, "caller ran " + byCaller[0] + " rows");
        }
    }
}
