package bitnut.finetune;

import ai.djl.ndarray.NDManager;
import bitnut.common.Job;
import bitnut.common.JobCancelledException;
import bitnut.common.JobContext;
import bitnut.common.JobKinds;
import bitnut.common.Lane;
import bitnut.model.BitNetConfig;
import bitnut.model.BitNetModel;
import bitnut.train.BatchSource;
import bitnut.train.Checkpoints;
import bitnut.train.TrainBatch;
import bitnut.train.TrainConfig;
import bitnut.train.Trainer;
import bitnut.train.TrainingDivergedException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The finetune stage as one pausable, resumable job on the device lane: supervised finetuning of a
 * pretrain checkpoint on prompt/response examples, with the pretraining loop's pieces
 * ({@link Trainer}: AdamW, schedule, clipping, accumulation, NaN guard; {@link Checkpoints}: atomic,
 * exact-resume checkpoints). Ternary QAT continues: the base config's precision is kept.
 *
 * <p>What differs from pretraining is only the data ({@link SftBatchSource}: packed examples,
 * loss on answers + eos, block-diagonal attention) and the evaluation: every {@code evalEvery} steps
 * the validation loss and greedy answers to held-out prompts, next to the base checkpoint's answers
 * (computed once, kept in base_answers.json), with {@link VoiceMetrics}.
 *
 * <p>Resume: the run folder's latest checkpoint holds weights, optimizer moments, step and the data
 * position; lines of metrics.jsonl/evals.jsonl written after it are dropped and redone.
 */
public final class FinetuneJob implements Job {
    public static final String KIND = "finetune";

    private final FinetuneConfig config;
    private final VoiceMetrics.Detectors detectors;

    public FinetuneJob(FinetuneConfig config) { this(config, VoiceMetrics.datasetFlags()); }

    public FinetuneJob(FinetuneConfig config, VoiceMetrics.Detectors detectors) {
        this.config = config;
        this.detectors = detectors;
    }

    /** Registers the resumer (the spec is the FinetuneConfig map). Idempotent. */
    public static void register() {
        JobKinds.register(KIND, (workspace, spec) -> new FinetuneJob(FinetuneConfig.fromMap(spec)));
    }

    @Override public String kind() { return KIND; }
    @Override public String title() { return "Finetune " + config.base().getFileName() + " on " + config.data().getFileName(); }
    @Override public Lane lane() { return Lane.DEVICE; }
    @Override public boolean pausable() { return true; }
    @Override public Map<String, Object> spec() { return config.toMap(); }

    public FinetuneConfig config() { return config; }

    @Override
    public String run(JobContext ctx) throws Exception {
        FinetuneRun run = new FinetuneRun(config.out());
        if (run.exists()) {
            FinetuneConfig saved = run.readConfig();
            if (!saved.equals(config)) {
                throw new IOException(config.out() + " holds a finetune run with other settings (" + FinetuneRun.CONFIG
                        + "). HINT: choose a new --out folder, or resume it with the same settings.");
            }
        } else {
            run.writeConfig(config);
        }
        ctx.progress(-1, "reading examples");
        Path baseConfig = config.base().resolve(Checkpoints.CONFIG);
        if (!Files.isRegularFile(baseConfig)) {
            throw new IOException("No " + Checkpoints.CONFIG + " in " + config.base()
                    + ". HINT: --base takes a pretrain checkpoint folder such as workspace/pretrain/<run>/checkpoints/step-0001000.");
        }
        if (!Files.isRegularFile(config.base().resolve(Checkpoints.MODEL))) {
            throw new IOException("No " + Checkpoints.MODEL + " in " + config.base() + ". HINT: --base takes a checkpoint folder written by 'bitnut pretrain'.");
        }
        BitNetConfig modelConfig = BitNetConfig.read(baseConfig);
        try (ChatTokenizer tok = ChatTokenizer.load(config.base())) {
            if (tok.vocabSize() > modelConfig.vocabSize()) {
                throw new IOException("The tokenizer in " + config.base() + " has " + tok.vocabSize()
                        + " ids but the model only " + modelConfig.vocabSize() + ".");
            }
            if (tok.eosId() != modelConfig.eosTokenId()) {
                ctx.log("warning: the tokenizer's <eos> is id " + tok.eosId() + " but config.json says eos_token_id "
                        + modelConfig.eosTokenId() + "; answers are trained to end with " + tok.eosId()
                        + " (spec pitfall 7: set the config's ids from the tokenizer)");
            }
            ExampleReader.Result read = ExampleReader.readAll(config.data());
            for (int i = 0; i < Math.min(20, read.skipped().size()); i++) ctx.log("skipped " + read.skipped().get(i));
            if (read.skipped().size() > 20) ctx.log("... " + (read.skipped().size() - 20) + " more lines skipped");
            if (read.examples().isEmpty()) throw new IOException(config.data() + " has no usable prompt/response lines.");
            SftSplit split = SftSplit.of(read.examples(), config.valFraction(), config.seed());
            SftEncoder encoder = new SftEncoder(tok, config.seqLen());
            SftEncoder.Encoded train = encoder.encodeAll(split.train());
            SftEncoder.Encoded val = encoder.encodeAll(split.validation());
            train.droppedOrigins().stream().limit(10).forEach(d -> ctx.log("dropped " + d));
            ctx.log("train: " + train.stats().describe(config.seqLen()));
            ctx.log("validation: " + val.stats().describe(config.seqLen()));
            if (train.examples().isEmpty()) throw new IOException("No training examples fit in " + config.seqLen() + " positions.");

            List<String> heldOut = heldOutPrompts(split);
            SftBatchSource source = new SftBatchSource(train.examples(), config.seqLen(), config.batchSize(), tok.padId(),
                    config.epochs(), config.seed());
            List<SftBatch> valBatches = SftBatchSource.evaluationBatches(val.examples(), config.seqLen(), config.batchSize(), tok.padId());
            long maxSteps = Math.max(1, (source.plannedMicroBatches() + config.accumulation() - 1) / config.accumulation());
            TrainConfig tc = trainConfig(maxSteps);
            ctx.log(String.format("%d optimizer steps = %d epochs x %d micro-batches / accumulation %d; %s",
                    maxSteps, config.epochs(), source.plannedMicroBatches() / config.epochs(), config.accumulation(),
                    modelConfig.summary()));

            try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
                FinetuneRun.BaseAnswers base = baseAnswers(run, manager, modelConfig, tok, heldOut, ctx);
                Checkpoints checkpoints = new Checkpoints(run.dir());
                Optional<Checkpoints.Entry> latest = checkpoints.latest();
                BitNetModel model = latest.isPresent()
                        ? BitNetModel.load(Checkpoints.readConfig(latest.get().dir()), manager, latest.get().dir().resolve(Checkpoints.MODEL))
                        : BitNetModel.load(modelConfig, manager, config.base().resolve(Checkpoints.MODEL));
                try (model; Trainer trainer = new Trainer(model, tc, config.reduction() == FinetuneConfig.LossReduction.SUM)) {
                    if (latest.isPresent()) {
                        Checkpoints.State st = Checkpoints.readState(latest.get().dir());
                        trainer.optimizer().load(latest.get().dir().resolve(Checkpoints.OPTIMIZER));
                        trainer.restoreCounters(st.step(), st.tokens());
                        source.restore(st.dataState());
                        run.truncateAfter(st.step());
                        ctx.log("resumed from " + latest.get().dir().getFileName() + " (step " + st.step() + ")");
                    }
                    return loop(ctx, run, trainer, checkpoints, source, valBatches, tok, heldOut, base, maxSteps);
                }
            }
        }
    }

    private String loop(JobContext ctx, FinetuneRun run, Trainer trainer, Checkpoints checkpoints, SftBatchSource source,
                        List<SftBatch> valBatches, ChatTokenizer tok, List<String> heldOut, FinetuneRun.BaseAnswers base,
                        long maxSteps) throws Exception {
        Double firstVal = null, lastVal = null;
        double lastLoss = Double.NaN;
        FinetuneRun.Evaluation lastEval = null;
        if (trainer.step() == 0 && !valBatches.isEmpty()) {
            firstVal = validationLoss(trainer, valBatches);
            ctx.metric("val_loss", 0, firstVal);
            ctx.log(String.format("step 0 | val loss %.4f (base checkpoint)", firstVal));
        }
        try {
            while (trainer.step() < maxSteps) {
                ctx.checkpoint();
                long realBefore = source.servedTokens(), lossTokensBefore = trainer.tokens();
                Trainer.StepStats s;
                try {
                    s = trainer.trainStep(source);
                } catch (TrainingDivergedException e) {
                    throw new IOException(e.getMessage() + ". HINT: lower the learning rate and resume from the last checkpoint in "
                            + checkpoints.root() + ".", e);
                }
                long real = source.servedTokens() - realBefore, lossTokens = trainer.tokens() - lossTokensBefore;
                double tokPerS = real / Math.max(1e-9, s.seconds());
                double perToken = trainer.sumLoss() ? s.loss() / Math.max(1, lossTokens) : s.loss();
                lastLoss = perToken;
                ctx.metric("train_loss", s.step(), perToken);
                ctx.metric("lr", s.step(), s.lr());
                ctx.metric("tokens_per_s", s.step(), tokPerS);
                ctx.throughput(tokPerS, "tok/s");
                ctx.progress(s.step() / (double) maxSteps, String.format("step %d/%d, epoch %.2f", s.step(), maxSteps, source.epochProgress()));
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("step", s.step());
                m.put("epoch", source.epochProgress());
                m.put("loss", perToken);
                m.put("loss_reported", s.loss());
                m.put("lr", s.lr());
                m.put("grad_norm", s.gradNorm());
                m.put("loss_tokens", lossTokens);
                m.put("tokens", real);
                m.put("tokens_per_s", tokPerS);
                m.put("seconds", s.seconds());
                run.appendMetrics(m);
                ctx.log(String.format("step %d | loss %.4f | lr %.1e | %d ms | %.0f tok/s", s.step(), perToken, s.lr(),
                        Math.round(s.seconds() * 1000), tokPerS));

                boolean last = s.step() == maxSteps;
                if (s.step() % config.evalEvery() == 0 || last) {
                    ctx.progress(s.step() / (double) maxSteps, "evaluating");
                    lastEval = evaluate(ctx, run, trainer, valBatches, tok, heldOut, base, source.epochProgress());
                    if (lastEval.valLoss() != null) lastVal = lastEval.valLoss();
                }
                if (s.step() % config.checkpointEvery() == 0 || last) save(trainer, checkpoints, source, lastVal, perToken);
            }
        } catch (JobCancelledException e) {
            // keep what was trained: a cancelled run resumes from here
            if (trainer.step() > 0 && checkpoints.latest().map(c -> c.step() != trainer.step()).orElse(true)) {
                save(trainer, checkpoints, source, lastVal, lastLoss);
                ctx.log("saved " + Checkpoints.name(trainer.step()) + " before stopping");
            }
            throw e;
        }
        String voice = lastEval == null ? "" : "; voice " + base.voice().describe() + " -> " + lastEval.voice().describe();
        return String.format("finetuned %d steps into %s; val loss %s -> %s%s", trainer.step(), run.dir(),
                firstVal == null ? "n/a" : String.format("%.4f", firstVal), lastVal == null ? "n/a" : String.format("%.4f", lastVal), voice);
    }

    private void save(Trainer trainer, Checkpoints checkpoints, SftBatchSource source, Double val, double loss) throws IOException {
        Checkpoints.State st = new Checkpoints.State(Checkpoints.State.FORMAT, trainer.step(), trainer.tokens(), config.seed(),
                source.state(), trainer.config(), val, Double.isFinite(loss) ? loss : null, System.currentTimeMillis());
        checkpoints.save(trainer, source, config.base(), st, 2);
    }

    private FinetuneRun.Evaluation evaluate(JobContext ctx, FinetuneRun run, Trainer trainer, List<SftBatch> valBatches,
                                            ChatTokenizer tok, List<String> heldOut, FinetuneRun.BaseAnswers base, double epoch)
            throws Exception {
        Double val = valBatches.isEmpty() ? null : validationLoss(trainer, valBatches);
        List<SampleAnswer> answers = ModelAnswers.answer(trainer.model(), tok, heldOut, config.maxNewTokens());
        VoiceMetrics voice = VoiceMetrics.of(answers, detectors);
        FinetuneRun.Evaluation e = new FinetuneRun.Evaluation(trainer.step(), epoch, val, answers, voice);
        run.appendEvaluation(e);
        if (val != null) ctx.metric("val_loss", trainer.step(), val);
        ctx.metric("eos_share", trainer.step(), voice.eosShare());
        ctx.log(String.format("step %d | val loss %s | %s (base: %s)", trainer.step(), val == null ? "n/a" : String.format("%.4f", val),
                voice.describe(), base.voice().describe()));
        return e;
    }

    /** Mean loss per trained token over the whole validation split (no gradients). */
    static double validationLoss(Trainer trainer, List<SftBatch> batches) {
        BatchSource src = new BatchSource() {
            int i;
            @Override public TrainBatch next() { return SftBatchSource.toTrainBatch(batches.get(i++ % batches.size())); }
            @Override public Map<String, Object> state() { return Map.of(); }
            @Override public void restore(Map<String, Object> state) { }
        };
        return trainer.evaluate(src, batches.size());
    }

    private FinetuneRun.BaseAnswers baseAnswers(FinetuneRun run, NDManager manager, BitNetConfig modelConfig, ChatTokenizer tok,
                                                List<String> heldOut, JobContext ctx) throws Exception {
        Optional<FinetuneRun.BaseAnswers> saved = run.readBaseAnswers();
        if (saved.isPresent()) return saved.get();
        ctx.progress(-1, "answering held-out prompts with the base checkpoint");
        List<SampleAnswer> answers;
        try (BitNetModel base = BitNetModel.load(modelConfig, manager, config.base().resolve(Checkpoints.MODEL))) {
            answers = ModelAnswers.answer(base, tok, heldOut, config.maxNewTokens());
        }
        FinetuneRun.BaseAnswers b = new FinetuneRun.BaseAnswers(config.base().toString(), answers, VoiceMetrics.of(answers, detectors));
        run.writeBaseAnswers(b);
        ctx.log("base checkpoint: " + b.voice().describe());
        return b;
    }

    private List<String> heldOutPrompts(SftSplit split) {
        List<SftExample> from = split.validation().isEmpty() ? split.train() : split.validation();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < Math.min(config.samplePrompts(), from.size()); i++) out.add(from.get(i).prompt());
        return out;
    }

    /** The shared loop's settings for this run: cosine schedule from the preset's LR down to lr·minLrRatio. */
    TrainConfig trainConfig(long maxSteps) {
        long warmup = Math.min(config.warmupSteps(), Math.max(0, maxSteps - 1));
        return new TrainConfig(config.batchSize(), config.seqLen(), config.accumulation(), maxSteps, TrainConfig.COSINE,
                config.lr(), config.lr(), config.lr() * config.minLrRatio(), warmup, config.weightDecay(), 0.9, 0.95, 1e-8,
                config.gradClip(), 1, config.evalEvery(), 0, 0, config.maxNewTokens(), config.checkpointEvery(), 2, config.seed());
    }
}
