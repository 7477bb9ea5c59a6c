package bitnut.tokenizer;

import bitnut.common.AtomicFiles;
import bitnut.common.Job;
import bitnut.common.JobContext;
import bitnut.common.Lane;
import bitnut.text.DocumentStream;
import bitnut.text.SourceReport;
import bitnut.text.TextOptions;
import bitnut.text.TextSources;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Tokenizer stage as a {@link Job}: read the corpus ({@link TextSources}) -> count words on all
 * cores ({@link WordCounter}) -> merge loop ({@link BpeTrainer}) -> write the HF files
 * ({@link TokenizerFiles}) and {@code training_report.json} into {@code outDir}. Phases report
 * progress, MB/s and merges done; cancel takes effect at the next checkpoint and leaves no partial
 * tokenizer (files are written last, each atomically).
 */
public final class TrainTokenizerJob implements Job {
    public static final String KIND = "tokenizer.train";
    public static final String REPORT_JSON = "training_report.json";
    private static final long HELD_OUT_MAX_CHARS = 1_000_000;

    /** One phase's cost. Heap peak is the JVM heap pools' peak during the phase; RSS peak is the process high-water mark so far. */
    public record Phase(String name, double seconds, double cpuSeconds, long heapPeakBytes, long rssPeakBytes) { }

    /** What a run did; saved as training_report.json. */
    public record Report(TokenizerConfig config, List<String> inputs, long bytes, long sequences, long distinctWords,
                         int alphabetSize, int vocabSize, int merges, long initialPairs,
                         String bytesPerTokenSlice, long sliceBytes, long sliceTokens, double bytesPerToken,
                         List<Phase> phases, long filesRead, List<SourceReport.Skipped> skippedFiles,
                         long badLines, List<String> badLineExamples, long invalidUtf8) { }

    private final List<String> inputs;
    private final TokenizerConfig config;
    private final Path outDir;
    private volatile Report report;

    public TrainTokenizerJob(List<String> inputs, TokenizerConfig config, Path outDir) {
        this.inputs = List.copyOf(inputs);
        this.config = config;
        this.outDir = outDir;
    }

    @Override public String kind() { return KIND; }
    @Override public String title() { return "Train tokenizer (" + config.vocabSize() + ") -> " + outDir.getFileName(); }
    @Override public Lane lane() { return Lane.CPU; }

    @Override
    public Map<String, Object> spec() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("inputs", inputs);
        m.put("vocabSize", config.vocabSize());
        m.put("minFrequency", config.minFrequency());
        m.put("sequences", config.sequences().name());
        m.put("out", outDir.toString());
        return m;
    }

    /** The report of the finished run, or null. */
    public Report report() { return report; }

    @Override
    public String run(JobContext ctx) throws Exception {
        List<Phase> phases = new ArrayList<>();
        TextOptions opts = TextOptions.defaults().withField(config.field()).withMaxDocuments(config.maxDocuments());

        ctx.progress(0, "counting words");
        PhaseTimer t = new PhaseTimer("count words");
        WordCounter.Counts counts;
        SourceReport src;
        try (DocumentStream seqs = TextSources.openSequences(inputs, opts, config.sequences())) {
            counts = WordCounter.count(seqs, config.threads(), config.heldOutEvery(), HELD_OUT_MAX_CHARS, ctx);
            src = seqs.report();
        }
        phases.add(t.done());
        ctx.log(src.summary());
        if (counts.words().size() == 0) {
            throw new IllegalArgumentException("the corpus is empty: no text in " + String.join(", ", inputs)
                    + (src.skipped().isEmpty() ? "" : " (" + src.skipped().size() + " file(s) skipped: "
                    + src.skipped().get(0).path() + ": " + src.skipped().get(0).reason() + ")"));
        }
        ctx.log(String.format("%,d sequences, %.1f MB, %,d distinct words", counts.sequences(), counts.bytes() / 1e6, counts.words().size()));

        ctx.progress(0, "merging");
        t = new PhaseTimer("merge");
        BpeTrainer.Result r = BpeTrainer.train(counts.words(), config.vocabSize(), config.minFrequency(),
                config.specialTokens(), config.byteAlphabet(), ctx);
        phases.add(t.done());
        ctx.log(String.format("vocab %d = %d specials + %d alphabet + %d merges; %,d distinct pairs (%,d at the start)",
                r.vocab().size(), r.specials(), r.alphabetSize(), r.merges().size(), r.pairsTotal(), r.pairsInitial()));
        ctx.checkpoint();

        ctx.progress(0.99, "writing files");
        t = new PhaseTimer("write");
        Files.createDirectories(outDir);
        TokenizerFiles.write(outDir, r.vocab(), r.merges(), config.specialTokens());
        phases.add(t.done());

        t = new PhaseTimer("bytes/token check");
        BpeEncoder enc = BpeEncoder.of(r.vocab(), r.merges(), config.specialTokens());
        long sliceBytes = 0, sliceTokens = 0;
        for (String s : counts.heldOut()) {
            sliceBytes += s.getBytes(StandardCharsets.UTF_8).length;
            sliceTokens += enc.encode(s).length;
        }
        phases.add(t.done());
        double bpt = sliceTokens == 0 ? 0 : (double) sliceBytes / sliceTokens;
        Report rep = new Report(config, inputs, counts.bytes(), counts.sequences(), r.distinctWords(), r.alphabetSize(),
                r.vocab().size(), r.merges().size(), r.pairsInitial(),
                counts.inSample() ? "in-sample (first sequences; nothing held out)" : "held out (every " + config.heldOutEvery() + "th sequence)",
                sliceBytes, sliceTokens, bpt, phases, src.filesRead().size(), src.skipped(), src.badLines(),
                src.badLineExamples(), src.invalidUtf8());
        AtomicFiles.writeJson(outDir.resolve(REPORT_JSON), rep);
        report = rep;
        ctx.progress(1, "done");
        return String.format("tokenizer %s: vocab %d, %d merges, %.2f bytes/token %s, %.1f MB in %.1f s",
                outDir, r.vocab().size(), r.merges().size(), bpt, counts.inSample() ? "in-sample" : "held out",
                counts.bytes() / 1e6, phases.stream().mapToDouble(Phase::seconds).sum());
    }

    /** Wall, CPU (whole process) and memory of one phase. */
    static final class PhaseTimer {
        private final String name;
        private final long wall0 = System.nanoTime();
        private final long cpu0 = processCpuNanos();

        PhaseTimer(String name) {
            this.name = name;
            for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) if (p.getType() == MemoryType.HEAP) p.resetPeakUsage();
        }

        Phase done() {
            long heap = 0;
            for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
                if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) heap += p.getPeakUsage().getUsed();
            }
            return new Phase(name, (System.nanoTime() - wall0) / 1e9, (processCpuNanos() - cpu0) / 1e9, heap, peakRss());
        }
    }

    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    /** VmHWM of this process (Linux), or -1. */
    static long peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux: the report says -1
        }
        return -1;
    }
}
