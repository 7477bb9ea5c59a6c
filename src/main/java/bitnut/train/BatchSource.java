/*
 * BatchSource — where the training loop gets micro-batches. Pretraining wraps the corpus' random token
 * windows (WindowBatchSource); finetuning plugs in packed chat examples. A source must be able to save
 * and restore its position (a JSON-able map) so that a resumed run sees exactly the batches an
 * uninterrupted one would have seen.
 */
package bitnut.train;

import java.util.Map;

public interface BatchSource extends AutoCloseable {

    /** The next micro-batch. Sources are endless (they wrap or sample); the loop decides when to stop. */
    TrainBatch next();

    /** Where the source stands (numbers, strings, lists, maps only). */
    Map<String, Object> state();

    /** Continues exactly from a {@link #state()}; refuses a state that does not fit this source. */
    void restore(Map<String, Object> state);

    @Override default void close() { }
}
