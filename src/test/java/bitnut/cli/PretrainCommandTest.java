package bitnut.cli;

import bitnut.pretrain.GeneratedCorpus;
import bitnut.pretrain.PretrainJob;
import bitnut.train.Checkpoints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class PretrainCommandTest {

    @Test
    void pretrainsFromTheCommandLineAndResumes(@TempDir Path tmp) throws Exception {
        GeneratedCorpus.write(tmp.resolve("shards"), 64, 8_000, 1_000, 9);
        Path run = tmp.resolve("run");
        String[] common = {"--workspace", tmp.resolve("ws").toString()};
        int rc = BitnutCommand.commandLine().execute(common[0], common[1], "pretrain", "--preset", "bitnut-tiny",
                "--shards", tmp.resolve("shards").toString(), "--steps", "6", "--out", run.toString(),
                "hidden_size=64", "intermediate_size=128", "num_hidden_layers=1", "num_attention_heads=4",
                "num_key_value_heads=2", "vocab_size=64", "micro_batch=2", "seq_len=16", "log_every=2",
                "eval_every=3", "eval_batches=2", "sample_every=0", "checkpoint_every=3");
        assertEquals(0, rc);
        assertEquals(6, new Checkpoints(run).latest().orElseThrow().step());
        assertEquals(3, PretrainJob.readMetrics(run).stream().filter(m -> m.containsKey("train_loss")).count());
        // resuming a finished run is a no-op that still succeeds
        assertEquals(0, BitnutCommand.commandLine().execute(common[0], common[1], "pretrain", "--resume", run.toString()));
        // a bad override is a usage error, not a crash
        assertEquals(2, BitnutCommand.commandLine().execute(common[0], common[1], "pretrain", "--shards",
                tmp.resolve("shards").toString(), "--out", tmp.resolve("r2").toString(), "hiden_size=3"));
    }
}
