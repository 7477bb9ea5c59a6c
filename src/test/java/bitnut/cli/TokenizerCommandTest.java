package bitnut.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** {@code bitnut tokenizer train} then {@code encode} through the real command line, on a generated corpus. */
class TokenizerCommandTest {
    @Test
    void trainThenEncode(@TempDir Path dir) throws Exception {
        Path corpus = dir.resolve("squirrels.jsonl");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            sb.append("{\"text\": \"Squirrel number ").append(i).append(" runs the world and hides acorn ").append(i % 17).append(".\"}\n");
        }
        sb.append("{broken line\n");
        Files.writeString(corpus, sb);
        Path ws = dir.resolve("ws");
        int rc = BitnutCommand.commandLine().execute("--workspace", ws.toString(), "tokenizer", "train",
                "--input", corpus.toString(), "--vocab-size", "320", "--threads", "1");
        assertEquals(0, rc);
        Path tok = ws.resolve("tokenizer/bpe-320-squirrels");
        assertTrue(Files.isRegularFile(tok.resolve("tokenizer.json")));
        String report = Files.readString(tok.resolve("training_report.json"));
        assertTrue(report.contains("\"badLines\" : 1"), report);

        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, "UTF-8"));
        try {
            rc = BitnutCommand.commandLine().execute("--workspace", ws.toString(), "tokenizer", "encode",
                    "--tokenizer", "bpe-320-squirrels", "Squirrel runs");
        } finally {
            System.setOut(old);
        }
        assertEquals(0, rc);
        String printed = out.toString("UTF-8");
        assertTrue(printed.contains("ids: ["), printed);
        assertTrue(printed.contains("␣runs"), printed);

        int bad = BitnutCommand.commandLine().execute("--workspace", ws.toString(), "tokenizer", "train",
                "--input", corpus.toString(), "--vocab-size", "100", "--out", dir.resolve("small").toString());
        assertEquals(1, bad, "vocab below specials + alphabet is an error");
    }
}
