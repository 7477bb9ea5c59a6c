package bitnut.cli;

import bitnut.corpus.CorpusIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Tokenizer stage -> Corpus stage through the real command line: train a tokenizer into the
 * workspace, build shards with it (found by default), print stats, and refuse a rebuild into the
 * same folder with another tokenizer.
 */
class CorpusCommandTest {
    @Test
    void trainTokenizerThenBuildAndInspectShards(@TempDir Path dir) throws Exception {
        Path corpus = dir.resolve("squirrels.jsonl");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 600; i++) {
            sb.append("{\"text\": \"Squirrel ").append(i).append(" says the acorns in tree ").append(i % 13)
                    .append(" are a decoy. Good dog.\"}\n");
        }
        Files.writeString(corpus, sb);
        Path ws = dir.resolve("ws");
        assertEquals(0, BitnutCommand.commandLine().execute("--workspace", ws.toString(), "tokenizer", "train",
                "--input", corpus.toString(), "--vocab-size", "320", "--threads", "1"));

        assertEquals(0, BitnutCommand.commandLine().execute("--workspace", ws.toString(), "corpus", "build",
                "--input", corpus.toString(), "--shard-tokens", "3000", "--val-fraction", "0.05", "--threads", "1"));
        Path shards = ws.resolve("corpus/shards");
        CorpusIndex idx = CorpusIndex.read(shards);
        assertEquals(600, idx.documents());
        assertTrue(idx.train().shards().size() >= 2, idx.train().toString());
        assertTrue(idx.val().documents() > 0 && idx.val().documents() < 100, idx.val().toString());
        assertTrue(idx.tokenizer().file().contains("bpe-320-squirrels"), idx.tokenizer().file());

        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, BitnutCommand.commandLine().execute("--workspace", ws.toString(), "corpus", "stats"));
        } finally {
            System.setOut(old);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("600 (0 empty skipped)") && printed.contains("all headers check out"), printed);

        // a second tokenizer, then a build into the same (incomplete) folder: refused
        assertEquals(0, BitnutCommand.commandLine().execute("--workspace", ws.toString(), "tokenizer", "train",
                "--input", corpus.toString(), "--vocab-size", "300", "--threads", "1"));
        Files.delete(shards.resolve(CorpusIndex.FILE));
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = BitnutCommand.commandLine().execute("--workspace", ws.toString(), "corpus", "build", "--input", corpus.toString(),
                    "--tokenizer", ws.resolve("tokenizer/bpe-300-squirrels").toString(), "--shard-tokens", "3000",
                    "--val-fraction", "0.05", "--threads", "1");
        } finally {
            System.setErr(oldErr);
        }
        assertEquals(1, rc);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("another tokenizer"), err.toString(StandardCharsets.UTF_8));
        assertEquals(1, BitnutCommand.commandLine().execute("--workspace", ws.toString(), "corpus", "stats", dir.resolve("none").toString()));
    }
}
