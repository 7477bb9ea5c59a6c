package bitnut.infer.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/*
 * A small fixed team of threads for splitting one matmul over output rows.
 *
 * A decode step issues ~40 short parallel loops (fused q|k|v, o, gate|up, down per layer, and the
 * lm_head) of tens to hundreds of microseconds each, so dispatch latency matters more than fairness.
 * Each loop is cut into a few chunks per thread that participants CLAIM from an atomic counter: the
 * caller works too, and if a worker is not scheduled (a busy shared machine) the caller simply claims
 * its chunks instead of waiting for it. Workers spin briefly on the published batch before parking.
 * With threads == 1 there are no workers and forRange is a plain call.
 * Weight-streaming loops (decode matvecs, lm_head) ask for ONE contiguous slice per thread
 * (STREAMING): each slice is then one long sequential stream for the hardware prefetcher instead of
 * four short ones (measured, 12-layer bitnut-133m decode matvecs at 2 threads, load ~10: 1.54-1.92 ms
 * vs 1.83-2.16 ms best-of-run); a stalled worker's slice can still be claimed by the caller if the
 * worker has not started it.
 */
public final class ThreadTeam implements AutoCloseable {
    /** Work on rows [from, to). */
    @FunctionalInterface
    public interface RangeTask { void run(int from, int to); }

    private static final int SPIN = 2_000;
    private static final int CHUNKS_PER_THREAD = 4;
    /** Chunks per thread for loops that stream weights from memory: one long stream each. */
    public static final int STREAMING = 1;

    /** One forRange call: workers that wake late find every chunk claimed and do nothing. */
    private static final class Batch {
        final RangeTask task;
        final int n, grain, chunks;
        final AtomicInteger next = new AtomicInteger(), done = new AtomicInteger();
        volatile Throwable failure;

        Batch(RangeTask task, int n, int grain, int chunks) {
            this.task = task;
            this.n = n;
            this.grain = grain;
            this.chunks = chunks;
        }

        /** Claims and runs chunks until none are left. */
        void work() {
            int units = (n + grain - 1) / grain;
            for (int c; (c = next.getAndIncrement()) < chunks; ) {
                int from = Math.min(n, (int) ((long) units * c / chunks) * grain);
                int to = Math.min(n, (int) ((long) units * (c + 1) / chunks) * grain);
                try {
                    if (from < to) task.run(from, to);
                } catch (Throwable e) {
                    failure = e;
                } finally {
                    done.incrementAndGet();
                }
            }
        }
    }

    private final int size;
    private final Worker[] workers;
    private volatile Batch current;
    private volatile boolean closed;

    public ThreadTeam(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        size = threads;
        workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].thread.start();
        }
    }

    public int size() { return size; }

    /**
     * Runs task over [0, n) in contiguous slices that are multiples of {@code align} rows (except the
     * last); returns when all are done. Not reentrant: one caller at a time.
     */
    public void forRange(int n, int align, RangeTask t) {
        forRange(n, align, CHUNKS_PER_THREAD, t);
    }

    /** Same, cut into {@code chunksPerThread} chunks per thread (STREAMING for weight streams). */
    public void forRange(int n, int align, int chunksPerThread, RangeTask t) {
        if (chunksPerThread < 1) throw new IllegalArgumentException("chunksPerThread must be >= 1");
        int units = (n + align - 1) / align;
        if (size == 1 || units < 2) {
            if (n > 0) t.run(0, n);
            return;
        }
        Batch b = new Batch(t, n, align, Math.min(units, size * chunksPerThread));
        current = b;
        for (Worker w : workers) if (w.parked) LockSupport.unpark(w.thread);
        b.work();
        int spins = 0;
        while (b.done.get() < b.chunks) {
            if (++spins < SPIN) Thread.onSpinWait(); else Thread.yield();
        }
        Throwable f = b.failure;
        if (f != null) {
            if (f instanceof RuntimeException re) throw re;
            if (f instanceof Error e) throw e;
            throw new IllegalStateException(f);
        }
    }

    @Override public void close() {
        closed = true;
        for (Worker w : workers) LockSupport.unpark(w.thread);
    }

    private final class Worker implements Runnable {
        final Thread thread;
        volatile boolean parked;

        Worker(int index) {
            thread = new Thread(this, "bitnut-infer-" + index);
            thread.setDaemon(true);
        }

        @Override public void run() {
            Batch seen = null;
            while (!closed) {
                Batch b = current;
                if (b == seen) {
                    int spins = 0;
                    while (current == seen && !closed && ++spins < SPIN) Thread.onSpinWait();
                    if (current == seen && !closed) {
                        parked = true;
                        if (current == seen && !closed) LockSupport.park(this);
                        parked = false;
                    }
                    continue;
                }
                seen = b;
                b.work();
            }
        }
    }
}
