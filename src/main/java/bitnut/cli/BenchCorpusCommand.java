package bitnut.cli;

import bitnut.corpus.CorpusBench;
import bitnut.corpus.CorpusTokenizer;
import bitnut.workspace.Workspace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code bitnut bench corpus}: shard-build MB/s against raw DJL encoding of the same text, random
 * window reads, memory ({@link CorpusBench}; figures in docs/benchmarks.md, "## Corpus").
 */
@Command(name = "corpus", mixinStandardHelpOptions = true,
        description = {"Measure shard-build MB/s against raw DJL encoding of the same text (same threads, equal warm-up,",
                "median of --rounds rounds in one run), and random window reads. The SUMMARY line is the one to quote."})
final class BenchCorpusCommand implements Callable<Integer> {
    @ParentCommand BenchCommand parent;
    @Option(names = "--input", required = true, arity = "1..*", paramLabel = "PATH", description = "Text files, folders or globs.")
    List<String> inputs;
    @Option(names = "--field", defaultValue = "text", description = "JSONL field / Parquet column (default: ${DEFAULT-VALUE}).")
    String field;
    @Option(names = "--tokenizer", paramLabel = "DIR", description = "Folder with tokenizer.json (default: the workspace's newest).")
    Path tokenizer;
    @Option(names = "--threads", defaultValue = "2", description = "Encoder threads (default: ${DEFAULT-VALUE}).")
    int threads;
    @Option(names = "--max-documents", defaultValue = "0", description = "Cap on documents (0 = all).")
    long maxDocuments;
    @Option(names = "--rounds", defaultValue = "3", description = "Timed rounds of raw encode + build, order alternating (default: ${DEFAULT-VALUE}).")
    int rounds;
    @Option(names = "--warmup-mb", defaultValue = "8", description = "MB of text encoded and built once, untimed, before the rounds (default: ${DEFAULT-VALUE}).")
    double warmupMb;
    @Option(names = "--shard-mb", defaultValue = "256", description = "Synthetic shard size for window reads, 0 = skip them (default: ${DEFAULT-VALUE}).")
    long shardMb;
    @Option(names = "--batch", defaultValue = "64", description = "B of the windows (default: ${DEFAULT-VALUE}).")
    int batch;
    @Option(names = "--context", defaultValue = "1024", description = "T of the windows (default: ${DEFAULT-VALUE}).")
    int context;
    @Option(names = "--read-seconds", defaultValue = "5", description = "Timed window-read phase (default: ${DEFAULT-VALUE}).")
    double readSeconds;

    @Override public Integer call() throws Exception {
        if (rounds < 1 || threads < 1) throw new IllegalArgumentException("--rounds and --threads must be >= 1");
        Workspace ws = parent.root.workspace();
        Path tok = tokenizer != null ? tokenizer : CorpusTokenizer.findIn(ws.tokenizerDir());
        Path work = Files.createTempDirectory(ws.corpusDir(), "bench-");
        CorpusBench.run(new CorpusBench.Options(inputs, field, tok, work, threads, maxDocuments, rounds, warmupMb, shardMb, batch, context, readSeconds),
                System.out);
        return 0;
    }
}
