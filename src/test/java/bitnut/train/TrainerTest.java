package bitnut.train;

import ai.djl.ndarray.NDManager;
import bitnut.model.BitNetConfig;
import bitnut.model.BitNetModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class TrainerTest {

    static BitNetConfig micro(BitNetConfig.Precision p, int vocab) {
        return new BitNetConfig(vocab, 64, 128, 2, 4, 2, "relu2", 64, 0.02, 1e-5, 10000, false, 2, 3, 0, p);
    }

    static TrainConfig train(long steps, int b, int t) {
        return TrainConfig.defaults(steps)
                .with("micro_batch", "" + b).with("seq_len", "" + t).with("warmup_steps", "5")
                .with("lr", "3e-3").with("lr2", "2e-3");
    }

    /** A learnable token stream: a fixed random order 0..V-1 repeated, with a little noise. */
    static int[] corpus(int vocab, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] perm = new int[vocab];
        for (int i = 0; i < vocab; i++) perm[i] = i;
        for (int i = vocab - 1; i > 0; i--) { int j = r.nextInt(i + 1); int t = perm[i]; perm[i] = perm[j]; perm[j] = t; }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = r.nextInt(10) == 0 ? r.nextInt(vocab) : perm[i % vocab];
        return out;
    }

    @Test
    void overfitsOneBatchInBothPrecisions() {
        for (BitNetConfig.Precision p : BitNetConfig.Precision.values()) {
            try (NDManager m = NDManager.newBaseManager("PyTorch");
                 BitNetModel model = BitNetModel.init(micro(p, 32), m, 7);
                 Trainer tr = new Trainer(model, train(150, 2, 16).with("schedule", "cosine").with("weight_decay", "0")
                         .with("lr", "1e-2").with("min_lr", "1e-3").with("warmup_steps", "10"))) {
                int[] one = new SplittableRandom(3).ints(2 * 17, 4, 32).toArray();
                BatchSource fixed = new BatchSource() {
                    public TrainBatch next() { return TrainBatch.fromWindows(one, 2, 16); }
                    public java.util.Map<String, Object> state() { return java.util.Map.of(); }
                    public void restore(java.util.Map<String, Object> s) { }
                };
                double first = tr.trainStep(fixed).loss(), last = first;
                for (int i = 1; i < 150; i++) last = tr.trainStep(fixed).loss();
                assertTrue(first > 3.0, p + " starts near ln 32: " + first);
                assertTrue(last < 0.1, p + " overfits one batch: " + first + " -> " + last);
            }
        }
    }

    private static List<Double> run(Path dir, int steps, int stopAt, boolean resume) throws Exception {
        List<Double> losses = new ArrayList<>();
        TrainConfig tc = train(steps, 4, 16);
        int[] data = corpus(48, 5000, 1);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Checkpoints cps = new Checkpoints(dir);
            BitNetModel model;
            ArrayBatchSource src = new ArrayBatchSource(data, 4, 16, 99);
            Checkpoints.State st = null;
            if (resume) {
                Path cp = cps.latest().orElseThrow().dir();
                st = Checkpoints.readState(cp);
                model = BitNetModel.load(Checkpoints.readConfig(cp), m, cp.resolve(Checkpoints.MODEL));
            } else {
                model = BitNetModel.init(micro(BitNetConfig.Precision.TERNARY, 48), m, 11);
            }
            try (model; Trainer tr = new Trainer(model, tc)) {
                if (st != null) {
                    tr.optimizer().load(cps.latest().orElseThrow().dir().resolve(Checkpoints.OPTIMIZER));
                    tr.restoreCounters(st.step(), st.tokens());
                    src.restore(st.dataState());
                }
                while (tr.step() < stopAt) {
                    var s = tr.trainStep(src);
                    losses.add(s.loss());
                }
                cps.save(tr, src, null, new Checkpoints.State(Checkpoints.State.FORMAT, tr.step(), tr.tokens(), 11,
                        src.state(), tc, null, losses.isEmpty() ? null : losses.getLast(), 0), 2);
            }
        }
        return losses;
    }

    @Test
    void interruptedAndResumedRunMatchesUninterruptedOne(@TempDir Path tmp) throws Exception {
        List<Double> straight = run(tmp.resolve("a"), 16, 16, false);
        List<Double> part1 = run(tmp.resolve("b"), 16, 8, false);
        List<Double> part2 = run(tmp.resolve("b"), 16, 16, true);
        List<Double> joined = new ArrayList<>(part1);
        joined.addAll(part2);
        assertEquals(straight.size(), joined.size());
        for (int i = 0; i < straight.size(); i++) assertEquals(straight.get(i), joined.get(i), 1e-5, "step " + (i + 1));
        assertTrue(straight.getLast() < straight.getFirst());
        assertTrue(new Checkpoints(tmp.resolve("b")).list().size() <= 2);
    }

    @Test
    void nanStopsTheStepWithoutTouchingTheWeights() {
        try (NDManager m = NDManager.newBaseManager("PyTorch");
             BitNetModel model = BitNetModel.init(micro(BitNetConfig.Precision.TERNARY, 32), m, 7);
             Trainer tr = new Trainer(model, train(10, 2, 8))) {
            ArrayBatchSource src = new ArrayBatchSource(corpus(32, 500, 2), 2, 8, 1);
            tr.trainStep(src);
            float[] norm = model.parameter("model.norm.weight").toFloatArray();
            norm[0] = Float.NaN;
            model.parameter("model.norm.weight").set(norm);
            float[] before = model.parameter("model.layers.0.mlp.up_proj.weight").toFloatArray();
            var e = assertThrows(TrainingDivergedException.class, () -> tr.trainStep(src));
            assertEquals(1, e.step());
            assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("HINT"), e.getMessage());
            assertArrayEquals(before, model.parameter("model.layers.0.mlp.up_proj.weight").toFloatArray());
            assertEquals(1, tr.step());
        }
    }

    /** RSS minus the Java heap's committed size (which other tests in this JVM make grow), after GC and malloc_trim. */
    private static long nativeRss() {
        System.gc();
        bitnut.pretrain.NativeMemory.trim();
        return bitnut.pretrain.NativeMemory.rss() - Runtime.getRuntime().totalMemory();
    }

    @Test
    void nativeMemoryStaysFlatOverHundredsOfSteps() {
        try (NDManager m = NDManager.newBaseManager("PyTorch");
             BitNetModel model = BitNetModel.init(micro(BitNetConfig.Precision.TERNARY, 32), m, 7);
             Trainer tr = new Trainer(model, train(400, 2, 16).with("grad_accum", "2"))) {
            ArrayBatchSource src = new ArrayBatchSource(corpus(32, 2000, 2), 2, 16, 1);
            int arraysAt50 = 0;
            long rssAt50 = 0;
            for (int i = 1; i <= 300; i++) {
                tr.trainStep(src);
                if (i % 50 == 0) tr.flippedShare();
                if (i % 100 == 0) tr.evaluate(src, 2);
                if (i == 50) arraysAt50 = m.getManagedArrays().size();
                if (i == 100) rssAt50 = nativeRss();   // after allocator warm-up

            }
            assertTrue(arraysAt50 >= 3 * model.parameters().size(), "counts parameters and both moments: " + arraysAt50);
            assertEquals(arraysAt50, m.getManagedArrays().size(), "live NDArrays after 300 steps");
            long growth = nativeRss() - rssAt50;
            assertTrue(growth < 128L << 20, "RSS grew " + (growth >> 20) + " MB over 200 steps");  // leaked tensors show in the live-array count above; this bounds native growth outside DJL's bookkeeping
        }
    }
}
