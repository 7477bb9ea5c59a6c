package bitnut.cli;

import bitnut.finetune.FinetuneConfig;
import bitnut.finetune.FinetuneJob;
import bitnut.train.Checkpoints;
import bitnut.workspace.Workspace;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;

/**
 * {@code bitnut finetune --base CKPT --data FILE --out RUN [options]}: supervised finetuning of a
 * pretrain checkpoint on prompt/response JSONL. A preset sets every value; options override it.
 * Running the same command again on an existing run folder resumes it.
 */
@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = "Finetune a pretrain checkpoint on prompt/response examples (loss on the answers and their eos).",
        subcommands = FinetuneCommand.Bench.class)
public final class FinetuneCommand implements Callable<Integer> {
    @ParentCommand BitnutCommand root;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    // picocli builds every command class at CLI start: interrupted finetune runs become resumable
    // from 'bitnut tasks resume' too (rerunning the same command also resumes)
    static { FinetuneJob.register(); }

    @Option(names = "--base", paramLabel = "CKPT",
            description = "Pretrain checkpoint folder (config.json + model.safetensors + tokenizer.json), or a run folder: its latest checkpoint.")
    Path base;
    @Option(names = "--data", paramLabel = "FILE",
            description = "JSONL with \"prompt\" and \"response\" per line (the Dataset stage's export), or a folder of such .jsonl files.")
    Path data;
    @Option(names = "--out", paramLabel = "RUN",
            description = "Run folder; a bare name goes under workspace/finetune/ (default: a new dated folder there). An existing run resumes.")
    String out;
    @Option(names = "--preset", defaultValue = "bitnet-recommended",
            description = "original (finetune.py: 3 epochs, 2x4, LR 2e-5, wd 0.01, warmup 100) or bitnet-recommended (default).")
    String preset;
    @Option(names = "--epochs") Integer epochs;
    @Option(names = "--batch-size", description = "Packed rows per micro-batch.") Integer batchSize;
    @Option(names = "--accumulation", description = "Micro-batches per optimizer step.") Integer accumulation;
    @Option(names = "--seq-len", description = "Positions per packed row; longer examples are truncated (counted).") Integer seqLen;
    @Option(names = "--lr", description = "Peak learning rate.") Double lr;
    @Option(names = "--min-lr-ratio", description = "Final LR as a fraction of the peak (cosine).") Double minLrRatio;
    @Option(names = "--warmup", description = "Warm-up steps.") Integer warmup;
    @Option(names = "--weight-decay") Double weightDecay;
    @Option(names = "--grad-clip") Double gradClip;
    @Option(names = "--reduction", description = "Loss over trained tokens: mean or sum.") String reduction;
    @Option(names = "--val-fraction", description = "Share of examples held out.") Double valFraction;
    @Option(names = "--eval-every", description = "Steps between validation + held-out answers.") Integer evalEvery;
    @Option(names = "--sample-prompts", description = "Held-out prompts answered at each evaluation.") Integer samplePrompts;
    @Option(names = "--max-new-tokens", description = "Token limit of those answers.") Integer maxNewTokens;
    @Option(names = "--checkpoint-every", description = "Steps between checkpoints.") Integer checkpointEvery;
    @Option(names = "--seed") Long seed;

    @Override
    public Integer call() throws IOException {
        Workspace ws = root.workspace();
        FinetuneConfig c;
        try {
            c = config(ws);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        return CliJobRunner.run(new FinetuneJob(c));
    }

    FinetuneConfig config(Workspace ws) throws IOException {
        if (base == null || data == null) throw new IllegalArgumentException("Missing required options: --base=CKPT and --data=FILE");
        Path baseDir = resolveBase(base);
        if (!Files.exists(data)) throw new IllegalArgumentException("--data: no such file or folder " + data);
        Path outDir = out == null
                ? ws.finetuneDir().resolve("run-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))
                : (Path.of(out).getNameCount() == 1 && !Path.of(out).isAbsolute() ? ws.finetuneDir().resolve(out) : Path.of(out));
        FinetuneConfig p = FinetuneConfig.preset(FinetuneConfig.Preset.parse(preset), baseDir.toAbsolutePath(),
                data.toAbsolutePath(), outDir.toAbsolutePath());
        return new FinetuneConfig(p.base(), p.data(), p.out(), p.preset(),
                or(epochs, p.epochs()), or(batchSize, p.batchSize()), or(accumulation, p.accumulation()), or(seqLen, p.seqLen()),
                or(lr, p.lr()), or(minLrRatio, p.minLrRatio()), or(warmup, p.warmupSteps()), or(weightDecay, p.weightDecay()),
                or(gradClip, p.gradClip()), reduction == null ? p.reduction() : FinetuneConfig.LossReduction.parse(reduction),
                or(valFraction, p.valFraction()), or(evalEvery, p.evalEvery()), or(samplePrompts, p.samplePrompts()),
                or(maxNewTokens, p.maxNewTokens()), or(checkpointEvery, p.checkpointEvery()), or(seed, p.seed()));
    }

    /** A checkpoint folder as is; a run folder -> its latest checkpoint. */
    static Path resolveBase(Path p) throws IOException {
        if (Files.isRegularFile(p.resolve(Checkpoints.CONFIG))) return p;
        var latest = new Checkpoints(p).latest();
        if (latest.isPresent()) return latest.get().dir();
        throw new IllegalArgumentException("--base: " + p + " is neither a checkpoint (config.json) nor a run folder with checkpoints/");
    }

    private static <T> T or(T v, T d) { return v != null ? v : d; }

    @Command(name = "bench", mixinStandardHelpOptions = true,
            description = "Training tokens/s: finetuning (packed) vs pretraining vs padded-to-T, same model and sequence length.")
    static final class Bench implements Callable<Integer> {
        @Option(names = "--model", defaultValue = "bitnut-tiny", description = "Preset name or config.json (default: ${DEFAULT-VALUE}).")
        String model;
        @Option(names = "--batch", defaultValue = "8", description = "Rows per micro-batch (default: ${DEFAULT-VALUE}).") int batch;
        @Option(names = "--seq-len", defaultValue = "256", description = "Positions per row (default: ${DEFAULT-VALUE}).") int seqLen;
        @Option(names = "--steps", defaultValue = "4", description = "Steps per source per round (default: ${DEFAULT-VALUE}).") int steps;
        @Option(names = "--rounds", defaultValue = "3", description = "Interleaved rounds (default: ${DEFAULT-VALUE}).") int rounds;

        @Override public Integer call() throws IOException {
            var cfg = bitnut.model.ModelPresets.load(model);
            System.out.printf("model %s, B %d, T %d, %d rounds x %d steps per source, threads %s, load %s%n", cfg.summary(), batch,
                    seqLen, rounds, steps, System.getProperty("ai.djl.pytorch.num_threads", "default"), loadAverage());
            var r = bitnut.finetune.FinetuneBench.run(new bitnut.finetune.FinetuneBench.Options(cfg, batch, seqLen, steps, rounds, 1), System.out);
            System.out.printf("| pretrain tok/s | finetune packed tok/s | ratio | packing fill | padded-to-T real tok/s | padded fill |%n");
            System.out.printf("| %.0f | %.0f | %.3f | %.3f | %.0f | %.3f |%n", r.pretrainTokPerS(), r.finetuneTokPerS(), r.ratio(),
                    r.packFill(), r.paddedTokPerS(), r.paddedFill());
            System.out.println("load after: " + loadAverage());
            return 0;
        }

        private static String loadAverage() {
            try {
                return java.nio.file.Files.readString(Path.of("/proc/loadavg")).strip();
            } catch (IOException e) {
                return "n/a";
            }
        }
    }
}
