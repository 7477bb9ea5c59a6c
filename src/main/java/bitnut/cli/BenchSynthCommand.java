package bitnut.cli;

import bitnut.synth.SynthBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code bitnut bench synth}: question dedupe and parsing speed, voice-job throughput by concurrency. */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = "Synth benchmark: dedupe of the shared seed questions at several near-duplicate thresholds, "
                + "reply parsing speed, voice-job answers/s against a fixed-latency loopback endpoint at concurrency 1/4/16. "
                + "Uses a temporary workspace.")
final class BenchSynthCommand implements Callable<Integer> {
    @Option(names = "--questions", paramLabel = "DIR", description = "Folder of {\"topic\",\"prompt\"} *.jsonl (default: <bitnut.home>/../shared/data/bitnut-seed/human_prompts).")
    Path questions;
    @Option(names = "--answers", defaultValue = "200", description = "Questions answered per concurrency level (default: ${DEFAULT-VALUE}).")
    int answers;
    @Option(names = "--latency-ms", defaultValue = "100", description = "Latency of the loopback stand-in teacher (default: ${DEFAULT-VALUE}).")
    int latencyMs;

    @Override public Integer call() throws Exception {
        Path q = BenchCommand.seedFolder(questions, "human_prompts");
        return BenchCommand.inTempDir("bitnut-bench-synth", dir -> new SynthBench(dir, q, answers, latencyMs, System.out::println).run());
    }
}
