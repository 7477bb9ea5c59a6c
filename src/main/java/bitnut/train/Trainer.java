/*
 * Trainer — the training loop's single step, evaluation and sampling on a BitNetModel, shared by
 * pretraining and finetuning (nanoGPT train.py's inner loop, cut into callable pieces so a Job, a test
 * and a benchmark drive it alike).
 *
 * One step = gradAccum micro-batches. The loss of a step is Σ mask·NLL / (mask tokens of the whole
 * step), so accumulating micro-batches gives exactly the gradient of one big batch (HF's
 * num_items_in_batch rule). Then: global gradient norm, NaN/inf check (nothing is applied on a bad
 * step), clip factor, AdamW with the scheduled lr / wd.
 *
 * Native memory: every micro-batch runs inside its own NDScope, and the step's bookkeeping in another,
 * so all activation tensors are freed when the step ends (djl.md pitfall 3: without scopes RSS grew
 * ~1.2 GB per step). Batch tensors built from Java arrays are duplicate()d into libtorch memory
 * before autograd sees them (pitfall 1).
 */
package bitnut.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import bitnut.model.BitLinear;
import bitnut.model.BitNetModel;
import bitnut.model.ModelTensors;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

public final class Trainer implements AutoCloseable {

    /** What one optimizer step did. */
    public record StepStats(long step, long tokens, double loss, double gradNorm, double lr, double weightDecay,
                            double seconds) { }

    private final BitNetModel model;
    private final TrainConfig config;
    private final AdamW optimizer;
    private final NDManager codesManager;
    private final Map<String, NDArray> lastCodes = new LinkedHashMap<>();
    private final boolean sumLoss;  // finetuning option: Σ over tokens instead of the mean (2B4T SFT)
    private long step;     // optimizer steps completed
    private long tokens;   // loss tokens consumed

    public Trainer(BitNetModel model, TrainConfig config) { this(model, config, false); }

    /**
     * @param sumLoss true: a step's loss is Σ mask·NLL over all its micro-batches (the BitNet b1.58 2B4T
     *                report summed in SFT), so long answers weigh more; false: that sum / mask tokens (mean)
     */
    public Trainer(BitNetModel model, TrainConfig config, boolean sumLoss) {
        this.sumLoss = sumLoss;
        this.model = model;
        this.config = config;
        this.optimizer = new AdamW(model, config.beta1(), config.beta2(), config.eps());
        this.codesManager = model.manager().newSubManager();
    }

    public BitNetModel model() { return model; }
    public TrainConfig config() { return config; }
    public AdamW optimizer() { return optimizer; }
    public long step() { return step; }
    public long tokens() { return tokens; }
    public boolean sumLoss() { return sumLoss; }

    /** Sets the counters after a checkpoint restore. */
    public void restoreCounters(long step, long tokens) {
        this.step = step;
        this.tokens = tokens;
    }

    /** One optimizer step over {@code gradAccum} micro-batches from {@code source}. */
    public StepStats trainStep(BatchSource source) {
        long t0 = System.nanoTime();
        List<TrainBatch> micro = new ArrayList<>(config.gradAccum());
        long stepTokens = 0;
        for (int i = 0; i < config.gradAccum(); i++) {
            TrainBatch b = source.next();
            checkIds(b);
            micro.add(b);
            stepTokens += b.lossTokens();
        }
        double lr = Schedule.lr(config, step), wd = Schedule.weightDecay(config, step);
        double loss = 0;
        Engine engine = Engine.getEngine("PyTorch");
        for (TrainBatch b : micro) {
            try (NDScope ignored = new NDScope(); GradientCollector gc = engine.newGradientCollector()) {
                // scale by a libtorch-owned constant: div(Number) would hand autograd a Java-backed scalar
                NDArray inv = owned(model.manager().create(sumLoss ? 1f : (float) (1.0 / Math.max(1, stepTokens))));
                NDArray l = lossSum(b).mul(inv);                         // [] this micro-batch's share of the step loss
                gc.backward(l);
                loss += l.getFloat();
            }
        }
        double norm;
        try (NDScope ignored = new NDScope()) {
            norm = gradNorm();
        }
        if (!Double.isFinite(loss)) { optimizer.zeroGrad(); throw new TrainingDivergedException(step, "loss is " + loss); }
        if (!Double.isFinite(norm)) { optimizer.zeroGrad(); throw new TrainingDivergedException(step, "gradient norm is " + norm); }
        double rescale = config.gradClip() > 0 && norm > config.gradClip() ? config.gradClip() / (norm + 1e-6) : 1.0;
        try (NDScope ignored = new NDScope()) {
            optimizer.step(lr, wd, rescale);
        }
        step++;
        tokens += stepTokens;
        return new StepStats(step, tokens, loss, norm, lr, wd, (System.nanoTime() - t0) / 1e9);
    }

    private void checkIds(TrainBatch b) {
        int max = b.maxId();
        if (max >= model.config().vocabSize()) {
            throw new IllegalArgumentException("token id " + max + " is outside the model's vocabulary ("
                    + model.config().vocabSize() + "). HINT: set vocab_size to the tokenizer's size");
        }
    }

    /** Σ mask·NLL over a micro-batch, with autograd (call inside a scope). */
    private NDArray lossSum(TrainBatch b) {
        NDManager m = model.manager();
        int B = b.batch(), T = b.time();
        NDArray ids = owned(m.create(toLong(b.inputs()), new Shape(B, T)));
        NDArray targets = owned(m.create(toLong(b.targets()), new Shape((long) B * T)));
        NDArray mask = b.lossMask() == null ? null : owned(m.create(b.lossMask(), new Shape((long) B * T)));
        NDArray pos = b.positions() == null ? null : owned(m.create(toLong(b.positions()), new Shape(B, T)));
        NDArray bias = b.segments() == null ? null : model.segmentBias(m, B, T, b.segments());
        NDArray logits = model.forward(ids, pos, bias);                 // [N, V]
        return BitNetModel.crossEntropySum(logits, targets, mask);      // []
    }

    private static NDArray owned(NDArray javaBacked) {
        NDArray copy = javaBacked.duplicate();
        javaBacked.close();
        return copy;
    }

    private static long[] toLong(int[] a) {
        long[] l = new long[a.length];
        for (int i = 0; i < a.length; i++) l[i] = a[i];
        return l;
    }

    /** sqrt(Σ over all parameters of Σ grad²). */
    private double gradNorm() {
        double sumSq = 0;
        for (NDArray p : model.parameters().values()) {
            NDArray g = p.getGradient();
            sumSq += g.square().sum().getFloat();
        }
        return Math.sqrt(sumSq);
    }

    /** Mean loss over {@code batches} micro-batches, without gradients. */
    public double evaluate(BatchSource source, int batches) {
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            double sum = 0;
            long n = 0;
            for (int i = 0; i < batches; i++) {
                TrainBatch b = source.next();
                checkIds(b);
                try (NDScope ignored = new NDScope()) {
                    sum += lossSum(b).getFloat();
                }
                n += b.lossTokens();
            }
            return sum / Math.max(1, n);
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    /**
     * Share of ternary weight codes that changed since the previous call (0 on the first call and for
     * full-precision models). Codes are kept as int8 tensors: 1 byte per BitLinear weight.
     */
    public double flippedShare() {
        if (!model.config().ternary()) return 0;
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            long changed = 0, total = 0;
            boolean first = lastCodes.isEmpty();
            for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
                if (model.kind(e.getKey()) != ModelTensors.Kind.BITLINEAR) continue;
                NDArray codes;
                try (NDScope ignored = new NDScope()) {
                    codes = BitLinear.ternaryCodes(e.getValue().stopGradient()).toType(DataType.INT8, false);
                    NDScope.unregister(codes);
                }
                codes.attach(codesManager);
                NDArray prev = lastCodes.put(e.getKey(), codes);
                if (prev != null) {
                    try (NDScope ignored = new NDScope()) {
                        changed += codes.neq(prev).countNonzero().getLong();
                    }
                    prev.close();
                }
                total += codes.size();
            }
            return first ? 0 : changed / (double) Math.max(1, total);
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    /**
     * Continues {@code prompt} by {@code n} tokens (temperature + top-k sampling, no KV cache: the
     * whole window is recomputed per token, fine for the short samples a training log shows).
     */
    public int[] sample(int[] prompt, int n, double temperature, int topK, long seed) {
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        SplittableRandom rnd = new SplittableRandom(seed);
        int maxCtx = Math.max(2, Math.min(model.config().maxPositionEmbeddings(), config.seqLen()));
        List<Integer> seq = new ArrayList<>();
        for (int t : prompt) seq.add(t);
        try {
            for (int i = 0; i < n; i++) {
                int from = Math.max(0, seq.size() - maxCtx);
                int T = seq.size() - from;
                long[] ids = new long[T];
                for (int j = 0; j < T; j++) ids[j] = seq.get(from + j);
                float[] logits;
                try (NDScope ignored = new NDScope()) {
                    NDArray x = owned(model.manager().create(ids, new Shape(1, T)));
                    logits = model.forward(x, null, null).get(T - 1).toFloatArray();   // [V]
                }
                int next = pick(logits, temperature, topK, rnd);
                seq.add(next);
                if (next == model.config().eosTokenId()) break;
            }
        } finally {
            JniUtils.setGradMode(grad);
        }
        int[] out = new int[seq.size() - prompt.length];
        for (int i = 0; i < out.length; i++) out[i] = seq.get(prompt.length + i);
        return out;
    }

    static int pick(float[] logits, double temperature, int topK, SplittableRandom rnd) {
        int V = logits.length;
        if (temperature <= 0) {
            int best = 0;
            for (int i = 1; i < V; i++) if (logits[i] > logits[best]) best = i;
            return best;
        }
        int k = topK <= 0 ? V : Math.min(topK, V);
        float[] sorted = logits.clone();
        java.util.Arrays.sort(sorted);
        float cut = sorted[V - k];
        float max = sorted[V - 1];
        double[] p = new double[V];
        double sum = 0;
        for (int i = 0; i < V; i++) {
            if (logits[i] >= cut) { p[i] = Math.exp((logits[i] - max) / temperature); sum += p[i]; }
        }
        double r = rnd.nextDouble() * sum;
        for (int i = 0; i < V; i++) {
            r -= p[i];
            if (r <= 0 && p[i] > 0) return i;
        }
        return (int) java.util.stream.IntStream.range(0, V).filter(i -> p[i] > 0).max().orElse(0);
    }

    @Override public void close() {
        lastCodes.values().forEach(NDArray::close);
        codesManager.close();
        optimizer.close();
    }
}
