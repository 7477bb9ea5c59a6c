package bitnut.common;

import java.util.ArrayDeque;

/**
 * Honest time-to-finish from progress fractions: the rate is measured over a sliding window of the
 * last minute of <em>active</em> time (paused time is excluded by the caller), so an ETA follows the
 * job's current speed instead of its average since start. No estimate until the job has made
 * measurable progress for a couple of seconds: "unknown" beats a wild guess.
 */
public final class EtaEstimator {
    private static final long WINDOW_NANOS = 60_000_000_000L;
    private static final long MIN_SPAN_NANOS = 2_000_000_000L;
    private static final long SAMPLE_EVERY_NANOS = 250_000_000L;

    private record Sample(long nanos, double fraction) { }

    private final ArrayDeque<Sample> samples = new ArrayDeque<>();

    /** Records a progress fraction at an active-time instant (monotonic nanoseconds). */
    public synchronized void sample(long activeNanos, double fraction) {
        if (fraction < 0 || Double.isNaN(fraction)) return;
        Sample last = samples.peekLast();
        if (last != null && fraction < last.fraction) samples.clear(); // a job restarted its count
        else if (last != null && activeNanos - last.nanos < SAMPLE_EVERY_NANOS) return;
        samples.addLast(new Sample(activeNanos, fraction));
        while (samples.size() > 2 && activeNanos - samples.peekFirst().nanos > WINDOW_NANOS) samples.removeFirst();
    }

    /** Seconds left at the current rate, or -1 when unknown. */
    public synchronized double secondsLeft(long activeNanos, double fraction) {
        if (samples.size() < 2 || fraction < 0) return -1;
        Sample first = samples.peekFirst();
        long span = activeNanos - first.nanos;
        double done = fraction - first.fraction;
        if (span < MIN_SPAN_NANOS || done <= 0) return -1;
        double rate = done / (span / 1e9);
        return Math.max(0, (1 - fraction) / rate);
    }

    public synchronized void reset() { samples.clear(); }

    /** "1h 02m", "3m 07s", "12s" or "?" — the form the CLI and the Tasks view show. */
    public static String format(double seconds) {
        if (seconds < 0 || Double.isNaN(seconds) || Double.isInfinite(seconds)) return "?";
        long s = Math.round(seconds);
        if (s >= 3600) return String.format("%dh %02dm", s / 3600, (s % 3600) / 60);
        if (s >= 60) return String.format("%dm %02ds", s / 60, s % 60);
        return s + "s";
    }
}
