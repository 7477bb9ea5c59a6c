package bitnut.finetune;

import ai.djl.ndarray.NDManager;
import bitnut.cli.BitnutCommand;
import bitnut.model.BitNetModel;
import bitnut.train.Checkpoints;
import bitnut.train.TrainBatch;
import bitnut.train.TrainConfig;
import bitnut.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** `bitnut finetune` on the command line, and the summed loss reduction of the shared trainer. */
class FinetuneCommandTest {
    @TempDir Path dir;

    @Test void cliRunsAFinetuneIntoTheWorkspace() throws Exception {
        Path base = ToyData.writeBaseCheckpoint(dir.resolve("base"), 2);
        Path data = ToyData.writeJsonl(dir.resolve("toy.jsonl"), ToyData.examples().subList(0, 40));
        Path ws = dir.resolve("ws");
        int rc = BitnutCommand.commandLine().execute("--workspace", ws.toString(), "finetune", "--base", base.toString(),
                "--data", data.toString(), "--out", "toy", "--preset", "original", "--epochs", "1", "--seq-len", "64",
                "--batch-size", "4", "--accumulation", "2", "--sample-prompts", "2", "--max-new-tokens", "4", "--reduction", "sum");
        assertEquals(0, rc);
        Path run = ws.resolve("finetune").resolve("toy");
        FinetuneConfig saved = new FinetuneRun(run).readConfig();
        assertEquals(FinetuneConfig.Preset.ORIGINAL, saved.preset());
        assertEquals(2e-5, saved.lr());
        assertEquals(FinetuneConfig.LossReduction.SUM, saved.reduction());
        Path ckpt = new Checkpoints(run).latest().orElseThrow().dir();
        assertTrue(Files.isRegularFile(ckpt.resolve("tokenizer.json")), "checkpoints carry the tokenizer for Chat");

        int bad = BitnutCommand.commandLine().execute("--workspace", ws.toString(), "finetune", "--base", base.toString(),
                "--data", dir.resolve("missing.jsonl").toString());
        assertEquals(2, bad);
    }

    @Test void summedLossIsTheMeanTimesTrainedTokens() throws Exception {
        try (ChatTokenizer tok = ChatTokenizer.load(ToyData.writeTokenizer(dir.resolve("tokenizer.json")))) {
            List<TokenizedExample> ex = new SftEncoder(tok, 64).encodeAll(ToyData.examples().subList(0, 8)).examples();
            SftBatch b = SftBatch.of(Packer.rows(ex, 64, 1, 0), tok.padId());
            TrainBatch tb = SftBatchSource.toTrainBatch(b);
            var source = new bitnut.train.BatchSource() {
                @Override public TrainBatch next() { return tb; }
                @Override public Map<String, Object> state() { return Map.of(); }
                @Override public void restore(Map<String, Object> s) { }
            };
            double[] loss = new double[2];
            for (int i = 0; i < 2; i++) {
                try (NDManager m = NDManager.newBaseManager("PyTorch");
                     BitNetModel model = BitNetModel.init(ToyData.microConfig(tok.vocabSize()), m, 4);
                     Trainer tr = new Trainer(model, TrainConfig.defaults(10), i == 1)) {
                    loss[i] = tr.trainStep(source).loss();
                }
            }
            assertEquals(loss[0] * b.lossTokens(), loss[1], 1e-3 * loss[1]);
        }
    }
}
