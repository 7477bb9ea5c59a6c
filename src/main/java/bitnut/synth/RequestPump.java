package bitnut.synth;

import bitnut.common.JobContext;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a teacher busy for a job: the job thread submits units of work, virtual threads run the
 * teacher calls, and finished units come back to the job thread one at a time, in completion
 * order. Only the job thread touches the dataset store and the ledger, so the bookkeeping needs
 * no locks. While it waits, the job thread calls {@link JobContext#checkpoint()}: a cancel
 * interrupts the in-flight calls on {@link #close()}, and those units simply stay undone.
 *
 * @param <W> what the job needs to remember about a unit (a topic + request index, a question)
 */
final class RequestPump<W> implements AutoCloseable {
    /** One finished unit: results on success, the error otherwise. */
    record Done<W>(W work, List<ChatResult> results, Exception error) { }

    private final Teacher teacher;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final LinkedBlockingQueue<Done<W>> finished = new LinkedBlockingQueue<>();
    private int inFlight;

    RequestPump(Teacher teacher) { this.teacher = teacher; }

    /** How many calls to keep in flight: the teacher's parallelism. */
    int capacity() { return teacher.parallelism(); }

    int inFlight() { return inFlight; }

    boolean hasRoom() { return inFlight < capacity(); }

    void submit(W work, List<List<ChatMessage>> conversations, Sampling sampling) {
        inFlight++;
        threads.execute(() -> {
            try {
                finished.add(new Done<>(work, teacher.chatBatch(conversations, sampling), null));
            } catch (Exception e) {
                finished.add(new Done<>(work, null, e));
            }
        });
    }

    /** The next finished unit; checkpoints every 100 ms while waiting. Call only when inFlight() > 0. */
    Done<W> next(JobContext ctx) throws InterruptedException {
        if (inFlight == 0) throw new IllegalStateException("nothing in flight");
        while (true) {
            ctx.checkpoint();
            Done<W> d = finished.poll(100, TimeUnit.MILLISECONDS);
            if (d != null) {
                inFlight--;
                return d;
            }
        }
    }

    /** Interrupts whatever is still in flight (its work is not acknowledged, so it is redone on resume). */
    @Override public void close() {
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
