package bitnut.cli;

import bitnut.common.Json;
import bitnut.dataset.DatasetExportJob;
import bitnut.dataset.DatasetFormat;
import bitnut.dataset.DatasetImportJob;
import bitnut.dataset.DatasetStats;
import bitnut.dataset.DatasetStore;
import bitnut.dataset.Example;
import bitnut.dataset.ExampleFilter;
import bitnut.dataset.ExampleSource;
import bitnut.dataset.ExampleStatus;
import bitnut.dataset.Flag;
import bitnut.dataset.FlagConfig;
import bitnut.dataset.FlagJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** {@code bitnut dataset import|export|stats|flag}: the Dataset stage from the terminal (workspace/dataset/dataset.db). */
@Command(name = "dataset", mixinStandardHelpOptions = true,
        description = "Curate the question/answer dataset (workspace/dataset/dataset.db).",
        subcommands = {DatasetCommand.Import.class, DatasetCommand.Export.class, DatasetCommand.Stats.class, DatasetCommand.FlagCmd.class})
public final class DatasetCommand implements Runnable {
    @ParentCommand BitnutCommand root;
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override public void run() { spec.commandLine().usage(System.out); }

    DatasetStore openStore() throws java.sql.SQLException { return DatasetStore.open(root.workspace()); }

    /** Filter options shared by export and flag --list. */
    static final class FilterOptions {
        @Option(names = "--topic", description = "Only this topic.") String topic;
        @Option(names = "--status", description = "Only this status: ${COMPLETION-CANDIDATES}.") ExampleStatus status;
        @Option(names = "--source", description = "Only this source: ${COMPLETION-CANDIDATES}.") ExampleSource source;
        @Option(names = "--flag", description = "Only examples with this flag: ${COMPLETION-CANDIDATES}.") Flag flag;
        @Option(names = "--unflagged", description = "Only examples without any flag.") boolean unflagged;
        @Option(names = "--min-words", description = "Response at least N words.") Integer minWords;
        @Option(names = "--max-words", description = "Response at most N words.") Integer maxWords;
        @Option(names = "--search", description = "Full-text query over prompt and response.") String search;

        ExampleFilter filter() {
            return ExampleFilter.ALL.withTopic(topic).withStatus(status).withSource(source).withFlag(flag)
                    .withUnflagged(unflagged ? Boolean.TRUE : null).withWords(minWords, maxWords).withSearch(search);
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Import JSONL files (original pairs, question files, HF chat). Topic = file name unless the line has one. "
                    + "Malformed lines are reported as file:line and skipped; questions already stored are skipped.")
    static final class Import implements Callable<Integer> {
        @ParentCommand DatasetCommand parent;
        @Option(names = "--format", defaultValue = "auto", description = "auto, original, questions or hf_chat (default: ${DEFAULT-VALUE}).")
        DatasetFormat format;
        @Parameters(arity = "1..*", paramLabel = "FILE|DIR", description = "JSONL files, or folders (their *.jsonl files, sorted).")
        List<Path> inputs;

        @Override public Integer call() throws Exception {
            List<Path> files = new ArrayList<>();
            for (Path p : inputs) {
                if (Files.isDirectory(p)) {
                    try (Stream<Path> s = Files.list(p)) {
                        s.filter(f -> f.getFileName().toString().endsWith(".jsonl")).sorted().forEach(files::add);
                    }
                } else if (Files.isRegularFile(p)) {
                    files.add(p);
                } else {
                    System.err.println("error: no such file or folder: " + p);
                    return 2;
                }
            }
            try (DatasetStore store = parent.openStore()) {
                return CliJobRunner.run(new DatasetImportJob(store, files, format));
            }
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Export answered examples, ordered by topic then id: original (a folder, one <topic>.jsonl each), "
                    + "hf_chat (one file of messages) or finetune (one file, approved examples only, original format).")
    static final class Export implements Callable<Integer> {
        @ParentCommand DatasetCommand parent;
        @Option(names = "--format", required = true, description = "original, hf_chat or finetune.") DatasetFormat format;
        @picocli.CommandLine.Mixin FilterOptions filter = new FilterOptions();
        @Parameters(paramLabel = "OUT", description = "Target folder (original) or file (hf_chat, finetune).") Path out;

        @Override public Integer call() throws Exception {
            if (format == DatasetFormat.AUTO || format == DatasetFormat.QUESTIONS) {
                System.err.println("error: export formats are original, hf_chat and finetune");
                return 2;
            }
            try (DatasetStore store = parent.openStore()) {
                return CliJobRunner.run(new DatasetExportJob(store, out, format, filter.filter()));
            }
        }
    }

    @Command(name = "stats", mixinStandardHelpOptions = true, description = "Counts per status, source, flag and topic; length histogram.")
    static final class Stats implements Callable<Integer> {
        @ParentCommand DatasetCommand parent;
        @Option(names = "--json", description = "Print JSON instead of text.") boolean json;

        @Override public Integer call() throws Exception {
            try (DatasetStore store = parent.openStore()) {
                DatasetStats s = store.stats(ExampleFilter.ALL);
                if (json) {
                    System.out.println(Json.MAPPER.writeValueAsString(s));
                    return 0;
                }
                System.out.printf("%s%n%,d examples, %,d answered, %d topics%n", store.file(), s.total(), s.answered(), s.perTopic().size());
                System.out.println("status: " + s.perStatus());
                System.out.println("source: " + s.perSource());
                StringBuilder fl = new StringBuilder("flags:");
                s.perFlag().forEach((f, n) -> fl.append("  ").append(f.label).append(' ').append(n));
                System.out.println(fl);
                StringBuilder h = new StringBuilder("response words:");
                long[] hist = s.lengthHistogram();
                for (int i = 0; i < hist.length; i++) {
                    if (hist[i] == 0) continue;
                    int lo = i * DatasetStats.BUCKET_WORDS;
                    h.append("  ").append(lo).append(i == hist.length - 1 ? "+" : "-" + (lo + DatasetStats.BUCKET_WORDS - 1)).append(':').append(hist[i]);
                }
                System.out.println(h);
                System.out.println("topics:");
                s.perTopic().forEach((t, n) -> System.out.printf("  %-32s %,8d%n", t, n));
                return 0;
            }
        }
    }

    @Command(name = "flag", mixinStandardHelpOptions = true,
            description = "Recompute automatic flags (text detectors + near-duplicate questions), or --list flagged examples with reasons.")
    static final class FlagCmd implements Callable<Integer> {
        @ParentCommand DatasetCommand parent;
        @Option(names = "--near-duplicate-threshold", defaultValue = "0.8", description = "MinHash Jaccard threshold (default: ${DEFAULT-VALUE}).")
        double threshold;
        @Option(names = "--too-long-words", defaultValue = "200", description = "Too long above this many words (default: ${DEFAULT-VALUE}).")
        int maxWords;
        @Option(names = "--list", description = "List examples matching the filter with their flag reasons instead of recomputing.")
        boolean list;
        @Option(names = "--limit", defaultValue = "20", description = "With --list: at most N examples (default: ${DEFAULT-VALUE}).")
        int limit;
        @picocli.CommandLine.Mixin FilterOptions filter = new FilterOptions();

        @Override public Integer call() throws Exception {
            try (DatasetStore store = parent.openStore()) {
                if (!list) {
                    FlagConfig cfg = FlagConfig.DEFAULT.withNearDuplicateThreshold(threshold).withMaxWords(maxWords);
                    return CliJobRunner.run(new FlagJob(store, cfg));
                }
                long[] ids = store.ids(filter.filter());
                for (Example e : store.load(ids, 0, Math.min(limit, ids.length))) {
                    System.out.printf("#%d [%s] %s%n", e.id(), e.topic(), oneLine(e.prompt(), 100));
                    for (Map.Entry<String, String> n : e.flagNotes().entrySet()) {
                        System.out.printf("    %-16s %s%n", Flag.valueOf(n.getKey()).label, n.getValue());
                    }
                }
                System.out.printf("%,d matching example(s)%n", ids.length);
                return 0;
            }
        }

        private static String oneLine(String s, int n) {
            String t = s.replaceAll("\\s+", " ");
            return t.length() > n ? t.substring(0, n) + "..." : t;
        }
    }

}
