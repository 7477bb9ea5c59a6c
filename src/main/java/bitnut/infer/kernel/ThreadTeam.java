package bitnut.infer.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/*
 * A small fixed team of threads for splitting one matmul over output rows.
 *
 * A decode step issues ~100 short parallel loops (7 BitLinears x L layers + lm_head) of a few
 * hundred microseconds each, so dispatch latency matters more than fairness: the caller thread
 * takes the first slice itself, workers spin briefly on a volatile generation counter before
 * parking, and the caller spins until they are done. With threads == 1 there are no workers at
 * all and forRange is a plain call (the single-thread benchmark measures the kernel, not the pool).
 */
public final class ThreadTeam implements AutoCloseable {
    /** Work on rows [from, to). */
    @FunctionalInterface
    public interface RangeTask { void run(int from, int to); }

    private static final int SPIN = 20_000;

    private final int size;
    private final Worker[] workers;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile long generation;
    private volatile boolean closed;
    private volatile RangeTask task;
    private volatile int total;
    private volatile int grain;
    private volatile Throwable failure;

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
     * Runs task over [0, n) split into size() contiguous slices, each a multiple of {@code align}
     * rows (except the last); returns when all slices are done. Not reentrant: one caller at a time.
     */
    public void forRange(int n, int align, RangeTask t) {
        if (size == 1 || n < 2 * align) {
            t.run(0, n);
            return;
        }
        task = t;
        total = n;
        grain = align;
        failure = null;
        pending.set(workers.length);
        generation++;
        for (Worker w : workers) if (w.parked) LockSupport.unpark(w.thread);
        runSlice(0);
        int spins = 0;
        while (pending.get() != 0) {
            if (++spins < SPIN) Thread.onSpinWait(); else Thread.yield();
        }
        Throwable f = failure;
        if (f != null) {
            if (f instanceof RuntimeException re) throw re;
            if (f instanceof Error e) throw e;
            throw new IllegalStateException(f);
        }
    }

    private void runSlice(int index) {
        int n = total, g = grain;
        int units = (n + g - 1) / g;
        int from = Math.min(n, (int) ((long) units * index / size) * g);
        int to = Math.min(n, (int) ((long) units * (index + 1) / size) * g);
        if (from < to) task.run(from, to);
    }

    @Override public void close() {
        closed = true;
        for (Worker w : workers) LockSupport.unpark(w.thread);
    }

    private final class Worker implements Runnable {
        final int index;
        final Thread thread;
        volatile boolean parked;

        Worker(int index) {
            this.index = index;
            thread = new Thread(this, "bitnut-infer-" + index);
            thread.setDaemon(true);
        }

        @Override public void run() {
            long seen = 0;
            while (!closed) {
                long g = generation;
                if (g == seen) {
                    int spins = 0;
                    while (generation == seen && !closed && ++spins < SPIN) Thread.onSpinWait();
                    if (generation == seen && !closed) {
                        parked = true;
                        if (generation == seen && !closed) LockSupport.park(this);
                        parked = false;
                    }
                    continue;
                }
                seen = g;
                try {
                    runSlice(index);
                } catch (Throwable e) {
                    failure = e;
                } finally {
                    pending.decrementAndGet();
                }
            }
        }
    }
}
