package bitnut.cli;

import bitnut.common.AtomicFiles;
import picocli.CommandLine.Command;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code bitnut bench <stage>}: the measured performance figures of docs/benchmarks.md. Each stage
 * adds one subcommand; benchmarks are not tests (results vary with the machine and its load).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run a stage's benchmark and print the figures recorded in docs/benchmarks.md.",
        subcommands = {
                BenchDatasetCommand.class,
                BenchInferCommand.class,
                BenchTokenizerCommand.class,
                BenchCorpusCommand.class,
                BenchPretrainCommand.class,
                BenchSynthCommand.class,
        })
public final class BenchCommand implements Runnable {
    @picocli.CommandLine.ParentCommand BitnutCommand root;
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override public void run() { spec.commandLine().usage(System.out); }

    /** A folder of the shared seed data: {@code given}, else {@code <bitnut.home>/../shared/data/bitnut-seed/<name>}; null when absent. */
    static Path seedFolder(Path given, String name) {
        Path p = given != null ? given
                : Path.of(System.getProperty("bitnut.home", ".")).resolve("../shared/data/bitnut-seed").resolve(name).normalize();
        return Files.isDirectory(p) ? p : null;
    }

    interface InTempDir { void run(Path dir) throws Exception; }

    /** Runs a benchmark in a fresh temporary folder that is deleted afterwards; exit code 0. */
    static int inTempDir(String prefix, InTempDir bench) throws Exception {
        Path dir = Files.createTempDirectory(prefix);
        try {
            bench.run(dir);
            return 0;
        } finally {
            AtomicFiles.deleteTree(dir);
        }
    }
}
