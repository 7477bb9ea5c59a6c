package bitnut.infer.kernel;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bandwidth probe's streaming sum against its scalar reference, and the shape of a reading. */
class MemoryBandwidthTest {
    @Test
    void vectorSumMatchesReferenceOnRaggedRanges() {
        Random rnd = new Random(3);
        int[] d = new int[10_000];
        for (int i = 0; i < d.length; i++) d[i] = rnd.nextInt() >> 4;
        for (int[] r : new int[][] {{0, 0}, {0, 1}, {3, 67}, {0, 64}, {5, 9_999}, {0, 10_000}, {17, 4_113}}) {
            assertEquals(MemoryBandwidth.sumReference(d, r[0], r[1]), MemoryBandwidth.sum(d, r[0], r[1]), r[0] + ".." + r[1]);
        }
    }

    @Test
    void readingReportsBestAtLeastMedianForEachThreadCount() {
        MemoryBandwidth probe = new MemoryBandwidth(8L << 20);     // small: a test, not a measurement
        assertEquals(8L << 20, probe.bufferBytes());
        for (int threads : new int[] {1, 2}) {
            MemoryBandwidth.Reading r = probe.measure(threads, 3);
            assertEquals(threads, r.threads());
            assertTrue(r.bestBytesPerSec() > 0 && r.bestBytesPerSec() >= r.medianBytesPerSec(), r.toString());
        }
        assertThrows(IllegalArgumentException.class, () -> probe.measure(1, 0));
        assertThrows(IllegalArgumentException.class, () -> new MemoryBandwidth(16));
    }

    @Test
    void lastLevelCacheIsAtLeastAMegabyte() {
        assertTrue(MemoryBandwidth.lastLevelCacheBytes() >= 1 << 20);
    }
}
