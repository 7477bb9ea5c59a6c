package bitnut.infer;

import bitnut.infer.kernel.DenseMatrix;
import bitnut.model.BitNetConfig;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `bench infer --batch`: one result per batch size, in order, and the rates are consistent with the step time. */
class BatchedDecodeBenchTest {
    @Test
    void reportsEveryBatchSizeWithAggregateEqualToBatchOverStepTime() {
        BitNetConfig c = TinyCheckpoint.config(false);
        BitNetModel m = BitNetModel.random(c, DenseMatrix.Precision.BF16, 3);
        List<BatchedDecodeBench.Result> rs = BatchedDecodeBench.run(m, 2, new int[] {1, 3, 5}, 6, 5, 1, 1);
        assertEquals(List.of(1, 3, 5), rs.stream().map(BatchedDecodeBench.Result::batch).toList());
        for (BatchedDecodeBench.Result r : rs) {
            assertTrue(r.stepMs() > 0, r.toString());
            assertEquals(r.batch() / (r.stepMs() / 1e3), r.aggregateTokPerSec(), 1e-6 * r.aggregateTokPerSec());
            assertEquals(r.aggregateTokPerSec() / r.batch(), r.perSequenceTokPerSec(), 1e-9);
            assertTrue(r.sampledAggregateTokPerSec() > 0, r.toString());
        }
    }
}
