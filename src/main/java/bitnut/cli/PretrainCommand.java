package bitnut.cli;

import bitnut.corpus.CorpusIndex;
import bitnut.model.BitNetConfig;
import bitnut.model.ModelPresets;
import bitnut.pretrain.PretrainJob;
import bitnut.pretrain.ShardTokenizer;
import bitnut.pretrain.PretrainRun;
import bitnut.tokenizer.WorkspaceTokenizer;
import bitnut.train.TrainConfig;
import bitnut.workspace.Workspace;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code bitnut pretrain}: starts or resumes a pretraining run in the terminal, one nanoGPT-style line
 * per log step on stderr. Overrides are {@code key=value} with HF config keys for the model
 * ({@code hidden_size=512}, {@code precision=full}) or snake_case training keys ({@code lr=1e-3},
 * {@code micro_batch=16}, {@code schedule=cosine}). Ctrl-C stops after saving a checkpoint;
 * {@code --resume RUN} continues exactly where it stopped.
 */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = "Pretrain a BitNet b1.58 model on token shards (resumable; Ctrl-C saves a checkpoint).")
public final class PretrainCommand implements Callable<Integer> {
    @ParentCommand BitnutCommand root;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--preset", defaultValue = "bitnut-tiny",
            description = "Model preset (bitnut-tiny, bitnut-133m) or a config.json path (default: ${DEFAULT-VALUE}).")
    String preset;
    @Option(names = "--shards", paramLabel = "DIR", description = "Corpus shard folder (train_*.bin, val_*.bin, index.json).")
    Path shards;
    @Option(names = "--tokenizer", paramLabel = "DIR", description = "Tokenizer folder (default: the one recorded in the shards' index.json).")
    Path tokenizer;
    @Option(names = "--steps", description = "Optimizer steps (default 2000).") Long steps;
    @Option(names = "--tokens", description = "Token budget instead of --steps (steps = tokens / (batch*seq*accum)).") Long tokens;
    @Option(names = "--out", paramLabel = "RUN", description = "Run folder (default: workspace/pretrain/<preset>-<time>).") Path out;
    @Option(names = "--resume", paramLabel = "RUN", description = "Continue the run in this folder (or name under workspace/pretrain/).") Path resume;
    @Parameters(paramLabel = "KEY=VALUE", description = "Model (HF config keys) or training overrides.") List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Workspace ws = root.workspace();
        PretrainJob.register();
        if (resume != null) {
            Path run = Files.isDirectory(resume) ? resume : ws.pretrainDir().resolve(resume.toString());
            PretrainRun.read(run);   // a clear error when it is not a run
            return CliJobRunner.run(new PretrainJob(run));
        }
        if (shards == null) throw new CommandLine.ParameterException(spec.commandLine(), "--shards DIR is required (or --resume RUN)");
        BitNetConfig model = ModelPresets.load(preset);
        TrainConfig train = TrainConfig.defaults(steps != null ? steps : 2000);
        for (String kv : overrides) {
            int eq = kv.indexOf('=');
            if (eq <= 0) throw new CommandLine.ParameterException(spec.commandLine(), "override '" + kv + "' is not KEY=VALUE");
            String k = kv.substring(0, eq), v = kv.substring(eq + 1);
            try {
                if (TrainConfig.isKey(k)) train = train.with(k, v); else model = model.withOverride(k, v);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        if (tokens != null) train = train.with("max_steps", Long.toString(Math.max(1, tokens / train.tokensPerStep())));
        Path tokDir = tokenizer != null ? tokenizer : ShardTokenizer.folderOf(shards);
        model = ShardTokenizer.match(model, shards, tokDir);
        Path run = out != null ? out : ws.pretrainDir().resolve(preset.replaceAll("[^A-Za-z0-9._-]", "_") + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        System.err.println("run " + run + ": " + model.summary());
        return CliJobRunner.run(PretrainJob.create(run, PretrainRun.of(model, train, shards, tokDir, preset)));
    }
}
