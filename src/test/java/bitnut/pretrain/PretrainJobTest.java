package bitnut.pretrain;

import bitnut.common.DirectJobContext;
import bitnut.common.JobCancelledException;
import bitnut.common.JobKinds;
import bitnut.common.Json;
import bitnut.model.BitNetConfig;
import bitnut.model.SafeTensors;
import bitnut.train.Checkpoints;
import bitnut.train.TrainConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class PretrainJobTest {

    static BitNetConfig micro(int vocab) {
        return new BitNetConfig(vocab, 64, 192, 2, 4, 2, "relu2", 128, 0.02, 1e-5, 10000, true, 2, 3, 0,
                BitNetConfig.Precision.TERNARY);
    }

    static TrainConfig train(long steps) {
        return TrainConfig.defaults(steps).with("micro_batch", "8").with("seq_len", "32").with("warmup_steps", "10")
                .with("lr", "4e-3").with("lr2", "3e-3").with("log_every", "10").with("eval_every", "50")
                .with("eval_batches", "8").with("sample_every", "100").with("sample_tokens", "8")
                .with("checkpoint_every", "50").with("keep_last", "2");
    }

    @Test
    void tinyModelEndsBelowTheCorpusUnigramEntropy(@TempDir Path tmp) throws Exception {
        GeneratedCorpus corpus = GeneratedCorpus.write(tmp.resolve("shards"), 64, 60_000, 6_000, 5);
        PretrainJob job = PretrainJob.create(tmp.resolve("run"), PretrainRun.of(micro(64), train(200), tmp.resolve("shards"), null, "test"));
        DirectJobContext ctx = new DirectJobContext();
        String summary = job.run(ctx);
        List<Map<String, Object>> metrics = PretrainJob.readMetrics(tmp.resolve("run"));
        double lastVal = metrics.stream().filter(m -> m.containsKey("val_loss"))
                .mapToDouble(m -> ((Number) m.get("val_loss")).doubleValue()).reduce((a, b) -> b).orElseThrow();
        assertTrue(lastVal < corpus.unigramEntropy - 0.5, "val loss " + lastVal + " vs unigram entropy " + corpus.unigramEntropy + "; " + summary);
        Map<String, Object> first = metrics.getFirst();
        for (String k : List.of("step", "tokens", "train_loss", "lr", "wd", "grad_norm", "tokens_per_s", "flipped")) {
            assertTrue(first.containsKey(k), k);
        }
        assertTrue(ctx.metrics().stream().anyMatch(m -> m.name().equals("val_loss")));
        assertTrue(ctx.logs().stream().anyMatch(l -> l.startsWith("step 10 | loss ")), ctx.logs().toString());
        assertTrue(ctx.logs().stream().anyMatch(l -> l.startsWith("sample @ step 200")));

        // HF-loadable checkpoint: config with the online quantization_config and our token ids, HF tensor names
        Path cp = new Checkpoints(tmp.resolve("run")).latest().orElseThrow().dir();
        assertEquals("step-0000200", cp.getFileName().toString());
        var cfg = Json.MAPPER.readTree(cp.resolve("config.json").toFile());
        assertEquals("online", cfg.at("/quantization_config/quantization_mode").asText());
        assertEquals(3, cfg.get("eos_token_id").asInt());
        try (var r = SafeTensors.open(cp.resolve("model.safetensors"))) {
            assertTrue(r.has("model.layers.1.mlp.ffn_sub_norm.weight"));
            assertFalse(r.has("lm_head.weight"));   // tied
        }
        assertTrue(new Checkpoints(tmp.resolve("run")).list().size() <= 3);   // last 2 + best
    }

    @Test
    void stopSavesAndRunningAgainResumesWhereItStopped(@TempDir Path tmp) throws Exception {
        GeneratedCorpus.write(tmp.resolve("shards"), 64, 20_000, 2_000, 6);
        Path run = tmp.resolve("run");
        TrainConfig tc = train(40).with("checkpoint_every", "0").with("eval_every", "0").with("sample_every", "0")
                .with("log_every", "5");
        PretrainJob.create(run, PretrainRun.of(micro(64), tc, tmp.resolve("shards"), null, "test"));
        DirectJobContext first = new DirectJobContext() {
            @Override public void metric(String name, double x, double y) {
                super.metric(name, x, y);
                if (name.equals("train_loss") && x >= 15 * 8 * 32) cancel();
            }
        };
        assertThrows(JobCancelledException.class, () -> new PretrainJob(run).run(first));
        long saved = new Checkpoints(run).latest().orElseThrow().step();
        assertEquals(15, saved);
        // resume through the registered kind, as the Tasks view does after a restart
        PretrainJob.register();
        var resumed = JobKinds.resumer(PretrainJob.KIND).orElseThrow().apply(tmp, new PretrainJob(run).spec());
        resumed.run(new DirectJobContext());
        List<Long> steps = PretrainJob.readMetrics(run).stream().map(m -> ((Number) m.get("step")).longValue()).toList();
        assertEquals(List.of(5L, 10L, 15L, 20L, 25L, 30L, 35L, 40L), steps);
        assertEquals(40, new Checkpoints(run).latest().orElseThrow().step());
    }

    @Test
    void missingShardsGiveAClearError(@TempDir Path tmp) throws Exception {
        PretrainJob job = PretrainJob.create(tmp.resolve("run"), PretrainRun.of(micro(64), train(5), tmp.resolve("nothing"), null, "t"));
        var e = assertThrows(java.io.IOException.class, () -> job.run(new DirectJobContext()));
        assertTrue(e.getMessage().contains("train_*.bin") && e.getMessage().contains("HINT"), e.getMessage());
        assertTrue(Files.isRegularFile(tmp.resolve("run/run.json")));
    }
}
