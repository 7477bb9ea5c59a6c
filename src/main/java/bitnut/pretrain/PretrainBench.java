/*
 * PretrainBench — training-step throughput of the DJL BitNet (tokens/s, wall and CPU seconds per step)
 * on random tokens, optionally side by side with the same model in PyTorch eager
 * (bench/pretrain/bitnet_torch_bench.py). Driven by `bitnut bench pretrain`; figures go to
 * docs/benchmarks.md "## Pretrain". A benchmark, not a test: results depend on the machine and its load.
 */
package bitnut.pretrain;

import ai.djl.ndarray.NDManager;
import bitnut.model.BitNetConfig;
import bitnut.model.BitNetModel;
import bitnut.train.ArrayBatchSource;
import bitnut.train.TrainConfig;
import bitnut.train.Trainer;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

public final class PretrainBench {
    /** Median wall seconds per step, mean process CPU seconds per step, tokens/s at the median, peak RSS. */
    public record Result(String engine, long params, int batch, int seq, double secondsPerStep, double cpuSecondsPerStep,
                         double tokensPerSecond, long rssBytes, double lastLoss) {
        public String line() {
            return String.format(Locale.ROOT, "%-28s params %,d  B=%d T=%d  %.3f s/step  %.3f CPU-s/step  %,.0f tok/s  RSS %d MB  loss %.3f",
                    engine, params, batch, seq, secondsPerStep, cpuSecondsPerStep, tokensPerSecond, rssBytes >> 20, lastLoss);
        }
    }

    private PretrainBench() { }

    public static Result run(BitNetConfig config, int batch, int seq, int warmup, int steps) {
        TrainConfig tc = TrainConfig.defaults(1000).with("micro_batch", "" + batch).with("seq_len", "" + seq)
                .with("warmup_steps", "10").with("lr", "1e-3");
        int[] tokens = new SplittableRandom(1).ints(Math.max(100_000, 4 * batch * (seq + 1)), 0, config.vocabSize()).toArray();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (NDManager m = NDManager.newBaseManager("PyTorch");
             BitNetModel model = BitNetModel.init(config, m, 0);
             Trainer tr = new Trainer(model, tc)) {
            ArrayBatchSource src = new ArrayBatchSource(tokens, batch, seq, 2);
            double[] wall = new double[steps];
            double cpu = 0, loss = 0;
            long rss = 0;
            for (int i = 0; i < warmup + steps; i++) {
                long c0 = os.getProcessCpuTime();
                Trainer.StepStats s = tr.trainStep(src);
                long c1 = os.getProcessCpuTime();
                if (i >= warmup) {
                    wall[i - warmup] = s.seconds();
                    cpu += (c1 - c0) / 1e9;
                }
                loss = s.loss();
                rss = Math.max(rss, NativeMemory.rss());
            }
            Arrays.sort(wall);
            double med = wall[steps / 2];
            return new Result("djl " + ai.djl.engine.Engine.getEngine("PyTorch").getVersion(), config.parameterCount(),
                    batch, seq, med, cpu / steps, batch * seq / med, rss, loss);
        }
    }
}
