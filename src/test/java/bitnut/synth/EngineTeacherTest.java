package bitnut.synth;

import bitnut.common.DirectJobContext;
import bitnut.dataset.DatasetStore;
import bitnut.dataset.Example;
import bitnut.dataset.ExampleFilter;
import bitnut.dataset.NewQuestion;
import bitnut.infer.InferenceEngine;
import bitnut.infer.OpenAiServer;
import bitnut.infer.TinyCheckpoint;
import bitnut.model.BitNetConfig;
import bitnut.workspace.Workspace;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The project's own engine as a teacher, on a tiny random checkpoint the test writes: in process
 * (batched voice job) and behind the project's own OpenAI-compatible server over loopback.
 */
class EngineTeacherTest {
    @TempDir static Path tmp;
    static Path checkpoint;

    @BeforeAll static void write() throws Exception {
        BitNetConfig c = TinyCheckpoint.config(true);
        checkpoint = TinyCheckpoint.writeLatent(tmp.resolve("run/checkpoints/step-0000005"), c, TinyCheckpoint.latents(c, 7));
    }

    @Test void rendersMessagesWithBitNutsTemplate() {
        String p = EngineTeacher.prompt(List.of(ChatMessage.system("You are BitNut."), ChatMessage.user("Why is grass green?")));
        assertTrue(p.startsWith("You are BitNut.\n"), p);
        assertTrue(p.contains("human: Why is grass green?") || p.contains("human:Why is grass green?"), p);
        assertTrue(p.strip().endsWith("bitnut:"), p);
    }

    @Test void voiceJobAnswersInBatchesWithTheInProcessEngine() throws Exception {
        Workspace ws = Workspace.create(tmp.resolve("ws"));
        try (DatasetStore store = DatasetStore.open(ws)) {
            List<NewQuestion> qs = new ArrayList<>();
            for (int i = 0; i < 6; i++) qs.add(NewQuestion.of("moon", "Is the moon number " + i + " made of cheese?", Map.of()));
            store.addQuestions(qs).get();
        }
        VoiceJob job = VoiceJob.start(ws, new VoiceJobConfig(0, null, new Sampling(0.8, 0.95, 40, 12),
                Teachers.localSpec(checkpoint, 1)), null);
        String summary = job.run(new DirectJobContext());
        assertTrue(summary.startsWith("6 answers in this session"), summary);
        try (DatasetStore store = DatasetStore.open(ws)) {
            assertEquals(0, store.count(ExampleFilter.ALL.withHasResponse(false)));
            List<Example> rows = new ArrayList<>();
            store.scan(ExampleFilter.ALL, rows::add);
            Map<String, Object> m = rows.getFirst().metadata();
            assertEquals("local:run/step-0000005 (1 threads)", m.get("teacher"));
            int tokens = ((Number) m.get("completion_tokens")).intValue();
            assertTrue(tokens > 0 && tokens <= 12, "completion tokens " + tokens);
            assertTrue(List.of("stop", "length").contains(m.get("finish_reason")));
        }
    }

    @Test void aBatchOfFourAnswersAsFourSingleCallsWould() throws Exception {
        try (EngineTeacher teacher = EngineTeacher.open(checkpoint, 1)) {
            Sampling greedy = new Sampling(0, 1, 0, 10);          // greedy: the fresh seeds do not matter
            List<List<ChatMessage>> convs = new ArrayList<>();
            for (String q : List.of("Why is grass green?", "Do squirrels run the world?", "Hi", "What is a ball, and why do I want it so much?")) {
                convs.add(List.of(ChatMessage.system("You are BitNut."), ChatMessage.user(q)));
            }
            List<ChatResult> batch = teacher.chatBatch(convs, greedy);
            assertEquals(4, batch.size());
            for (int i = 0; i < 4; i++) {
                ChatResult alone = teacher.chat(convs.get(i), greedy);
                assertEquals(alone.text(), batch.get(i).text(), "answer " + i);
                assertEquals(alone.completionTokens(), batch.get(i).completionTokens(), "answer " + i);
                assertEquals(alone.promptTokens(), batch.get(i).promptTokens(), "answer " + i);
                assertEquals(alone.finishReason(), batch.get(i).finishReason(), "answer " + i);
                assertTrue(batch.get(i).latencyMillis() >= 0 && batch.get(i).tokensPerSecond() > 0);
            }
            assertTrue(batch.get(0).promptTokens() != batch.get(3).promptTokens(), "prompts of different lengths");
        }
    }

    @Test void theHttpTeacherTalksToTheProjectsOwnServer() throws Exception {
        try (InferenceEngine engine = InferenceEngine.open(checkpoint, null, new InferenceEngine.Options(1, bitnut.infer.kernel.DenseMatrix.Precision.F32, 0, 16));
             OpenAiServer server = new OpenAiServer(engine, "127.0.0.1", 0, 1 << 20);
             OpenAiTeacher teacher = new OpenAiTeacher(new TeacherSettings("http://127.0.0.1:" + server.port() + "/v1",
                     "bitnut", "", 1, 30, 0), null, 20)) {
            ChatResult r = teacher.chat(List.of(ChatMessage.system("You are BitNut."), ChatMessage.user("Hello?")),
                    new Sampling(0.8, 0.95, 40, 8));
            assertTrue(r.completionTokens() > 0 && r.completionTokens() <= 8, "tokens " + r.completionTokens());
            assertTrue(r.promptTokens() > 5);
            assertTrue(List.of("stop", "length").contains(r.finishReason()));
        }
    }
}
