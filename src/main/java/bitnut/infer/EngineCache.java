package bitnut.infer;

import bitnut.infer.kernel.DenseMatrix;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/*
 * Keeps the last few loaded checkpoints open (loading a 133M checkpoint takes seconds), keyed by
 * folder and head precision; the least recently used one is closed when a new one does not fit.
 * Used by the tabs, which compare up to two checkpoints side by side. Thread-safe.
 * A newly opened engine is warmed up (InferenceEngine.warmUp) before it is handed out, as the CLI
 * does: cold Vector API kernels made the Sample tab's first generation on the trained tiny checkpoint
 * run at TTFT 960 ms and 18 tok/s, where the warm engine runs ~900 tok/s (seen under Xvfb).
 */
public final class EngineCache implements AutoCloseable {
    private final int capacity;
    private final InferenceEngine.Options options;
    private final Path tokenizerFallback;
    private final LinkedHashMap<Key, InferenceEngine> open = new LinkedHashMap<>(4, 0.75f, true);

    private record Key(Path checkpoint, DenseMatrix.Precision head) { }

    public EngineCache(int capacity, InferenceEngine.Options options, Path tokenizerFallback) {
        this.capacity = capacity;
        this.options = options;
        this.tokenizerFallback = tokenizerFallback;
    }

    /** The checkpoint's engine with the cache's default head precision. */
    public InferenceEngine get(Path checkpoint) throws IOException { return get(checkpoint, options.headPrecision()); }

    /** The checkpoint's engine with embeddings / lm_head in `head` precision (opened and warmed up if needed). */
    public synchronized InferenceEngine get(Path checkpoint, DenseMatrix.Precision head) throws IOException {
        Key key = new Key(checkpoint.toAbsolutePath().normalize(), head);
        InferenceEngine e = open.get(key);
        if (e != null) return e;
        while (open.size() >= capacity) {
            Map.Entry<Key, InferenceEngine> eldest = open.entrySet().iterator().next();
            synchronized (eldest.getValue().lock()) {
                eldest.getValue().close();
            }
            open.remove(eldest.getKey());
        }
        e = InferenceEngine.open(key.checkpoint(), tokenizerFallback, options.withHeadPrecision(head));
        e.warmUp();
        open.put(key, e);
        return e;
    }

    @Override public synchronized void close() {
        for (InferenceEngine e : open.values()) {
            synchronized (e.lock()) {
                e.close();
            }
        }
        open.clear();
    }
}
