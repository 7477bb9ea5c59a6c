package bitnut.dataset;

import bitnut.common.Job;
import bitnut.common.JobContext;
import bitnut.common.Lane;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Recomputes every example's automatic flags: the text detectors of {@link FlagDetector} plus the
 * near-duplicate flag, which needs the whole dataset: questions are indexed with {@link MinHash} in
 * id order and a question whose estimated Jaccard similarity to an earlier one reaches the threshold
 * is flagged "near-duplicate of #id". Flags are derived data, so this never conflicts with edits.
 */
public final class FlagJob implements Job {
    private static final int PAGE = 500;

    private final DatasetStore store;
    private final FlagConfig cfg;
    private final Map<Flag, Long> counts = new EnumMap<>(Flag.class);

    public FlagJob(DatasetStore store, FlagConfig cfg) {
        this.store = store;
        this.cfg = cfg;
    }

    @Override public String kind() { return "dataset.flag"; }

    @Override public String title() { return "Flag dataset examples"; }

    @Override public Lane lane() { return Lane.CPU; }

    @Override public Map<String, Object> spec() { return Map.of("near_duplicate_threshold", cfg.nearDuplicateThreshold(), "max_words", cfg.maxWords()); }

    /** Examples per flag after the run. */
    public Map<Flag, Long> counts() { return counts; }

    @Override public String run(JobContext ctx) throws Exception {
        FlagDetector detector = new FlagDetector(cfg);
        MinHash index = MinHash.of(cfg);
        long[] ids = store.ids(ExampleFilter.ALL);
        long changed = 0;
        long t0 = System.nanoTime();
        for (Flag f : Flag.values()) counts.put(f, 0L);
        for (int from = 0; from < ids.length; from += PAGE) {
            ctx.checkpoint();
            List<Example> page = store.load(ids, from, Math.min(ids.length, from + PAGE));
            Map<Long, FlagDetector.Result> updates = new LinkedHashMap<>();
            for (Example e : page) {
                Map<Flag, String> found = e.hasResponse() ? detector.explain(e.response(), e.metadata()) : new EnumMap<>(Flag.class);
                int[] sig = index.signature(e.prompt());
                var near = index.nearest(sig, cfg.nearDuplicateThreshold());
                if (near.isPresent()) {
                    found.put(Flag.NEAR_DUPLICATE, String.format(java.util.Locale.ROOT,
                            "Near-duplicate of #%d (estimated similarity %.2f).", near.get().id(), near.get().similarity()));
                } else {
                    index.add(e.id(), sig);   // only originals are indexed: duplicates point at the first
                }
                Map<String, String> notes = new LinkedHashMap<>();
                found.forEach((f, why) -> notes.put(f.name(), why));
                FlagDetector.Result r = new FlagDetector.Result(FlagSet.of(found.keySet()), notes);
                for (Flag f : found.keySet()) counts.merge(f, 1L, Long::sum);
                if (r.flags().bits() != e.flags().bits() || !notes.equals(e.flagNotes())) updates.put(e.id(), r);
            }
            if (!updates.isEmpty()) changed += store.setFlags(updates).join();
            int done = Math.min(ids.length, from + PAGE);
            ctx.progress((double) done / Math.max(1, ids.length), "flagging");
            ctx.throughput(done / Math.max(1e-9, (System.nanoTime() - t0) / 1e9), "rows/s");
        }
        ctx.progress(1, "done");
        StringBuilder sb = new StringBuilder("flagged " + ids.length + " examples (" + changed + " changed):");
        counts.forEach((f, n) -> sb.append(' ').append(f.label).append('=').append(n));
        return sb.toString();
    }
}
