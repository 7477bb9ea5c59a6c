package bitnut.infer;

import bitnut.infer.kernel.DenseMatrix;
import bitnut.model.BitNetConfig;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `bench infer --chat-turns`: one row per turn, the prompt grows by answer + message, later turns prefill only the message. */
class ChatReuseBenchTest {
    @Test
    void laterTurnsPrefillOnlyTheNewMessage() {
        BitNetConfig c = TinyCheckpoint.config(false);
        BitNetModel m = BitNetModel.random(c, DenseMatrix.Precision.F32, 3);
        List<ChatReuseBench.Turn> turns = ChatReuseBench.run(m, 2, 4, 10, 6, 5, 2, 1, 10);
        assertEquals(List.of(1, 2, 3, 4), turns.stream().map(ChatReuseBench.Turn::turn).toList());
        assertEquals(10, turns.getFirst().promptTokens());
        assertEquals(10, turns.getFirst().prefilled(), "nothing to reuse on turn 1");
        for (int i = 1; i < turns.size(); i++) {
            ChatReuseBench.Turn t = turns.get(i);
            // the previous prompt + the 4 answer tokens that were run + a 6-token message
            assertEquals(turns.get(i - 1).promptTokens() + 4 + 6, t.promptTokens(), t.toString());
            assertEquals(6, t.prefilled(), t.toString());
            assertTrue(t.fullTtftMs() > 0 && t.reuseTtftMs() > 0, t.toString());
        }
    }
}
