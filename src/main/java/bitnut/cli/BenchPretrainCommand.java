package bitnut.cli;

import bitnut.model.BitNetConfig;
import bitnut.model.ModelPresets;
import bitnut.pretrain.PretrainBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code bitnut bench pretrain}: DJL training steps/s for a preset at seq 256 and, with {@code --torch},
 * the same model in PyTorch eager (bench/pretrain/bitnet_torch_bench.py, Debian python3-torch) run
 * right after with the same thread count, plus the ratio. Set libtorch's threads for DJL with
 * BITNUT_JAVA_OPTS="-Dai.djl.pytorch.num_threads=N" (the --threads value is passed to both when given).
 */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = "Benchmark pretraining steps (DJL vs PyTorch eager).")
public final class BenchPretrainCommand implements Callable<Integer> {
    @Option(names = "--preset", defaultValue = "bitnut-tiny", description = "Preset or config.json (default: ${DEFAULT-VALUE}).") String preset;
    @Option(names = "--batch", defaultValue = "8", description = "Rows per step (default: ${DEFAULT-VALUE}).") int batch;
    @Option(names = "--seq", defaultValue = "256", description = "Tokens per row (default: ${DEFAULT-VALUE}).") int seq;
    @Option(names = "--steps", defaultValue = "5", description = "Timed steps (default: ${DEFAULT-VALUE}).") int steps;
    @Option(names = "--warmup", defaultValue = "2", description = "Untimed steps first (default: ${DEFAULT-VALUE}).") int warmup;
    @Option(names = "--precision", defaultValue = "ternary", description = "ternary or full.") String precision;
    @Option(names = "--torch", description = "Also run the PyTorch eager reference script.") boolean torch;
    @Option(names = "--threads", description = "Threads for PyTorch (DJL reads -Dai.djl.pytorch.num_threads).") Integer threads;

    @Override
    public Integer call() throws Exception {
        BitNetConfig cfg = ModelPresets.load(preset).withPrecision(BitNetConfig.Precision.parse(precision));
        String djlThreads = System.getProperty("ai.djl.pytorch.num_threads", "default");
        System.out.printf(Locale.ROOT, "# %s (%s), B=%d T=%d, %d timed steps; DJL threads %s; load %s%n",
                preset, cfg.summary(), batch, seq, steps, djlThreads, loadAverage());
        PretrainBench.Result djl = PretrainBench.run(cfg, batch, seq, warmup, steps);
        System.out.println(djl.line());
        if (!torch) return 0;
        Path script = Path.of(System.getProperty("bitnut.home", ".")).resolve("bench/pretrain/bitnet_torch_bench.py");
        Path json = Files.createTempFile("bitnut-bench", ".json");
        try {
            Files.writeString(json, cfg.toJson().toString());
            List<String> cmd = new ArrayList<>(List.of(python(), script.toString(), json.toString(), "--batch", "" + batch,
                    "--seq", "" + seq, "--steps", "" + steps, "--warmup", "" + warmup, "--precision", cfg.precision().id(),
                    "--threads", "" + (threads != null ? threads : Runtime.getRuntime().availableProcessors())));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String last = null;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) last = line;
            }
            if (p.waitFor() != 0 || last == null || !last.startsWith("{")) {
                System.err.println("PyTorch reference failed: " + last + "\nHINT: apt-get install python3-torch");
                return 1;
            }
            var n = bitnut.common.Json.MAPPER.readTree(last);
            double s = n.get("s_per_step_median").asDouble();
            System.out.printf(Locale.ROOT, "%-28s params %,d  B=%d T=%d  %.3f s/step  %.3f CPU-s/step  %,.0f tok/s  threads %d  loss %.3f%n",
                    n.get("engine").asText(), n.get("params").asLong(), batch, seq, s, n.get("cpu_s_per_step").asDouble(),
                    n.get("tokens_per_s").asDouble(), n.get("threads").asInt(), n.get("loss").asDouble());
            System.out.printf(Locale.ROOT, "DJL / PyTorch throughput: %.2fx (wall), CPU-s ratio PyTorch/DJL %.2fx; load after %s%n",
                    s / djl.secondsPerStep(), n.get("cpu_s_per_step").asDouble() / djl.cpuSecondsPerStep(), loadAverage());
        } finally {
            Files.deleteIfExists(json);
        }
        return 0;
    }

    /** BITNUT_PYTHON, else Debian's /usr/bin/python3 (where python3-torch lives), else python3 on the PATH. */
    static String python() {
        String env = System.getenv("BITNUT_PYTHON");
        if (env != null && !env.isBlank()) return env;
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim().split(" ", 4)[0];
        } catch (Exception e) {
            return "?";
        }
    }
}
