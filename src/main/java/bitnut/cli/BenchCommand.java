package bitnut.cli;

import picocli.CommandLine.Command;

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
}
