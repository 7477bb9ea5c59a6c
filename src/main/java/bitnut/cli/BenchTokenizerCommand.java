package bitnut.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code bitnut bench tokenizer}: runs {@code bench/tokenizer/run.sh}, which times our trainer and HF
 * tokenizers' trainer (npm) as two separate processes under {@code /usr/bin/time} — a JVM cannot
 * measure another runtime's peak RSS from inside — and checks that their merges are identical.
 */
@Command(name = "tokenizer", mixinStandardHelpOptions = true,
        description = "Tokenizer training: ours vs HF tokenizers (npm) on the same corpus, 2 threads; wall, CPU, peak RSS, merges identical.")
final class BenchTokenizerCommand implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "CORPUS", description = "A .txt corpus (default: a generated 60 MB one in /tmp/bitnut-bench-tokenizer).")
    Path corpus;
    @Option(names = "--size-mb", defaultValue = "60", description = "Size of the generated corpus (default: ${DEFAULT-VALUE}).")
    int sizeMb;
    @Option(names = "--threads", defaultValue = "2", description = "Threads for both trainers (default: ${DEFAULT-VALUE}).")
    int threads;

    @Override public Integer call() throws Exception {
        Path script = Path.of(System.getProperty("bitnut.home", ".")).resolve("bench/tokenizer/run.sh");
        if (!Files.isRegularFile(script)) {
            System.err.println("error: " + script + " not found. HINT: run from a source checkout (the script needs npm and python3).");
            return 2;
        }
        List<String> cmd = new ArrayList<>(List.of(script.toString()));
        if (corpus != null) cmd.add(corpus.toString());
        else cmd.add(Path.of("/tmp/bitnut-bench-tokenizer/corpus.txt").toString());
        cmd.add(Integer.toString(sizeMb));
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        pb.environment().put("THREADS", Integer.toString(threads));
        return pb.start().waitFor();
    }
}
