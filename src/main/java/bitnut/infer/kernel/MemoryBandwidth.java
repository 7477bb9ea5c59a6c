package bitnut.infer.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/*
 * Measures sustained memory read bandwidth the way a decode step reads weights: a streaming sum over
 * an array far larger than the caches, split over the same ThreadTeam the engine uses. The best of
 * several passes is reported (a shared machine only ever makes a pass slower).
 */
public final class MemoryBandwidth {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private MemoryBandwidth() { }

    /** Bytes per second read with `threads` threads over a buffer of `bytes` bytes, best of `passes`. */
    public static double measure(int threads, long bytes, int passes) {
        int n = (int) Math.min(Integer.MAX_VALUE - 64, bytes / Float.BYTES);
        n -= n % (F.length() * 64);
        float[] data = new float[n];
        for (int i = 0; i < n; i += 1024) data[i] = i;     // touch every page
        double best = 0;
        float[] sink = new float[threads * 64];
        try (ThreadTeam team = new ThreadTeam(threads)) {
            final int total = n;
            for (int p = 0; p < passes + 1; p++) {
                long t0 = System.nanoTime();
                team.forRange(total, F.length() * 64, (a, b) -> {
                    FloatVector acc = FloatVector.zero(F);
                    for (int i = a; i < b; i += F.length()) acc = acc.add(FloatVector.fromArray(F, data, i));
                    sink[(a / Math.max(1, total / threads)) % sink.length] += acc.reduceLanes(VectorOperators.ADD);
                });
                double dt = (System.nanoTime() - t0) / 1e9;
                if (p > 0) best = Math.max(best, (double) total * Float.BYTES / dt);   // pass 0 warms the JIT
            }
        }
        if (Float.isNaN(sink[0])) throw new IllegalStateException("unreachable");
        return best;
    }
}
