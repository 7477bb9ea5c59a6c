package bitnut.finetune;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The original project's finetune files (shared data, read in place, never copied) through the same
 * reader, template and its own 32k BPE tokenizer: every line parses, every example ends with eos,
 * nothing but the answer is trained. Skipped when ../shared is absent.
 */
class SeedDataTest {
    @TempDir Path dir;

    @Test void originalFinetuneFilesReadAndTokenizeWithTheirTokenizer() throws Exception {
        Path shared = Path.of(System.getProperty("bitnut.shared", "../shared"));
        Path seed = shared.resolve("data/bitnut-seed");
        Assumptions.assumeTrue(Files.isDirectory(seed.resolve("bitnut_finetune")), "shared seed data not present");
        Path folder = Files.createDirectories(dir.resolve("three"));
        List<Path> files;
        try (var s = Files.list(seed.resolve("bitnut_finetune"))) {
            files = s.filter(p -> p.toString().endsWith(".jsonl")).sorted().limit(3).toList();
        }
        for (Path f : files) Files.createSymbolicLink(folder.resolve(f.getFileName()), f.toAbsolutePath());
        ExampleReader.Result r = ExampleReader.readAll(folder);
        assertTrue(r.skipped().isEmpty(), r.skipped().toString());
        assertTrue(r.examples().size() > 300, "examples: " + r.examples().size());
        assertFalse(r.examples().get(0).prompt().startsWith("human:"), "labels are stripped");
        assertFalse(r.examples().get(0).response().startsWith("bitnut:"));

        try (ChatTokenizer tok = ChatTokenizer.load(seed.resolve("bitnut-tokenizer"))) {
            assertEquals(0, tok.padId());
            assertEquals(3, tok.eosId());
            SftEncoder.Encoded e = new SftEncoder(tok, 512).encodeAll(r.examples());
            assertEquals(r.examples().size(), e.stats().examples() + e.stats().dropped());
            for (TokenizedExample t : e.examples()) {
                if (!t.truncated()) assertEquals(tok.eosId(), t.tokens()[t.tokens().length - 1], t.origin());
                assertEquals(t.tokens().length - t.promptLength(), t.lossTokens());
            }
            assertTrue(e.stats().truncated() < e.stats().examples() / 10, e.stats().describe(512));
            SftBatch b = SftBatch.of(Packer.rows(e.examples(), 512, 1, 0).subList(0, 4), tok.padId());
            assertTrue(b.fill() > 0.9, "fill " + b.fill());
        }
    }
}
