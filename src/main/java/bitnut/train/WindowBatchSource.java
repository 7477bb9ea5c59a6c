/*
 * WindowBatchSource — pretraining batches: B random (T+1)-token windows from the corpus shards
 * (bitnut.corpus.TokenWindows, nanoGPT's get_batch). Shards are documents packed back to back with EOS
 * between them, so there is no padding and every position counts in the loss.
 */
package bitnut.train;

import bitnut.common.Json;
import bitnut.corpus.TokenWindows;

import java.util.Map;

public final class WindowBatchSource implements BatchSource {
    private final TokenWindows windows;
    private final int[] buffer;

    public WindowBatchSource(TokenWindows windows) {
        this.windows = windows;
        this.buffer = new int[windows.batchLength()];
    }

    @Override public TrainBatch next() {
        windows.nextBatch(buffer);
        return TrainBatch.fromWindows(buffer, windows.batchSize(), windows.context());
    }

    @SuppressWarnings("unchecked")
    @Override public Map<String, Object> state() { return Json.MAPPER.convertValue(windows.state(), Map.class); }

    @Override public void restore(Map<String, Object> state) {
        windows.restore(Json.MAPPER.convertValue(state, TokenWindows.State.class));
    }

    public long batchesPerEpoch() { return windows.batchesPerEpoch(); }

    @Override public void close() { windows.close(); }
}
