package bitnut.ui.pretrain;

import bitnut.ui.FxJob;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Display thinning of a long run's history: bounded per metric, first and last point kept, short ones untouched. */
class PretrainDecimationTest {
    @Test
    void longHistoriesAreThinnedPerMetricAndShortOnesKept() {
        List<FxJob.Metric> pts = new ArrayList<>();
        int n = 3 * PretrainViewModel.DISPLAY_POINTS + 7;
        for (int i = 0; i < n; i++) pts.add(new FxJob.Metric("train_loss", i, 10.0 / (i + 1)));
        for (int i = 0; i < 50; i++) pts.add(new FxJob.Metric("val_loss", i * 100, 1.0));
        List<FxJob.Metric> out = PretrainViewModel.decimate(pts);
        List<FxJob.Metric> train = out.stream().filter(p -> p.name().equals("train_loss")).toList();
        assertTrue(train.size() <= PretrainViewModel.DISPLAY_POINTS + 1, "kept " + train.size());
        assertTrue(train.size() > PretrainViewModel.DISPLAY_POINTS / 2, "kept " + train.size());
        assertEquals(0, train.getFirst().x());
        assertEquals(n - 1, train.getLast().x());
        assertEquals(50, out.stream().filter(p -> p.name().equals("val_loss")).count());
        List<FxJob.Metric> small = pts.subList(0, 100);
        assertSame(small, PretrainViewModel.decimate(small));
    }
}
