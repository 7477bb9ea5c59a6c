package bitnut.dataset;

import bitnut.common.DirectJobContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The dataset store benchmark behind {@code bitnut bench dataset} (figures in docs/benchmarks.md):
 * <ol>
 *   <li>import of the shared seed pairs (original format) into a fresh file;</li>
 *   <li>filter / full-text search / page on N synthetic rows (ids of the selection + one 100-row page), p50/p95;</li>
 *   <li>edit commit latency (submit to acknowledged commit), alone and while a generator thread inserts
 *       questions as fast as the writer takes them.</li>
 * </ol>
 * Synthetic text is built from a fixed word list with a fixed seed, so runs are comparable.
 */
public final class DatasetBench {
    private final Path dir;
    private final Path pairs;
    private final int rows, queries, edits;
    private final Consumer<String> out;

    public DatasetBench(Path dir, Path pairs, int rows, int queries, int edits, Consumer<String> out) {
        this.dir = dir;
        this.pairs = pairs;
        this.rows = rows;
        this.queries = queries;
        this.edits = edits;
        this.out = out;
    }

    public void run() throws Exception {
        out.accept("machine: " + Runtime.getRuntime().availableProcessors() + " cpus, java " + Runtime.version()
                + ", load " + loadAverage() + ", " + java.time.Instant.now());
        if (pairs != null) importBench();
        else out.accept("import: skipped (no seed pairs folder)");
        try (DatasetStore store = DatasetStore.open(dir.resolve("bench.db"))) {
            long t0 = System.nanoTime();
            fill(store, rows);
            out.accept(String.format("fill: %,d synthetic rows in %.1f s", rows, (System.nanoTime() - t0) / 1e9));
            queryBench(store);
            editBench(store, false);
            editBench(store, true);
        }
        out.accept("load after: " + loadAverage());
    }

    private void importBench() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(pairs)) {
            files = s.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList();
        }
        try (DatasetStore store = DatasetStore.open(dir.resolve("import.db"))) {
            DatasetImportJob job = new DatasetImportJob(store, files, DatasetFormat.ORIGINAL);
            long t0 = System.nanoTime(), c0 = processCpuNanos();
            job.run(new DirectJobContext());
            double s = (System.nanoTime() - t0) / 1e9, cpu = (processCpuNanos() - c0) / 1e9;
            DatasetImportJob.Report r = job.report();
            // CPU seconds of the whole process (parser + writer threads): what the import costs when the
            // machine is shared; wall time is what a user waits for on this machine at this load
            out.accept(String.format("import: %,d pairs from %d files in %.2f s wall, %.2f s process CPU (%,.0f rows/s), %d malformed, %d duplicates [target <= 5 s]",
                    r.inserted(), files.size(), s, cpu, r.inserted() / s, r.malformed(), r.duplicates()));
        }
    }

    private static final String[] WORDS = ("squirrel tail wag sniff treat park ball bark quasar galaxy recipe bread garden soil "
            + "engine battery river mountain planet music guitar history empire market budget python code network cloud "
            + "vitamin muscle sleep coffee tea ocean whale forest bird nest paint canvas poem story chess soccer tennis "
            + "airport runway train bridge castle robot laser magnet atom cell virus vaccine doctor law court vote tax").split(" ");

    private static String text(SplittableRandom r, int words) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < words; i++) {
            if (i > 0) sb.append(i % 12 == 0 ? ". " : " ");
            sb.append(WORDS[r.nextInt(WORDS.length)]);
        }
        return sb.append('.').toString();
    }

    /** Adds {@code n} synthetic rows (fixed seed; 120 topics, 1 in 10 unanswered, a third given a review status). */
    public static void fill(DatasetStore store, int n) {
        SplittableRandom r = new SplittableRandom(7);
        ExampleSource[] sources = ExampleSource.values();
        List<NewExample> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String topic = "topic_" + (i % 120);
            String prompt = "Question " + i + " about " + text(r, 6 + r.nextInt(10)) + "?";
            String resp = i % 10 == 0 ? null : "Woof! " + text(r, 20 + r.nextInt(240));
            batch.add(new NewExample(topic, prompt, resp, sources[i % 3], Map.of("bench", true)));
            if (batch.size() == 2000) { store.addExamples(batch).join(); batch = new ArrayList<>(); }
        }
        if (!batch.isEmpty()) store.addExamples(batch).join();
        // give a spread of statuses so status filters select realistic shares
        java.util.Map<Long, ExampleStatus> st = new java.util.HashMap<>();
        long[] ids = store.ids(ExampleFilter.ALL);
        for (int i = 0; i < ids.length; i += 3) st.put(ids[i], ExampleStatus.values()[1 + (i / 3) % 3]);
        store.setStatuses(st).join();
    }

    private void queryBench(DatasetStore store) {
        SplittableRandom r = new SplittableRandom(11);
        List<ExampleFilter> kinds = List.of(
                ExampleFilter.ALL,
                ExampleFilter.ALL.withTopic("topic_17"),
                ExampleFilter.ALL.withStatus(ExampleStatus.APPROVED),
                ExampleFilter.ALL.withFlag(Flag.TOO_LONG),
                ExampleFilter.ALL.withWords(50, 120),
                ExampleFilter.ALL.withSearch("squirrel quasar"),
                ExampleFilter.ALL.withSearch("gala"),
                ExampleFilter.ALL.withTopic("topic_4").withSearch("bread").withStatus(ExampleStatus.NEW));
        String[] names = {"all", "topic", "status", "flag", "length", "search 2 words", "search prefix", "topic+status+search"};
        long[][] lat = new long[kinds.size()][];
        long[][] cpu = new long[kinds.size()][];
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        int per = Math.max(5, queries / kinds.size());
        long[] sizes = new long[kinds.size()];
        for (int k = 0; k < kinds.size(); k++) {
            lat[k] = new long[per];
            cpu[k] = new long[per];
            for (int i = 0; i < per; i++) {
                long t0 = System.nanoTime(), c0 = threads.getCurrentThreadCpuTime();
                long[] ids = store.ids(kinds.get(k));
                int from = ids.length == 0 ? 0 : r.nextInt(Math.max(1, ids.length - 100));
                List<Example> page = store.load(ids, from, Math.min(ids.length, from + 100));
                lat[k][i] = System.nanoTime() - t0;
                // SQLite runs on the calling thread: its CPU time is the query's cost without the other tenants' load
                cpu[k][i] = threads.getCurrentThreadCpuTime() - c0;
                sizes[k] = ids.length;
                if (page.size() > 100) throw new IllegalStateException();
            }
        }
        long[] all = Arrays.stream(lat).flatMapToLong(Arrays::stream).toArray();
        // the same ids with the previous statement (sorted by SQLite, full-text match as an IN subquery), in
        // the same run, and the charts' counts the tab computes after showing the rows
        long[][] before = new long[kinds.size()][Math.max(3, per / 4)];
        long[][] charts = new long[kinds.size()][Math.max(3, per / 4)];
        long[][] chartsBefore = new long[kinds.size()][Math.max(3, per / 4)];
        for (int k = 0; k < kinds.size(); k++) {
            for (int i = 0; i < before[k].length; i++) {
                long t0 = System.nanoTime();
                long n = store.idsSortedInSqlForBench(kinds.get(k)).length;
                before[k][i] = System.nanoTime() - t0;
                if (n != sizes[k]) throw new IllegalStateException("old and new ids disagree for " + names[k] + ": " + n + " vs " + sizes[k]);
                t0 = System.nanoTime();
                store.statsInOneStatement(kinds.get(k));
                charts[k][i] = System.nanoTime() - t0;
                t0 = System.nanoTime();
                store.statsInFiveStatements(kinds.get(k));
                chartsBefore[k][i] = System.nanoTime() - t0;
            }
        }
        // the same work with one JDBC row per id (the first implementation), for the ratio
        long[] perRow = new long[Math.max(5, per / 4)];
        for (int i = 0; i < perRow.length; i++) {
            long t0 = System.nanoTime();
            store.scanIdsRowByRowForBench(ExampleFilter.ALL);
            perRow[i] = System.nanoTime() - t0;
        }
        out.accept(String.format("ids of all %,d rows: group_concat p50 %.1f ms vs one JDBC row per id p50 %.1f ms",
                sizes[0], pct(lat[0], 50), pct(perRow, 50)));
        for (int k = 0; k < kinds.size(); k++) {
            out.accept(String.format("query %-20s %,7d rows: wall p50 %6.1f ms  p95 %6.1f ms | thread CPU p50 %6.1f ms  p95 %6.1f ms"
                            + " | previous ids statement alone p50 %6.1f ms | charts' counts p50: 1 statement %6.1f ms, 5 statements %6.1f ms",
                    names[k], sizes[k], pct(lat[k], 50), pct(lat[k], 95), pct(cpu[k], 50), pct(cpu[k], 95),
                    pct(before[k], 50), pct(charts[k], 50), pct(chartsBefore[k], 50)));
        }
        long[] allCpu = Arrays.stream(cpu).flatMapToLong(Arrays::stream).toArray();
        out.accept(String.format("query all kinds (%d): wall p50 %.1f ms, p95 %.1f ms, max %.1f ms | thread CPU p50 %.1f ms, p95 %.1f ms [target p95 <= 100 ms]",
                all.length, pct(all, 50), pct(all, 95), pct(all, 100), pct(allCpu, 50), pct(allCpu, 95)));
    }

    private void editBench(DatasetStore store, boolean withGenerator) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong generated = new AtomicLong();
        Thread gen = null;
        if (withGenerator) {
            gen = Thread.ofPlatform().name("bench-generator").start(() -> {
                int i = 0;
                while (!stop.get()) {
                    List<NewQuestion> qs = new ArrayList<>();
                    for (int j = 0; j < 8; j++, i++) qs.add(NewQuestion.of("gen", "generated question " + i + " " + (withGenerator ? "g" : "") + "?", Map.of()));
                    generated.addAndGet(store.addQuestions(qs).join().size());
                    List<Example> open = store.questionsWithoutAnswer("gen", 2);
                    for (Example e : open) store.setGeneratedAnswer(e.id(), "Woof! an answer about squirrels.", Map.of("model", "bench")).join();
                }
            });
            Thread.sleep(300);
        }
        SplittableRandom r = new SplittableRandom(withGenerator ? 5 : 3);
        long[] ids = store.ids(ExampleFilter.ALL.withHasResponse(true));
        long[] lat = new long[edits];
        long t0 = System.nanoTime();
        for (int i = 0; i < edits; i++) {
            long id = ids[r.nextInt(ids.length)];
            Example e = store.get(id).orElseThrow();
            long s = System.nanoTime();
            store.edit(id, e.version(), e.prompt(), e.response() + " Edited " + i + ".").join();
            lat[i] = System.nanoTime() - s;
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        stop.set(true);
        if (gen != null) gen.join();
        out.accept(String.format("edit commit %-22s p50 %5.1f ms  p95 %5.1f ms  p99 %5.1f ms  (%d edits%s) [target p95 <= 20 ms]",
                withGenerator ? "while generating:" : "alone:", pct(lat, 50), pct(lat, 95), pct(lat, 99), edits,
                withGenerator ? String.format(", generator inserted %,d questions = %.0f/s", generated.get(), generated.get() / secs) : ""));
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double pct(long[] nanos, double p) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        int i = (int) Math.ceil(p / 100.0 * s.length) - 1;
        return s[Math.max(0, Math.min(s.length - 1, i))] / 1e6;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (Exception e) {
            return String.format("%.2f", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }
}
