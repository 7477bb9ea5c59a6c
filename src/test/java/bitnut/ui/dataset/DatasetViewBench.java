package bitnut.ui.dataset;

import bitnut.dataset.DatasetBench;
import bitnut.dataset.DatasetStore;
import bitnut.dataset.ExampleStatus;
import bitnut.dataset.Flag;
import bitnut.ui.AppServices;
import bitnut.ui.SettingsStore;
import bitnut.workspace.Workspace;
import javafx.animation.AnimationTimer;
import javafx.application.Platform;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.IndexedCell;
import javafx.scene.control.TableView;
import javafx.scene.control.skin.VirtualFlow;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Benchmark, not a test (runs only with {@code -Dbitnut.bench=true}; figures in docs/benchmarks.md
 * "Dataset"): the real Dataset tab in a headless stage (Monocle, software rendering) over a 100,000-row
 * store made by {@link DatasetBench#fill}. It scrolls page by page, jumps across the table, filters and
 * searches, and records for each phase
 * <ul>
 *   <li>the gaps between FX pulses (an AnimationTimer runs on every pulse, ~60 Hz while it is active;
 *       a gap well above 16.7 ms is a frame the user sees late: the FX thread was busy, or the machine was);</li>
 *   <li>the CPU time the FX thread itself used (load-independent to first order: what our code costs there);</li>
 *   <li>the time until the result is on screen (the visible rows hold their loaded examples).</li>
 * </ul>
 * Usage: {@code ./mvnw -o test -Dtest=DatasetViewBench -Dbitnut.bench=true [-Dbitnut.bench.rows=100000]}.
 */
class DatasetViewBench {
    static final FxRobot robot = new FxRobot();

    @Test void scrollJumpFilterAndSearchOnALargeStore() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("bitnut.bench"), "benchmark: -Dbitnut.bench=true");
        int wanted = Integer.getInteger("bitnut.bench.rows", 100_000), counted = wanted;
        // -Dbitnut.bench.store=DIR keeps the filled workspace there and reuses it (before/after runs open the same file);
        // -Dbitnut.bench.only=open stops after the opening of the tab
        String keep = System.getProperty("bitnut.bench.store");
        boolean openOnly = "open".equals(System.getProperty("bitnut.bench.only"));
        Workspace ws = Workspace.create(keep != null ? Path.of(keep) : Files.createTempDirectory("bitnut-dataset-bench"));
        long t0 = System.nanoTime();
        boolean reused = Files.exists(DatasetStore.path(ws));
        if (!reused) {
            try (DatasetStore s = DatasetStore.open(ws)) { DatasetBench.fill(s, wanted); }
        } else {
            try (DatasetStore s = DatasetStore.open(ws)) { counted = (int) s.count(bitnut.dataset.ExampleFilter.ALL); }
        }
        final int rows = counted;
        List<String> out = new ArrayList<>();
        out.add(String.format("DatasetViewBench: %,d rows (%s %.0f s), %d cpus, load at start %s, %s", rows, reused ? "reused store, counted in" : "fill",
                (System.nanoTime() - t0) / 1e9, Runtime.getRuntime().availableProcessors(), load(), java.time.Instant.now()));

        FxToolkit.registerPrimaryStage();
        // every store open/read made on the FX thread while the tab opens and is used (there must be none)
        List<String> onFxThread = java.util.Collections.synchronizedList(new ArrayList<>());
        DatasetStore.checkAccessWith(what -> { if (Platform.isFxApplicationThread()) onFxThread.add(what); });
        AppServices[] services = new AppServices[1];
        DatasetView[] view = new DatasetView[1];
        PulseRecorder pulses = new PulseRecorder();
        pulses.start();
        // -Dbitnut.bench.jfr=FILE: a flight recording of the opening (execution samples every 10 ms), for `jfr print`
        String jfrFile = System.getProperty("bitnut.bench.jfr");
        jdk.jfr.Recording jfr = null;
        if (jfrFile != null) {
            jfr = new jdk.jfr.Recording();
            jfr.enable("jdk.ExecutionSample").withPeriod(java.time.Duration.ofMillis(10));
            jfr.start();
        }
        long fxCpu0 = fxThreadCpu(), processCpu0 = processCpu();
        double[] ctor = new double[6];
        long opened = System.nanoTime();
        FxToolkit.setupFixture(() -> {
            var mx = ManagementFactory.getThreadMXBean();
            long a = System.nanoTime(), ac = mx.getCurrentThreadCpuTime();
            services[0] = new AppServices(ws, new SettingsStore(ws.root().resolve("config")));
            long b = System.nanoTime(), bc = mx.getCurrentThreadCpuTime();
            DatasetViewModel vm = new DatasetViewModel(services[0]);
            long c = System.nanoTime(), cc = mx.getCurrentThreadCpuTime();
            view[0] = new DatasetView(vm);
            ctor[0] = (b - a) / 1e6;
            ctor[1] = (c - b) / 1e6;
            ctor[2] = (System.nanoTime() - c) / 1e6;
            ctor[3] = (bc - ac) / 1e6;
            ctor[4] = (cc - bc) / 1e6;
            ctor[5] = (mx.getCurrentThreadCpuTime() - cc) / 1e6;
        });
        FxToolkit.setupStage(stage -> {
            stage.setScene(new Scene((Parent) view[0].content(), 1200, 760));
            stage.show();
        });
        double stageShown = (System.nanoTime() - opened) / 1e6;
        try {
            DatasetViewModel m = view[0].model();
            @SuppressWarnings("unchecked") TableView<DatasetViewModel.Row> table = robot.lookup("#dataset-table").queryAs(TableView.class);
            waitShown(table, () -> table.getItems().size() == rows);
            double firstScreen = (System.nanoTime() - opened) / 1e6;
            WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> fx(() -> m.statsProperty().get() != null && m.statsProperty().get().total() == rows));
            WaitForAsyncUtils.waitForFxEvents();
            double countsShown = (System.nanoTime() - opened) / 1e6;
            long[] openGaps = pulses.take();
            double openFxCpu = (fxThreadCpu() - fxCpu0) / 1e6, openProcessCpu = (processCpu() - processCpu0) / 1e6;
            if (jfr != null) {
                jfr.stop();
                jfr.dump(Path.of(jfrFile));
                jfr.close();
            }
            // the charts are built when their tab is first opened: time that separately
            DatasetCharts charts = view[0].chartsForTest();
            long chartsAsked = System.nanoTime();
            Platform.runLater(() -> robot.lookup("#dataset-detail-tabs").queryAs(javafx.scene.control.TabPane.class).getSelectionModel().select(2));
            WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> fx(() -> charts.statusTotal() == rows));
            WaitForAsyncUtils.waitForFxEvents();
            double chartsDrawn = (System.nanoTime() - chartsAsked) / 1e6;
            out.add(String.format("open: %,d rows listed and the first screen loaded %.0f ms after the tab was created (its query: %.0f ms);"
                            + " charts' counts applied at %.0f ms; charts drawn %.0f ms after their tab was selected",
                    rows, firstScreen, m.lastQueryMillisProperty().get(), countsShown, chartsDrawn));
            out.add(String.format("  on the FX thread (wall/CPU): AppServices %.0f/%.0f ms, DatasetViewModel constructor %.0f/%.0f ms, DatasetView constructor %.0f/%.0f ms;"
                            + " stage shown at %.0f ms; FX thread CPU until the charts' counts were applied %.0f ms; longest pulse gap %.0f ms (%d pulses);"
                            + " process CPU (all threads: FX, readers, renderer, JIT, GC, the DJL device probe AppServices starts) %.0f ms;"
                            + " store calls on the FX thread: %d %s",
                    ctor[0], ctor[3], ctor[1], ctor[4], ctor[2], ctor[5], stageShown, openFxCpu, ms(openGaps, 100), openGaps.length,
                    openProcessCpu, onFxThread.size(), onFxThread.stream().distinct().toList()));
            out.add("  CPU so far of the threads still alive: " + threadCpu());
            out.addAll(openTimeline(m));
            if (openOnly) {
                // the same tab opened again in this JVM (classes loaded, JIT warmer, the file in the page cache): what
                // the tab's own work costs once the application's cold start is behind it
                for (int again = 1; again <= 2; again++) {
                    FxToolkit.setupFixture(() -> view[0].dispose());
                    Thread.sleep(500);
                    long fx2 = fxThreadCpu(), p2 = processCpu(), o2 = System.nanoTime();
                    FxToolkit.setupFixture(() -> view[0] = new DatasetView(new DatasetViewModel(services[0])));
                    double built = (System.nanoTime() - o2) / 1e6;
                    FxToolkit.setupStage(stage -> stage.setScene(new Scene((Parent) view[0].content(), 1200, 760)));
                    double shown2 = (System.nanoTime() - o2) / 1e6;
                    DatasetViewModel m2 = view[0].model();
                    @SuppressWarnings("unchecked") TableView<DatasetViewModel.Row> t2 = robot.lookup("#dataset-table").queryAs(TableView.class);
                    waitShown(t2, () -> t2.getItems().size() == rows);
                    double first2 = (System.nanoTime() - o2) / 1e6;
                    WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> fx(() -> m2.statsProperty().get() != null && m2.statsProperty().get().total() == rows));
                    WaitForAsyncUtils.waitForFxEvents();
                    out.add(String.format("open again (#%d, warm JVM): first screen loaded %.0f ms (view-model + view built %.0f ms, scene set %.0f ms),"
                                    + " charts' counts applied %.0f ms; FX thread CPU %.0f ms, process CPU %.0f ms", again, first2, built, shown2,
                            (System.nanoTime() - o2) / 1e6, (fxThreadCpu() - fx2) / 1e6, (processCpu() - p2) / 1e6));
                    out.addAll(openTimeline(m2));
                }
                out.add("load at end " + load());
                return;
            }

            // 0. baseline: nothing happens for 3 s; the pulse gaps are what this machine's software renderer and load give
            Phase idle = new Phase("idle 3 s (baseline)", pulses);
            Thread.sleep(3000);
            out.add(idle.finish());

            // 1. scroll down page by page (one screenful per step, each step waits for its rows), 150 steps
            Phase scroll = new Phase("scroll 150 screenfuls", pulses);
            int perScreen = Math.max(1, visibleCount(table) - 1);
            for (int i = 1; i <= 150; i++) {
                int target = Math.min(rows - 1, i * perScreen);   // small -Dbitnut.bench.rows: stays at the end
                scroll.timed(() -> Platform.runLater(() -> table.scrollTo(target)), () -> visibleLoaded(table, target));
            }
            out.add(scroll.finish());

            // 2. jumps to random places across the whole table (each needs a page query)
            Phase jump = new Phase("jump to 40 random rows", pulses);
            SplittableRandom r = new SplittableRandom(17);
            for (int i = 0; i < 40; i++) {
                int target = r.nextInt(rows);
                jump.timed(() -> Platform.runLater(() -> table.scrollTo(target)), () -> visibleLoaded(table, target));
            }
            out.add(jump.finish());

            // 3. filters and searches as the user changes them; "shown" = new row count listed and its first
            // screen loaded. The search box's 250 ms typing debounce is NOT included: the model is refreshed directly.
            record Change(String name, Runnable set, Runnable reset) { }
            List<Change> changes = List.of(
                    new Change("topic", () -> m.topicProperty().set("topic_17"), () -> m.topicProperty().set(null)),
                    new Change("status", () -> m.statusProperty().set(ExampleStatus.APPROVED), () -> m.statusProperty().set(null)),
                    new Change("flag", () -> m.flagProperty().set(Flag.TOO_LONG), () -> m.flagProperty().set(null)),
                    new Change("length 50-120", () -> { m.minWordsProperty().set(50); m.maxWordsProperty().set(120); },
                            () -> { m.minWordsProperty().set(null); m.maxWordsProperty().set(null); }),
                    new Change("search 2 words", () -> { m.searchProperty().set("squirrel quasar"); m.refresh(); },
                            () -> { m.searchProperty().set(""); m.refresh(); }),
                    new Change("search prefix", () -> { m.searchProperty().set("gala"); m.refresh(); },
                            () -> { m.searchProperty().set(""); m.refresh(); }),
                    // one letter is not searched (DatasetViewModel.liveSearch): the first prefix the tab runs has 2 letters
                    new Change("search 2-letter prefix", () -> { m.searchProperty().set("sq"); m.refresh(); },
                            () -> { m.searchProperty().set(""); m.refresh(); }));
            for (Change c : changes) {
                Phase p = new Phase("filter " + c.name + " (5 times, and back)", pulses);
                for (int i = 0; i < 5; i++) {
                    int before = table.getItems().size();
                    p.timed(() -> Platform.runLater(c.set), () -> table.getItems().size() != before && firstScreenLoaded(table));
                    int filtered = table.getItems().size();
                    p.note(String.format("%,d rows", filtered));
                    p.applied(fx(() -> m.lastApplyMillisProperty().get()));
                    p.untimed(() -> Platform.runLater(c.reset), () -> table.getItems().size() == rows && firstScreenLoaded(table));
                    p.applied(fx(() -> m.lastApplyMillisProperty().get()));
                }
                out.add(p.finish());
            }
            // 4. search, then scroll through the matches with highlighted cells
            Phase hits = new Phase("scroll 60 screenfuls of search hits (highlighted)", pulses);
            hits.untimed(() -> Platform.runLater(() -> { m.searchProperty().set("squirrel"); m.refresh(); }),
                    () -> table.getItems().size() < rows && firstScreenLoaded(table));
            for (int i = 1; i <= 60; i++) {
                int target = Math.min(table.getItems().size() - 1, i * perScreen);
                hits.timed(() -> Platform.runLater(() -> table.scrollTo(target)), () -> visibleLoaded(table, target));
            }
            out.add(hits.finish());
            pulses.stop();
            out.add("load at end " + load());
        } finally {
            DatasetStore.checkAccessWith(null);
            FxToolkit.setupFixture(() -> { view[0].dispose(); services[0].close(); });
            FxToolkit.cleanupStages();
            if (keep == null) bitnut.common.AtomicFiles.deleteTree(ws.root());   // ~600 MB at 100k rows
            out.forEach(System.out::println);
            Path report = Path.of("target", "dataset-view-bench.txt");
            Files.createDirectories(report.getParent());
            Files.write(report, out);
        }
    }

    /** The view-model's own record of the opening, step by step (thread, start, wall, CPU of that thread). */
    static List<String> openTimeline(DatasetViewModel m) {
        List<String> lines = new ArrayList<>();
        for (DatasetViewModel.OpenStep s : m.openTimeline()) {
            lines.add(String.format("  %-36s on %-22s starts at %6.0f ms, wall %6.1f ms, CPU %6.1f ms", s.name(), s.thread(), s.startMillis(), s.wallMillis(), s.cpuMillis()));
        }
        return lines;
    }

    // ---------------------------------------------------------------- measuring

    /** Gaps between consecutive pulses, recorded on the FX thread by an AnimationTimer. */
    static final class PulseRecorder {
        private final List<Long> gaps = new ArrayList<>();   // FX thread only
        private long last;
        private final AnimationTimer timer = new AnimationTimer() {
            @Override public void handle(long now) {
                long t = System.nanoTime();
                if (last != 0) gaps.add(t - last);
                last = t;
            }
        };

        void start() throws Exception { fx(() -> { timer.start(); return null; }); }

        void stop() throws Exception { fx(() -> { timer.stop(); return null; }); }

        /** The gaps recorded since the last call (the phase's), and restarts the recording. */
        long[] take() throws Exception {
            return fx(() -> {
                long[] g = gaps.stream().mapToLong(Long::longValue).toArray();
                gaps.clear();
                return g;
            });
        }
    }

    /** One measured phase: time to show each step's result, pulse gaps and FX-thread CPU over the whole phase. */
    static final class Phase {
        final String name;
        final PulseRecorder pulses;
        final List<Long> shown = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        final long fxCpu0, renderCpu0, wall0;

        Phase(String name, PulseRecorder pulses) throws Exception {
            this.name = name;
            this.pulses = pulses;
            pulses.take();
            this.fxCpu0 = fxThreadCpu();
            this.renderCpu0 = renderThreadCpu();
            this.wall0 = System.nanoTime();
        }

        void timed(Runnable action, BooleanSupplier done) throws Exception {
            long t = System.nanoTime();
            action.run();
            WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> fx(done::getAsBoolean));
            shown.add(System.nanoTime() - t);
        }

        void untimed(Runnable action, BooleanSupplier done) throws Exception {
            action.run();
            WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> fx(done::getAsBoolean));
        }

        void note(String s) { if (!notes.contains(s)) notes.add(s); }

        /** Duration of the FX runnable that applied a refresh's rows (DatasetViewModel.lastApplyMillis). */
        void applied(double millis) { appliedMax = Math.max(appliedMax, millis); appliedCount++; }

        double appliedMax;
        int appliedCount;

        String finish() throws Exception {
            long[] gaps = pulses.take();
            double wall = (System.nanoTime() - wall0) / 1e9;
            double cpu = (fxThreadCpu() - fxCpu0) / 1e9;
            double render = (renderThreadCpu() - renderCpu0) / 1e9;
            long[] s = shown.stream().mapToLong(Long::longValue).toArray();
            return String.format("%-52s shown p50 %6.0f ms  p95 %6.0f ms  max %6.0f ms | pulse gap p50 %5.1f ms  p95 %6.1f ms  max %6.1f ms"
                            + " (%d pulses, %d over 50 ms) | CPU of FX thread %.2f s, renderer %.2f s, in %.1f s%s",
                    name, ms(s, 50), ms(s, 95), ms(s, 100), ms(gaps, 50), ms(gaps, 95), ms(gaps, 100), gaps.length,
                    Arrays.stream(gaps).filter(g -> g > 50_000_000L).count(), cpu, render, wall,
                    (notes.isEmpty() ? "" : " | " + String.join(", ", notes))
                            + (appliedCount == 0 ? "" : String.format(" | FX runnable applying the rows: max %.1f ms of %d", appliedMax, appliedCount)));
        }
    }

    static double ms(long[] nanos, double p) {
        if (nanos.length == 0) return Double.NaN;
        long[] s = nanos.clone();
        Arrays.sort(s);
        return s[Math.max(0, Math.min(s.length - 1, (int) Math.ceil(p / 100 * s.length) - 1))] / 1e6;
    }

    private static final AtomicLong FX_THREAD = new AtomicLong(-1);

    static long fxThreadCpu() throws Exception {
        if (FX_THREAD.get() < 0) FX_THREAD.set(fx(() -> Thread.currentThread().threadId()));
        return ManagementFactory.getThreadMXBean().getThreadCpuTime(FX_THREAD.get());
    }

    /** CPU time of JavaFX's render thread(s) ("QuantumRenderer-*"): software rendering of the frames. */
    static long renderThreadCpu() {
        var mx = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("QuantumRenderer")) sum += Math.max(0, mx.getThreadCpuTime(t.threadId()));
        }
        return sum;
    }

    /** CPU time so far of the live threads that matter to the opening, by name. */
    static String threadCpu() {
        var mx = ManagementFactory.getThreadMXBean();
        java.util.Map<String, Long> byName = new java.util.TreeMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String n = t.getName();
            String key = n.startsWith("QuantumRenderer") ? "renderer" : n.equals("JavaFX Application Thread") ? "FX" : n.startsWith("djl") ? n
                    : n.startsWith("dataset-") ? n : null;
            if (key != null) byName.merge(key, Math.max(0, mx.getThreadCpuTime(t.threadId())), Long::sum);
        }
        StringBuilder sb = new StringBuilder();
        byName.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ", ").append(k).append(' ').append(v / 1_000_000).append(" ms"));
        return sb.toString();
    }

    /** CPU time of the whole process, every thread. */
    static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static <T> T fx(java.util.concurrent.Callable<T> c) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        Platform.runLater(() -> {
            try { f.complete(c.call()); } catch (Throwable e) { f.completeExceptionally(e); }
        });
        return f.get(60, TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------- what is on screen (FX thread)

    static VirtualFlow<?> flow(TableView<?> table) { return (VirtualFlow<?>) table.lookup(".virtual-flow"); }

    static int visibleCount(TableView<DatasetViewModel.Row> table) throws Exception {
        return fx(() -> {
            VirtualFlow<?> f = flow(table);
            return f.getLastVisibleCell().getIndex() - f.getFirstVisibleCell().getIndex() + 1;
        });
    }

    /** The row {@code index} is on screen and every visible row holds its example. */
    static boolean visibleLoaded(TableView<DatasetViewModel.Row> table, int index) {
        VirtualFlow<?> f = flow(table);
        IndexedCell<?> first = f.getFirstVisibleCell(), last = f.getLastVisibleCell();
        if (first == null || last == null || index < first.getIndex() || index > last.getIndex()) return false;
        return loaded(table, first.getIndex(), last.getIndex());
    }

    static boolean firstScreenLoaded(TableView<DatasetViewModel.Row> table) {
        VirtualFlow<?> f = flow(table);
        if (table.getItems().isEmpty()) return true;
        IndexedCell<?> first = f.getFirstVisibleCell(), last = f.getLastVisibleCell();
        return first != null && last != null && loaded(table, first.getIndex(), last.getIndex());
    }

    static boolean loaded(TableView<DatasetViewModel.Row> table, int from, int to) {
        for (int i = Math.max(0, from); i <= to && i < table.getItems().size(); i++) {
            if (table.getItems().get(i).exampleProperty().get() == null) return false;
        }
        return true;
    }

    static void waitShown(TableView<DatasetViewModel.Row> table, BooleanSupplier listed) throws Exception {
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> fx(() -> listed.getAsBoolean() && firstScreenLoaded(table)));
    }

    static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (Exception e) {
            return "?";
        }
    }
}
