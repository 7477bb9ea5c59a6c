package bitnut.cli;

import bitnut.infer.CheckpointCatalog;
import bitnut.infer.InferenceEngine;
import bitnut.infer.SamplingSettings;
import bitnut.infer.kernel.DenseMatrix;
import bitnut.workspace.Workspace;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Options shared by sample / chat / serve: which checkpoint, how to run it, how to sample. */
final class InferOptions {
    @Option(names = "--checkpoint", paramLabel = "DIR",
            description = "Checkpoint folder, or a run folder (its newest checkpoint). Default: the newest checkpoint in the workspace.")
    Path checkpoint;
    @Option(names = "--tokenizer", paramLabel = "PATH", description = "tokenizer.json (default: the checkpoint's copy, else the workspace tokenizer).")
    Path tokenizer;
    @Option(names = "--threads", defaultValue = "2", description = "Matmul threads (default: ${DEFAULT-VALUE}).")
    int threads;
    @Option(names = "--head-precision", defaultValue = "int8", description = "Embeddings/lm_head precision: f32 (exact), bf16, int8 (default: ${DEFAULT-VALUE}; 4x fewer head bytes than f32, perplexity +0.009% on the tiny checkpoint).")
    String headPrecision;
    @Option(names = "--context", defaultValue = "0", description = "Context window in tokens (default: the model's max_position_embeddings).")
    int context;

    @Option(names = "--max-tokens", defaultValue = "128", description = "New tokens at most (default: ${DEFAULT-VALUE}).")
    int maxTokens;
    @Option(names = "--temperature", defaultValue = "0.8", description = "0 = greedy (default: ${DEFAULT-VALUE}).")
    float temperature;
    @Option(names = "--top-k", defaultValue = "40", description = "0 = off (default: ${DEFAULT-VALUE}).")
    int topK;
    @Option(names = "--top-p", defaultValue = "0.95", description = "1 = off (default: ${DEFAULT-VALUE}).")
    float topP;
    @Option(names = "--min-p", defaultValue = "0.05", description = "0 = off (default: ${DEFAULT-VALUE}).")
    float minP;
    @Option(names = "--repetition-penalty", defaultValue = "1.1", description = "1 = off (default: ${DEFAULT-VALUE}).")
    float repetitionPenalty;
    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop string (repeatable; \\n is a newline).")
    List<String> stops = new ArrayList<>();

    SamplingSettings sampling() {
        List<String> s = new ArrayList<>();
        for (String stop : stops) s.add(stop.replace("\\n", "\n"));
        return new SamplingSettings(maxTokens, temperature, topK, topP, minP, repetitionPenalty, seed, s, true, List.of());
    }

    /** The checkpoint to use: --checkpoint resolved, or the newest one in the workspace. */
    Path resolveCheckpoint(Workspace ws) throws IOException {
        if (checkpoint != null) return CheckpointCatalog.resolve(checkpoint);
        return CheckpointCatalog.latest(ws.finetuneDir(), ws.pretrainDir()).map(CheckpointCatalog.Entry::dir)
                .orElseThrow(() -> new IOException("no checkpoint in " + ws.root() + " (pretrain/ or finetune/). "
                        + "HINT: train one (bitnut pretrain) or pass --checkpoint DIR"));
    }

    InferenceEngine open(Workspace ws) throws IOException {
        Path dir = resolveCheckpoint(ws);
        Path tok = tokenizer != null ? tokenizer : workspaceTokenizer(ws).orElse(null);
        InferenceEngine.Options o = new InferenceEngine.Options(threads, DenseMatrix.Precision.parse(headPrecision), context, 64);
        InferenceEngine engine = tokenizer != null
                ? new InferenceEngine(dir, bitnut.infer.ModelLoader.loadAny(dir, new bitnut.infer.ModelLoader.Options(o.headPrecision())),
                        bitnut.infer.HfTokenCodec.load(tokenizer), o)
                : InferenceEngine.open(dir, tok, o);
        // compile the kernels before the first token, so TTFT and tok/s are the engine's, not the JIT's
        System.err.printf(java.util.Locale.ROOT, "warm-up (JIT compile of the kernels) %.0f ms%n", engine.warmUp());
        return engine;
    }

    /** The newest tokenizer.json under the workspace's tokenizer/ folder. */
    static Optional<Path> workspaceTokenizer(Workspace ws) {
        if (!Files.isDirectory(ws.tokenizerDir())) return Optional.empty();
        try (Stream<Path> s = Files.walk(ws.tokenizerDir(), 3)) {
            return s.filter(p -> p.getFileName().toString().equals("tokenizer.json"))
                    .max((a, b) -> a.toFile().lastModified() < b.toFile().lastModified() ? -1 : 1);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
