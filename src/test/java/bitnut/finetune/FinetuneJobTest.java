package bitnut.finetune;

import bitnut.common.DirectJobContext;
import bitnut.common.JobCancelledException;
import bitnut.train.Checkpoints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The finetune job end to end on a micro ternary model and the generated toy set: it learns the
 * answer pattern and learns to stop (eos on >= 90% of held-out prompts), and a run cancelled midway
 * resumes to exactly the weights of an uninterrupted run.
 */
class FinetuneJobTest {
    @TempDir Path dir;

    static FinetuneConfig toyConfig(Path base, Path data, Path out, int epochs, int evalEvery, int prompts) {
        return new FinetuneConfig(base, data, out, FinetuneConfig.Preset.BITNET, epochs, 4, 1, 64,
                5e-3, 0.1, 10, 0.0, 1.0, FinetuneConfig.LossReduction.MEAN, 0.1, evalEvery, prompts, 16, 1000, 7);
    }

    /** Answers a detector can judge: persona = mentions a squirrel; role confusion = names bitnut. */
    static final VoiceMetrics.Detectors TOY = VoiceMetrics.detectors((p, a) -> a.contains("bitnut"), a -> a.contains("squirrel"));

    @Test void learnsTheAnswerPatternAndToStop() throws Exception {
        Path base = ToyData.writeBaseCheckpoint(dir.resolve("base"), 11);
        Path data = ToyData.writeJsonl(dir.resolve("toy.jsonl"), ToyData.examples());
        FinetuneConfig c = toyConfig(base, data, dir.resolve("run"), 30, 1000, 12);
        DirectJobContext ctx = new DirectJobContext();
        String summary = new FinetuneJob(c, TOY).run(ctx);

        FinetuneRun run = new FinetuneRun(c.out());
        FinetuneRun.BaseAnswers before = run.readBaseAnswers().orElseThrow();
        List<FinetuneRun.Evaluation> evals = run.readEvaluations();
        FinetuneRun.Evaluation after = evals.get(evals.size() - 1);
        assertEquals(12, after.answers().size());
        long pattern = after.answers().stream()
                .filter(a -> a.answer().startsWith("woof ! the") && a.answer().endsWith("is a squirrel plot .")).count();
        assertTrue(after.voice().eosShare() >= 0.9, "eos share " + after.voice().eosShare() + "\n" + after.answers() + "\n" + summary);
        assertTrue(pattern >= 11, pattern + " of 12 answers follow the pattern: " + after.answers());
        assertTrue(after.voice().personaMarkers() >= 0.9);
        assertTrue(before.voice().eosShare() < 0.5, "the untrained base should not stop on its own: " + before.answers());
        assertTrue(after.valLoss() < 0.5, "val loss " + after.valLoss());
        assertFalse(run.readMetrics().isEmpty());
        assertTrue(new Checkpoints(c.out()).latest().isPresent());
        assertTrue(ctx.metrics().stream().anyMatch(m -> m.name().equals("val_loss")));
    }

    @Test void cancelledRunResumesToTheSameWeights() throws Exception {
        Path base = ToyData.writeBaseCheckpoint(dir.resolve("base"), 5);
        Path data = ToyData.writeJsonl(dir.resolve("toy.jsonl"), ToyData.examples());

        FinetuneConfig straight = toyConfig(base, data, dir.resolve("straight"), 2, 4, 2);
        new FinetuneJob(straight, TOY).run(new DirectJobContext());

        FinetuneConfig broken = straight.withOut(dir.resolve("broken"));
        DirectJobContext stopAt7 = new DirectJobContext() {
            @Override public void metric(String name, double x, double y) {
                super.metric(name, x, y);
                if (name.equals("train_loss") && x == 7) cancel();
            }
        };
        assertThrows(JobCancelledException.class, () -> new FinetuneJob(broken, TOY).run(stopAt7));
        assertEquals(7, new Checkpoints(broken.out()).latest().orElseThrow().step(), "cancel saves a checkpoint");
        new FinetuneJob(broken, TOY).run(new DirectJobContext());

        Path a = new Checkpoints(straight.out()).latest().orElseThrow().dir(), b = new Checkpoints(broken.out()).latest().orElseThrow().dir();
        assertEquals(Checkpoints.readState(a).step(), Checkpoints.readState(b).step());
        assertArrayEquals(Files.readAllBytes(a.resolve(Checkpoints.MODEL)), Files.readAllBytes(b.resolve(Checkpoints.MODEL)),
                "resumed weights differ from an uninterrupted run");
        assertEquals(new FinetuneRun(straight.out()).readMetrics().size(), new FinetuneRun(broken.out()).readMetrics().size());

        FinetuneConfig other = new FinetuneConfig(base, data, broken.out(), FinetuneConfig.Preset.BITNET, 3, 4, 1, 64,
                5e-3, 0.1, 10, 0.0, 1.0, FinetuneConfig.LossReduction.MEAN, 0.1, 4, 12, 16, 1000, 7);
        var e = assertThrows(java.io.IOException.class, () -> new FinetuneJob(other, TOY).run(new DirectJobContext()));
        assertTrue(e.getMessage().contains("other settings"));
    }
}
