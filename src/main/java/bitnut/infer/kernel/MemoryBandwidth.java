package bitnut.infer.kernel;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.nio.file.Files;
import java.nio.file.Path;

/*
 * The denominator of the decode "physical floor": sustained DRAM read bandwidth, measured the way a
 * decode step reads its weights.
 *
 * What exactly it measures: P timed passes (after one untimed warm-up pass for the JIT) of a
 * streaming sequential read of one Java int[] on the heap (the same kind of memory, pages and
 * prefetch pattern as the weight arrays) that is at least 16x the last-level cache (512 MB on the
 * 32 MB-L3 EPYC build box), so every pass comes from DRAM. Each pass is split into contiguous slices
 * over a ThreadTeam of the SAME size as the decode being compared (so a 1-thread decode is compared
 * with 1-thread bandwidth: one core cannot saturate the memory controller). The inner loop sums
 * 512-bit int vectors into 4 independent accumulators, so neither the add latency nor the
 * loop control limits it; nothing is written. Bandwidth = bytes of the buffer / wall time of a pass.
 * Reported: the best pass (a shared machine only ever makes a pass slower; the best is the closest
 * to what the hardware gives) and the median pass (how much the machine's load disturbed it).
 * The buffer is allocated once per probe and reused, so probing before and after each decode run in
 * one bench costs no GC.
 */
public final class MemoryBandwidth {
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    static final int LANES = I.length();
    static final int UNROLL = 4;

    /** One probe result: bytes per second of the best and of the median pass. */
    public record Reading(int threads, long bufferBytes, int passes, double bestBytesPerSec, double medianBytesPerSec) {
        public double bestGBs() { return bestBytesPerSec / 1e9; }
        public double medianGBs() { return medianBytesPerSec / 1e9; }
    }

    private final int[] data;
    private int sink;

    /** A probe over a buffer of at least {@code bytes} bytes (rounded down to whole vector blocks). */
    public MemoryBandwidth(long bytes) {
        long n = Math.min(Integer.MAX_VALUE - 1024, bytes / Integer.BYTES);
        n -= n % (LANES * UNROLL * 64L);
        if (n <= 0) throw new IllegalArgumentException("probe buffer of " + bytes + " bytes is too small");
        data = new int[(int) n];
        for (int i = 0; i < data.length; i += 1024) data[i] = i;     // touch every page now, not in pass 1
    }

    /** The default probe: max(16 x L3, 512 MB) capped at 1 GB. */
    public static MemoryBandwidth standard() {
        long l3 = lastLevelCacheBytes();
        return new MemoryBandwidth(Math.min(1L << 30, Math.max(512L << 20, 16 * l3)));
    }

    public long bufferBytes() { return (long) data.length * Integer.BYTES; }

    /** Best and median of `passes` timed passes, with `threads` threads (a fresh team, closed after). */
    public Reading measure(int threads, int passes) {
        try (ThreadTeam team = new ThreadTeam(threads)) {
            return measure(team, passes);
        }
    }

    /** Same, on an existing team (e.g. the engine's own). */
    public Reading measure(ThreadTeam team, int passes) {
        if (passes < 1) throw new IllegalArgumentException("passes must be >= 1");
        final int[] d = data;
        final int block = LANES * UNROLL * 64;
        int[] partial = new int[64];
        double[] rates = new double[passes];
        for (int p = -1; p < passes; p++) {
            long t0 = System.nanoTime();
            team.forRange(d.length, block, (a, b) -> partial[(a / block) & 63] += sum(d, a, b));
            long dt = System.nanoTime() - t0;
            if (p >= 0) rates[p] = bufferBytes() / (dt / 1e9);
        }
        for (int v : partial) sink += v;
        java.util.Arrays.sort(rates);
        return new Reading(team.size(), bufferBytes(), passes, rates[passes - 1], rates[passes / 2]);
    }

    /** The streaming read: sum of d[a .. b), four independent vector accumulators. */
    static int sum(int[] d, int a, int b) {
        IntVector s0 = IntVector.zero(I), s1 = IntVector.zero(I), s2 = IntVector.zero(I), s3 = IntVector.zero(I);
        int i = a;
        for (; i + UNROLL * LANES <= b; i += UNROLL * LANES) {
            s0 = s0.add(IntVector.fromArray(I, d, i));
            s1 = s1.add(IntVector.fromArray(I, d, i + LANES));
            s2 = s2.add(IntVector.fromArray(I, d, i + 2 * LANES));
            s3 = s3.add(IntVector.fromArray(I, d, i + 3 * LANES));
        }
        int s = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        for (; i < b; i++) s += d[i];
        return s;
    }

    /** Scalar reference of {@link #sum} (tests). */
    static int sumReference(int[] d, int a, int b) {
        int s = 0;
        for (int i = a; i < b; i++) s += d[i];
        return s;
    }

    /** Size of the last-level cache from sysfs (Linux), or 32 MB when it cannot be read. */
    public static long lastLevelCacheBytes() {
        long best = 0;
        for (int idx = 0; idx < 8; idx++) {
            Path p = Path.of("/sys/devices/system/cpu/cpu0/cache/index" + idx + "/size");
            try {
                String s = Files.readString(p).strip();
                long mult = s.endsWith("K") ? 1024 : s.endsWith("M") ? 1 << 20 : 1;
                best = Math.max(best, Long.parseLong(s.replaceAll("[^0-9]", "")) * mult);
            } catch (Exception e) {
                // no such level (or not Linux): keep what we have
            }
        }
        return best > 0 ? best : 32L << 20;
    }

    /** Keeps the sums observable so the JIT cannot drop the reads. */
    public int sink() { return sink; }
}
