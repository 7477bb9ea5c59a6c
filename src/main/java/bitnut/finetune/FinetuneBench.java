package bitnut.finetune;

import ai.djl.ndarray.NDManager;
import bitnut.model.BitNetConfig;
import bitnut.model.BitNetModel;
import bitnut.train.ArrayBatchSource;
import bitnut.train.BatchSource;
import bitnut.train.TrainBatch;
import bitnut.train.TrainConfig;
import bitnut.train.Trainer;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Benchmark: training tokens/s of finetuning (packed chat examples: loss mask, block-diagonal
 * attention, per-example positions) against pretraining (plain causal windows) on the same model,
 * micro-batch and sequence length, in one process, interleaved step by step so machine load hits
 * all alike. A third column shows the original project's layout (one example per row padded to T)
 * counted in real tokens: the compute that packing saves. Results go to docs/benchmarks.md "Finetune".
 *
 * <p>Examples are synthetic token ids with chat-like lengths (prompt 8-40, answer 16-200 tokens), so
 * no tokenizer or data is needed; the model is freshly initialised (speed does not depend on weights).
 */
public final class FinetuneBench {

    public record Options(BitNetConfig model, int batch, int seqLen, int stepsPerRound, int rounds, long seed) { }

    public record Result(double pretrainTokPerS, double finetuneTokPerS, double paddedTokPerS, double packFill, double paddedFill) {
        public double ratio() { return finetuneTokPerS / pretrainTokPerS; }
    }

    private FinetuneBench() { }

    static List<TokenizedExample> syntheticExamples(int n, int vocab, int seqLen, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<TokenizedExample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int prompt = 8 + r.nextInt(33), answer = 16 + r.nextInt(185);
            int len = Math.min(prompt + answer + 1, seqLen + 1);
            int[] t = new int[len];
            for (int j = 0; j < len; j++) t[j] = 5 + r.nextInt(vocab - 5);
            t[len - 1] = 3;
            out.add(new TokenizedExample(t, Math.min(prompt, len - 1), len < prompt + answer + 1, "synthetic:" + i));
        }
        return out;
    }

    public static Result run(Options o, PrintStream log) {
        int V = o.model().vocabSize();
        List<TokenizedExample> examples = syntheticExamples(4000, V, o.seqLen(), o.seed());
        TrainConfig tc = TrainConfig.defaults(1_000_000).with("micro_batch", "" + o.batch()).with("seq_len", "" + o.seqLen())
                .with("warmup_steps", "10");
        int[] corpus = new SplittableRandom(o.seed()).ints(200_000, 5, V).toArray();
        double[] time = new double[3];
        long[] tokens = new long[3], positions = new long[3];
        try (NDManager m = NDManager.newBaseManager("PyTorch");
             BitNetModel model = BitNetModel.init(o.model(), m, o.seed());
             Trainer trainer = new Trainer(model, tc)) {
            BatchSource pretrain = new ArrayBatchSource(corpus, o.batch(), o.seqLen(), o.seed());
            SftBatchSource packed = new SftBatchSource(examples, o.seqLen(), o.batch(), 0, 1, o.seed());
            PaddedSource padded = new PaddedSource(examples, o.batch(), o.seqLen());
            BatchSource[] sources = {pretrain, packed, padded};
            for (BatchSource s : sources) trainer.trainStep(s);   // warm-up: libtorch allocations, JIT
            for (int round = 0; round < o.rounds(); round++) {
                for (int i = 0; i < o.stepsPerRound(); i++) {
                    for (int k = 0; k < 3; k++) {   // one step of each source in turn: load drifts hit all three
                        Counting c = new Counting(sources[k]);
                        Trainer.StepStats s = trainer.trainStep(c);
                        time[k] += s.seconds();
                        tokens[k] += c.real;
                        positions[k] += c.positions;
                    }
                }
                log.printf("round %d: pretrain %.0f tok/s | finetune packed %.0f tok/s | padded %.0f real tok/s%n", round + 1,
                        tokens[0] / time[0], tokens[1] / time[1], tokens[2] / time[2]);
            }
        }
        return new Result(tokens[0] / time[0], tokens[1] / time[1], tokens[2] / time[2],
                tokens[1] / (double) positions[1], tokens[2] / (double) positions[2]);
    }

    /** Counts real (non-padding) tokens: every position for pretraining windows, segment != 0 otherwise. */
    private static final class Counting implements BatchSource {
        final BatchSource inner;
        long real, positions;

        Counting(BatchSource inner) { this.inner = inner; }

        @Override public TrainBatch next() {
            TrainBatch b = inner.next();
            positions += (long) b.batch() * b.time();
            if (b.segments() == null) real += (long) b.batch() * b.time();
            else for (int s : b.segments()) if (s != 0) real++;
            return b;
        }

        @Override public Map<String, Object> state() { return inner.state(); }
        @Override public void restore(Map<String, Object> state) { inner.restore(state); }
    }

    /** finetune.py's layout: one example per row, padded to the full T (loss mask and segments as ours). */
    private static final class PaddedSource implements BatchSource {
        final List<TokenizedExample> examples;
        final int batch, seqLen;
        int at;

        PaddedSource(List<TokenizedExample> examples, int batch, int seqLen) {
            this.examples = examples;
            this.batch = batch;
            this.seqLen = seqLen;
        }

        @Override public TrainBatch next() {
            List<List<TokenizedExample>> rows = new ArrayList<>();
            for (int i = 0; i < batch; i++) rows.add(List.of(examples.get(at++ % examples.size())));
            SftBatch b = SftBatch.of(rows, 0);
            int T = seqLen, B = b.batch();
            int[] in = new int[B * T], tg = new int[B * T], seg = new int[B * T], pos = new int[B * T];
            float[] mask = new float[B * T];
            for (int r = 0; r < B; r++) {
                System.arraycopy(b.inputs(), r * b.time(), in, r * T, b.time());
                System.arraycopy(b.targets(), r * b.time(), tg, r * T, b.time());
                System.arraycopy(b.segments(), r * b.time(), seg, r * T, b.time());
                System.arraycopy(b.positions(), r * b.time(), pos, r * T, b.time());
                System.arraycopy(b.lossMask(), r * b.time(), mask, r * T, b.time());
            }
            return new TrainBatch(B, T, in, tg, mask, seg, pos);
        }

        @Override public Map<String, Object> state() { return Map.of("at", at); }
        @Override public void restore(Map<String, Object> state) { at = ((Number) state.get("at")).intValue(); }
    }
}
