/*
 * PretrainJob — a pretraining run as a pausable, resumable Job on the DEVICE lane: the outer loop of
 * nanoGPT's train.py around bitnut.train.Trainer. Starts from run.json; resumes from the newest
 * checkpoint in the run folder when there is one (after Stop, a crash or kill -9), so "resume" is
 * simply running the job again.
 *
 * Every logEvery steps: one nanoGPT-style line, a metrics.jsonl record and JobContext.metric events
 * (x = tokens seen). Every evalEvery: validation loss on the val shards (sequential windows, always the
 * same ones). Every sampleEvery: a short text sample from <bos>. Every checkpointEvery and at the end:
 * an atomic checkpoint. Cancel (Stop) saves a checkpoint first; a NaN/inf stops without saving.
 */
package bitnut.pretrain;

import ai.djl.ndarray.NDManager;
import bitnut.common.AtomicFiles;
import bitnut.common.Job;
import bitnut.common.JobCancelledException;
import bitnut.common.JobContext;
import bitnut.common.JobKinds;
import bitnut.common.Json;
import bitnut.common.Lane;
import bitnut.corpus.CorpusIndex;
import bitnut.corpus.TokenWindows;
import bitnut.model.BitNetConfig;
import bitnut.model.BitNetModel;
import bitnut.tokenizer.WorkspaceTokenizer;
import bitnut.train.BatchSource;
import bitnut.train.Checkpoints;
import bitnut.train.TrainConfig;
import bitnut.train.Trainer;
import bitnut.train.TrainingDivergedException;
import bitnut.train.WindowBatchSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

public final class PretrainJob implements Job {
    public static final String KIND = "pretrain";

    static {
        JobKinds.register(KIND, (workspace, spec) -> new PretrainJob(Path.of((String) spec.get("run"))));
    }

    /** Makes sure the resumer is registered (call once at start-up). */
    public static void register() { }

    private final Path runDir;

    public PretrainJob(Path runDir) { this.runDir = runDir.toAbsolutePath(); }

    /** Creates a new run folder with its run.json (refuses to overwrite a different run). */
    public static PretrainJob create(Path runDir, PretrainRun run) throws IOException {
        if (Files.isRegularFile(runDir.resolve(PretrainRun.FILE))) {
            throw new IOException(runDir + " already holds a run. HINT: resume it with --resume " + runDir + " or pick another --out");
        }
        Files.createDirectories(runDir);
        run.write(runDir);
        return new PretrainJob(runDir);
    }

    public Path runDir() { return runDir; }

    @Override public String kind() { return KIND; }
    @Override public String title() { return "Pretrain " + runDir.getFileName(); }
    @Override public Lane lane() { return Lane.DEVICE; }
    @Override public boolean pausable() { return true; }
    @Override public Map<String, Object> spec() { return Map.of("run", runDir.toString()); }

    @Override
    public String run(JobContext ctx) throws Exception {
        PretrainRun run = PretrainRun.read(runDir);
        TrainConfig tc = run.train();
        Checkpoints checkpoints = new Checkpoints(runDir);
        List<Path> trainShards = CorpusIndex.shardFiles(run.shardsDir(), CorpusIndex.TRAIN);
        List<Path> valShards = CorpusIndex.shardFiles(run.shardsDir(), CorpusIndex.VAL);
        if (trainShards.isEmpty()) {
            throw new IOException("no train_*.bin shards in " + run.shardsDir() + ". HINT: build them with 'bitnut corpus build'");
        }
        WorkspaceTokenizer tokenizer = loadTokenizer(run, ctx);
        try (NDManager manager = NDManager.newBaseManager("PyTorch");
             WindowBatchSource train = new WindowBatchSource(TokenWindows.random(trainShards, tc.microBatch(), tc.seqLen(), tc.seed()));
             WindowBatchSource val = valShards.isEmpty() ? null
                     : new WindowBatchSource(TokenWindows.sequential(valShards, tc.microBatch(), tc.seqLen()))) {
            Map<String, Object> valStart = val == null ? null : val.state();
            var latest = checkpoints.latest();
            BitNetModel model;
            Checkpoints.State resumed = null;
            if (latest.isPresent()) {
                resumed = Checkpoints.readState(latest.get().dir());
                model = BitNetModel.load(Checkpoints.readConfig(latest.get().dir()), manager,
                        latest.get().dir().resolve(Checkpoints.MODEL));
            } else {
                model = BitNetModel.init(run.modelConfig(), manager, tc.seed());
            }
            try (model; Trainer trainer = new Trainer(model, tc)) {
                BitNetConfig mc = model.config();
                if (resumed != null) {
                    trainer.optimizer().load(latest.get().dir().resolve(Checkpoints.OPTIMIZER));
                    trainer.restoreCounters(resumed.step(), resumed.tokens());
                    train.restore(resumed.dataState());
                    truncateMetrics(resumed.step());
                    ctx.log("resumed from " + latest.get().dir().getFileName() + " (step " + resumed.step() + ", "
                            + String.format(Locale.ROOT, "%,d", resumed.tokens()) + " tokens)");
                } else {
                    ctx.log("model " + mc.summary() + "; " + String.format(Locale.ROOT, "%,d", tc.tokensPerStep())
                            + " tokens/step, " + tc.maxSteps() + " steps, schedule " + tc.schedule());
                }
                if (val == null) ctx.log("no val_*.bin shards: validation loss is skipped");
                trainer.flippedShare();   // baseline codes for the first "flipped" figure
                return loop(ctx, run, trainer, train, val, valStart, checkpoints, tokenizer);
            }
        } finally {
            if (tokenizer != null) tokenizer.close();
        }
    }

    private String loop(JobContext ctx, PretrainRun run, Trainer trainer, WindowBatchSource train, WindowBatchSource val,
                        Map<String, Object> valStart, Checkpoints checkpoints, WorkspaceTokenizer tokenizer) throws Exception {
        TrainConfig tc = run.train();
        Double lastVal = null, lastTrain = null;
        double windowSeconds = 0, windowLoss = 0;
        long windowTokens = 0;
        int windowSteps = 0;
        long startedStep = trainer.step();
        long t0 = System.nanoTime();
        try {
            while (trainer.step() < tc.maxSteps()) {
                ctx.checkpoint();
                Trainer.StepStats s = trainer.trainStep(train);
                windowSeconds += s.seconds();
                windowLoss += s.loss();
                windowTokens += tc.tokensPerStep();
                windowSteps++;
                lastTrain = s.loss();
                long step = s.step();
                boolean last = step == tc.maxSteps();
                if (step % tc.logEvery() == 0 || last) {
                    double tokPerS = windowTokens / Math.max(1e-9, windowSeconds);
                    double flipped = trainer.flippedShare();
                    double meanLoss = windowLoss / windowSteps;
                    Map<String, Object> rec = new LinkedHashMap<>();
                    rec.put("step", step);
                    rec.put("tokens", s.tokens());
                    rec.put("train_loss", meanLoss);
                    rec.put("lr", s.lr());
                    rec.put("wd", s.weightDecay());
                    rec.put("grad_norm", s.gradNorm());
                    rec.put("tokens_per_s", tokPerS);
                    rec.put("ms_per_step", 1000 * windowSeconds / windowSteps);
                    rec.put("flipped", flipped);
                    appendMetric(rec);
                    ctx.metric("train_loss", s.tokens(), meanLoss);
                    ctx.metric("lr", s.tokens(), s.lr());
                    ctx.metric("wd", s.tokens(), s.weightDecay());
                    ctx.metric("grad_norm", s.tokens(), s.gradNorm());
                    ctx.metric("tokens_per_s", s.tokens(), tokPerS);
                    ctx.metric("flipped", s.tokens(), flipped);
                    ctx.throughput(tokPerS, "tok/s");
                    ctx.log(String.format(Locale.ROOT, "step %d | loss %.4f | lr %.2e | wd %.2f | norm %.2f | %.0f ms | %s tok/s | flipped %.4f",
                            step, meanLoss, s.lr(), s.weightDecay(), s.gradNorm(), 1000 * windowSeconds / windowSteps,
                            human(tokPerS), flipped));
                    windowSeconds = windowLoss = 0;
                    windowTokens = 0;
                    windowSteps = 0;
                }
                double elapsed = (System.nanoTime() - t0) / 1e9;
                long done = step - startedStep;
                double eta = done > 0 ? elapsed / done * (tc.maxSteps() - step) : Double.NaN;
                ctx.progress(step / (double) tc.maxSteps(), String.format(Locale.ROOT, "step %d/%d%s", step, tc.maxSteps(),
                        Double.isNaN(eta) ? "" : String.format(Locale.ROOT, ", ETA %.0f s", eta)));
                if (val != null && tc.evalEvery() > 0 && (step % tc.evalEvery() == 0 || last)) {
                    val.restore(valStart);
                    lastVal = trainer.evaluate(val, tc.evalBatches());
                    appendMetric(Map.of("step", step, "tokens", s.tokens(), "val_loss", lastVal));
                    ctx.metric("val_loss", s.tokens(), lastVal);
                    ctx.log(String.format(Locale.ROOT, "step %d | val loss %.4f", step, lastVal));
                }
                if (tc.sampleEvery() > 0 && (step % tc.sampleEvery() == 0 || last)) {
                    String text = sample(trainer, tokenizer, step);
                    appendMetric(Map.of("step", step, "tokens", s.tokens(), "sample", text));
                    ctx.log("sample @ step " + step + ": " + text.replace('\n', ' '));
                }
                if ((tc.checkpointEvery() > 0 && step % tc.checkpointEvery() == 0) || last) {
                    Path dir = save(trainer, train, checkpoints, run, lastVal, lastTrain);
                    ctx.log("checkpoint " + dir.getFileName());
                    lastVal = null;
                    NativeMemory.trim();
                }
            }
        } catch (JobCancelledException e) {
            if (trainer.step() > startedStep) {
                Path dir = save(trainer, train, checkpoints, run, lastVal, lastTrain);
                ctx.log("stopped; saved " + dir.getFileName() + ". Resume continues from here.");
            }
            throw e;
        } catch (TrainingDivergedException e) {
            ctx.log("STOPPED: " + e.getMessage());
            throw e;
        }
        return String.format(Locale.ROOT, "trained %d steps, %,d tokens; final train loss %.4f%s; checkpoints in %s",
                trainer.step(), trainer.tokens(), lastTrain == null ? Double.NaN : lastTrain,
                lastVal == null ? "" : String.format(Locale.ROOT, ", val loss %.4f", lastVal), checkpoints.root());
    }

    private Path save(Trainer trainer, BatchSource train, Checkpoints checkpoints, PretrainRun run, Double val, Double trainLoss)
            throws IOException {
        Checkpoints.State st = new Checkpoints.State(Checkpoints.State.FORMAT, trainer.step(), trainer.tokens(),
                run.train().seed(), train.state(), run.train(), val, trainLoss, System.currentTimeMillis());
        return checkpoints.save(trainer, train, run.tokenizerDir(), st, run.train().keepLast());
    }

    private String sample(Trainer trainer, WorkspaceTokenizer tokenizer, long step) {
        BitNetConfig mc = trainer.model().config();
        int[] ids = trainer.sample(new int[] {mc.bosTokenId()}, trainer.config().sampleTokens(), 0.8, 40, trainer.config().seed() + step);
        if (tokenizer == null) return java.util.Arrays.toString(ids);
        return tokenizer.decode(ids);
    }

    private static WorkspaceTokenizer loadTokenizer(PretrainRun run, JobContext ctx) {
        if (run.tokenizerDir() == null) return null;
        try {
            return WorkspaceTokenizer.load(run.tokenizerDir());
        } catch (IOException | RuntimeException e) {
            ctx.log("tokenizer not loaded (" + e.getMessage() + "); samples show token ids");
            return null;
        }
    }

    private void appendMetric(Map<String, Object> rec) throws IOException {
        byte[] line = (Json.MAPPER.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(rec) + "\n").getBytes(StandardCharsets.UTF_8);
        Files.write(runDir.resolve(PretrainRun.METRICS), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** After a resume, drops records past the checkpoint's step so the file shows one continuous curve. */
    private void truncateMetrics(long step) throws IOException {
        Path f = runDir.resolve(PretrainRun.METRICS);
        if (!Files.isRegularFile(f)) return;
        List<String> keep = new ArrayList<>();
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            try {
                if (Json.MAPPER.readTree(line).path("step").asLong() <= step) keep.add(line);
            } catch (IOException torn) {
                // a line torn by kill -9: drop it
            }
        }
        AtomicFiles.writeString(f, keep.isEmpty() ? "" : String.join("\n", keep) + "\n");
    }

    /** Reads metrics.jsonl (for the UI and tests); torn lines are skipped. */
    public static List<Map<String, Object>> readMetrics(Path runDir) throws IOException {
        Path f = runDir.resolve(PretrainRun.METRICS);
        List<Map<String, Object>> out = new ArrayList<>();
        if (!Files.isRegularFile(f)) return out;
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            try {
                @SuppressWarnings("unchecked") Map<String, Object> m = Json.MAPPER.readValue(line, Map.class);
                out.add(m);
            } catch (IOException torn) {
                // skip
            }
        }
        return out;
    }

    static String human(double v) {
        if (v >= 1e6) return String.format(Locale.ROOT, "%.2fM", v / 1e6);
        if (v >= 1e3) return String.format(Locale.ROOT, "%.1fk", v / 1e3);
        return String.format(Locale.ROOT, "%.0f", v);
    }
}
