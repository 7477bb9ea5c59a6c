package bitnut.dataset;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The single writer of a dataset file: one connection, one thread, every write goes through here
 * (shared/notes/data.md: two writers made edit p99 jump from 88 ms to 650 ms).
 *
 * <p>Group commit: the thread takes every write waiting in the queue (up to {@link #MAX_GROUP}),
 * runs each inside its own SAVEPOINT of one transaction and commits once, so a generator's flood of
 * small inserts and a user's edit share one fsync. A write that throws is rolled back to its
 * savepoint alone. Futures complete only after COMMIT returned: an acknowledged write is durable
 * (synchronous=FULL).
 */
final class StoreWriter implements AutoCloseable {
    /** One unit of work on the writer connection; runs inside a transaction. */
    @FunctionalInterface
    interface Write<T> { T apply(Connection c) throws Exception; }

    private record Task<T>(Write<T> write, CompletableFuture<T> future) { }

    private static final int MAX_GROUP = 64;

    private final Task<Void> stopTask = new Task<>(c -> null, new CompletableFuture<>());
    private final Connection conn;
    private final BlockingQueue<Task<?>> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closed;

    StoreWriter(Connection conn, String name) throws SQLException {
        this.conn = conn;
        conn.setAutoCommit(false);
        thread = Thread.ofPlatform().name("dataset-writer " + name).daemon(true).start(this::loop);
    }

    <T> CompletableFuture<T> submit(Write<T> w) {
        CompletableFuture<T> f = new CompletableFuture<>();
        if (closed) {
            f.completeExceptionally(new IllegalStateException("dataset store is closed"));
            return f;
        }
        queue.add(new Task<>(w, f));
        return f;
    }

    private void loop() {
        List<Task<?>> group = new ArrayList<>();
        List<Object> results = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        boolean stop = false;
        while (!stop) {
            group.clear(); results.clear(); errors.clear();
            try {
                group.add(queue.take());
            } catch (InterruptedException e) {
                break;
            }
            queue.drainTo(group, MAX_GROUP - 1);
            if (group.remove(stopTask)) stop = true;
            if (group.isEmpty()) break;
            for (Task<?> t : group) {
                Savepoint sp = null;
                try {
                    sp = conn.setSavepoint();
                    results.add(t.write().apply(conn));
                    errors.add(null);
                    conn.releaseSavepoint(sp);
                } catch (Throwable e) {
                    results.add(null);
                    errors.add(e);
                    try {
                        if (sp != null) { conn.rollback(sp); conn.releaseSavepoint(sp); }
                    } catch (SQLException ignored) {
                        // the commit below fails too and reports it
                    }
                }
            }
            try {
                conn.commit();
            } catch (Throwable e) {
                try { conn.rollback(); } catch (SQLException ignored) { }
                for (Task<?> t : group) t.future().completeExceptionally(e);
                continue;
            }
            for (int i = 0; i < group.size(); i++) complete(group.get(i), results.get(i), errors.get(i));
        }
        closed = true;
        Task<?> t;
        while ((t = queue.poll()) != null) {
            t.future().completeExceptionally(new IllegalStateException("dataset store is closed"));
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> void complete(Task<T> t, Object result, Throwable error) {
        if (error != null) t.future().completeExceptionally(error);
        else t.future().complete((T) result);
    }

    @Override public void close() {
        if (closed) return;
        closed = true;
        queue.add(stopTask);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try { conn.close(); } catch (SQLException ignored) { }
    }
}
