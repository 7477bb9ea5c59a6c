package bitnut.cli;

import bitnut.dataset.DatasetBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code bitnut bench dataset}: import speed, filter/search/page latency at 100k rows, edit commit latency under load. */
@Command(name = "dataset", mixinStandardHelpOptions = true,
        description = "Dataset store benchmark: import of the shared seed pairs, filter/search/page on N synthetic rows, "
                + "edit commit latency while a generator thread writes. Uses a temporary database.")
final class BenchDatasetCommand implements Callable<Integer> {
    @Option(names = "--pairs", paramLabel = "DIR", description = "Folder of original-format *.jsonl (default: <bitnut.home>/../shared/data/bitnut-seed/bitnut_finetune).")
    Path pairs;
    @Option(names = "--rows", defaultValue = "100000", description = "Synthetic rows for the query benchmark (default: ${DEFAULT-VALUE}).")
    int rows;
    @Option(names = "--queries", defaultValue = "300", description = "Timed filter/search/page queries (default: ${DEFAULT-VALUE}).")
    int queries;
    @Option(names = "--edits", defaultValue = "300", description = "Timed edits per phase (default: ${DEFAULT-VALUE}).")
    int edits;

    @Override public Integer call() throws Exception {
        Path p = BenchCommand.seedFolder(pairs, "bitnut_finetune");
        return BenchCommand.inTempDir("bitnut-bench-dataset", dir -> new DatasetBench(dir, p, rows, queries, edits, System.out::println).run());
    }
}
