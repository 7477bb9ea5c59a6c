package bitnut.infer;

import bitnut.infer.kernel.DenseMatrix;
import bitnut.model.BitNetConfig;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Prefix reuse with the real BitNut byte-level BPE tokenizer (../shared reference data; skipped when
 * absent): re-encoding "previous prompt + answer + next message" need not give the ids that were
 * generated (BPE merges the answer's pieces differently), so the reused prefix may stop inside the
 * previous answer - but never before the end of the previous prompt, and results stay the same.
 * A random-weight model with the tokenizer's 32,768-token vocabulary stands in for a trained one.
 */
class PrefixReuseBpeTest {
    @Test
    void chatTurnsReuseAtLeastThePreviousPromptAndAnswerTheSame() throws Exception {
        Path tok = Path.of(System.getProperty("bitnut.shared", "../shared"), "data/bitnut-seed/bitnut-tokenizer");
        Assumptions.assumeTrue(Files.isRegularFile(tok.resolve("tokenizer.json")), "no BitNut tokenizer under " + tok);
        BitNetConfig c = new BitNetConfig(32768, 64, 128, 2, 4, 2, "relu2", 512, 0.02, 1e-5, 10000.0, false, 2, 3, 0,
                BitNetConfig.Precision.TERNARY);
        try (Transformer tf = new Transformer(BitNetModel.random(c, DenseMatrix.Precision.F32, 7), 2, 16);
             HfTokenCodec codec = HfTokenCodec.load(tok)) {
            Generator gen = new Generator(tf, codec);
            ChatSession chat = new ChatSession(gen);
            SamplingSettings s = ChatSession.chatSettings(new SamplingSettings(12, 1.5f, 40, 0.95f, 0f, 1.1f, 3, List.of(), true, List.of()));
            int previous = 0;
            for (String message : List.of("Who runs the park?", "Why are squirrels so sneaky?", "Can I have a treat?", "Good boy!")) {
                List<ChatSession.Turn> before = chat.turns();
                GenerationResult r = chat.send(message, s, null, null);
                GenerationResult full = new ChatSession(new Generator(tf, codec), before).send(message, s, null, null);
                assertEquals(full.text(), r.text(), message);
                assertEquals(full.promptTokens(), r.promptTokens(), message);
                if (previous > 0) {
                    assertTrue(r.prefilledTokens() <= r.promptTokens() - previous,
                            message + ": prefilled " + r.prefilledTokens() + " of " + r.promptTokens() + ", previous prompt " + previous);
                }
                previous = r.promptTokens();
            }
        }
    }
}
