package bitnut.finetune;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Reading, templating, tokenization, truncation, loss masking and packing of SFT examples. */
class SftDataTest {
    @TempDir static Path dir;
    static ChatTokenizer tok;

    @BeforeAll static void loadTokenizer() throws IOException {
        tok = ChatTokenizer.load(ToyData.writeTokenizer(dir.resolve("tokenizer.json")));
    }

    @AfterAll static void close() { tok.close(); }

    @Test void readsExportFormatAndSkipsBadLinesWithFileAndLine() throws IOException {
        Path f = dir.resolve("mixed.jsonl");
        Files.writeString(f, String.join("\n",
                "{\"prompt\": \"human: Why is the sky blue?\", \"response\": \"bitnut: Woof! Squirrels painted it.\"}",
                "",
                "{\"prompt\": \"no label\", \"response\": \"plain answer\"}",
                "{not json",
                "{\"prompt\": \"only a prompt\"}",
                "[1, 2]",
                "{\"prompt\": \"human:  \", \"response\": \"bitnut: x\"}",
                "{\"prompt\": 3, \"response\": \"bitnut: x\"}") + "\n");
        ExampleReader.Result r = ExampleReader.read(f);
        assertEquals(2, r.examples().size());
        assertEquals("Why is the sky blue?", r.examples().get(0).prompt());
        assertEquals("Woof! Squirrels painted it.", r.examples().get(0).response());
        assertEquals("mixed.jsonl:1", r.examples().get(0).origin());
        assertEquals("no label", r.examples().get(1).prompt());
        assertEquals(5, r.skipped().size(), r.skipped().toString());
        assertTrue(r.skipped().get(0).startsWith("mixed.jsonl:4: not valid JSON"), r.skipped().get(0));
        assertTrue(r.skipped().get(1).startsWith("mixed.jsonl:5:"));
        assertTrue(r.skipped().get(2).startsWith("mixed.jsonl:6:"));
        assertTrue(r.skipped().get(3).startsWith("mixed.jsonl:7: empty"));
        assertTrue(r.skipped().get(4).startsWith("mixed.jsonl:8:"));
    }

    @Test void readsEveryJsonlFileOfAFolderInNameOrder() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("topics"));
        ToyData.writeJsonl(folder.resolve("b_moon.jsonl"), ToyData.examples().subList(0, 3));
        ToyData.writeJsonl(folder.resolve("a_cats.jsonl"), ToyData.examples().subList(3, 5));
        Files.writeString(folder.resolve("notes.txt"), "not examples");
        ExampleReader.Result r = ExampleReader.readAll(folder);
        assertEquals(5, r.examples().size());
        assertEquals("a_cats.jsonl:1", r.examples().get(0).origin());
        assertEquals("b_moon.jsonl:3", r.examples().get(4).origin());
        assertThrows(IOException.class, () -> ExampleReader.readAll(Files.createDirectories(dir.resolve("empty"))));
    }

    @Test void padIsADistinctTokenFromEos() {
        assertEquals(0, tok.padId());
        assertEquals(3, tok.eosId());
    }

    @Test void templateSplitsPromptFromResponseAndEndsWithEos() {
        SftExample ex = new SftExample("what is the moon ?", ToyData.answer("moon"), "t:1");
        TokenizedExample t = new SftEncoder(tok, 64).encode(ex);
        assertEquals("human: what is the moon ? bitnut:", tok.decode(java.util.Arrays.copyOf(t.tokens(), t.promptLength())));
        int[] response = java.util.Arrays.copyOfRange(t.tokens(), t.promptLength(), t.tokens().length);
        assertEquals(tok.eosId(), response[response.length - 1]);
        assertEquals(ToyData.answer("moon"), tok.decode(response));   // eos is skipped when decoding
        assertEquals(ToyData.answer("moon").split(" ").length + 1, t.lossTokens());
        assertFalse(t.truncated());
    }

    /** The loss counts every response token and every eos, and no prompt token or pad token. */
    @Test void lossMaskCoversExactlyResponsesAndEos() {
        List<SftExample> examples = ToyData.examples().subList(0, 13);
        SftEncoder enc = new SftEncoder(tok, 40);
        List<TokenizedExample> encoded = enc.encodeAll(examples).examples();
        SftBatch batch = SftBatch.of(Packer.rows(encoded, 40, 7, 0), tok.padId());

        // What the loss must see, computed independently from the texts: per example its answer ids + eos.
        List<Integer> expected = new ArrayList<>();
        for (SftExample e : examples) {
            for (int id : tok.encode(" " + e.response())) expected.add(id);
            expected.add(tok.eosId());
        }
        List<Integer> trained = new ArrayList<>();
        int pads = 0, eosTrained = 0;
        for (int i = 0; i < batch.inputs().length; i++) {
            if (batch.segments()[i] == 0) {
                pads++;
                assertEquals(0f, batch.lossMask()[i], "padding position " + i + " is in the loss");
                assertEquals(tok.padId(), batch.inputs()[i]);
            }
            if (batch.lossMask()[i] == 1f) {
                trained.add(batch.targets()[i]);
                assertNotEquals(tok.padId(), batch.targets()[i]);
                if (batch.targets()[i] == tok.eosId()) eosTrained++;
            }
        }
        assertTrue(pads > 0, "the test needs some padding to be meaningful");
        assertEquals(examples.size(), eosTrained, "every example's eos must be trained");
        assertEquals(expected.size(), trained.size());
        expected.sort(null);
        trained.sort(null);
        assertEquals(expected, trained);
        assertEquals(expected.size(), batch.lossTokens());

        // No prompt token is ever a trained target: prompt words never appear in answers here.
        Set<Integer> promptOnly = new HashSet<>();
        for (String w : List.of("human:", "bitnut:", "what", "tell", "me", "about", "why", "there", "do", "you", "like", "?")) {
            promptOnly.add(tok.encode(w)[0]);
        }
        for (int id : trained) assertFalse(promptOnly.contains(id), "prompt token " + id + " trained");
    }

    @Test void truncationIsCountedAndPromptOnlyExamplesAreDropped() {
        List<SftExample> ex = List.of(
                new SftExample("what is the moon ?", ToyData.answer("moon"), "t:1"),          // 7 + 10 + 1 = 18 tokens
                new SftExample("hello", "woof", "t:2"),                                      // 3 + 1 + 1 = 5 tokens
                new SftExample("what is the moon ? what is the moon ? what is the moon ?", "woof", "t:3"));
        SftEncoder.Encoded e = new SftEncoder(tok, 10).encodeAll(ex);
        assertEquals(2, e.stats().examples());
        assertEquals(1, e.stats().truncated());
        assertEquals(1, e.stats().dropped());
        assertTrue(e.droppedOrigins().get(0).startsWith("t:3"));
        TokenizedExample cut = e.examples().get(0);
        assertEquals(11, cut.tokens().length);
        assertNotEquals(tok.eosId(), cut.tokens()[10], "a truncated answer has lost its eos");
        assertEquals(10, cut.positions());
    }

    @Test void packingKeepsEveryExampleOnceAndAttentionInsideEachExample() {
        List<TokenizedExample> encoded = new SftEncoder(tok, 64).encodeAll(ToyData.examples()).examples();
        List<List<TokenizedExample>> rows = Packer.rows(encoded, 64, 42, 3);
        assertEquals(rows, Packer.rows(encoded, 64, 42, 3), "packing must be reproducible for exact resume");
        assertNotEquals(rows, Packer.rows(encoded, 64, 42, 4), "each epoch reshuffles");
        Set<String> seen = new HashSet<>();
        for (List<TokenizedExample> row : rows) {
            int used = 0;
            for (TokenizedExample ex : row) { used += ex.positions(); assertTrue(seen.add(ex.origin())); }
            assertTrue(used <= 64);
        }
        assertEquals(encoded.size(), seen.size());

        SftBatch batch = SftBatch.of(rows.subList(0, 4), tok.padId());
        assertTrue(batch.fill() > 0.85, "packing should leave little padding, fill " + batch.fill());
        for (int b = 0; b < batch.batch(); b++) {
            for (int q = 0; q < batch.time(); q++) {
                int i = b * batch.time() + q;
                if (q > 0 && batch.segments()[i] == batch.segments()[i - 1] && batch.segments()[i] != 0) {
                    assertEquals(batch.positions()[i - 1] + 1, batch.positions()[i]);
                } else if (batch.segments()[i] != 0) {
                    assertEquals(0, batch.positions()[i], "positions restart for each example");
                }
                for (int k = 0; k < batch.time(); k++) {
                    boolean same = batch.segments()[i] == batch.segments()[b * batch.time() + k];
                    assertEquals(k <= q && same, batch.attends(b, q, k));
                }
            }
        }
    }

    @Test void validationSplitIsSeededAndDisjoint() {
        List<SftExample> all = ToyData.examples();
        SftSplit a = SftSplit.of(all, 0.1, 5), b = SftSplit.of(all, 0.1, 5);
        assertEquals(a, b);
        assertEquals(12, a.validation().size());
        assertEquals(all.size(), a.train().size() + a.validation().size());
        Set<String> train = new HashSet<>();
        a.train().forEach(e -> train.add(e.origin()));
        a.validation().forEach(e -> assertFalse(train.contains(e.origin())));
        assertEquals(1, SftSplit.of(all.subList(0, 3), 0.05, 1).validation().size());
    }
}
