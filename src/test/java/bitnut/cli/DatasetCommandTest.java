package bitnut.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The dataset CLI end to end on a temporary workspace: import, flag, stats, export. */
class DatasetCommandTest {
    @TempDir Path dir;

    private int run(String... args) { return BitnutCommand.commandLine().execute(args); }

    @Test void importFlagStatsExport() throws Exception {
        Path ws = dir.resolve("ws");
        Path in = dir.resolve("in/pets.jsonl");
        Files.createDirectories(in.getParent());
        Files.writeString(in, """
                {"prompt": "human: Do cats dream?", "response": "bitnut: Yes! They twitch like me chasing squirrels."}
                {"prompt": "human: Do cats dream at night?", "response": "bitnut: As an AI language model I cannot say. Woof."}
                broken line
                """);
        assertEquals(0, run("--workspace", ws.toString(), "dataset", "import", in.getParent().toString()));
        assertEquals(0, run("--workspace", ws.toString(), "dataset", "flag"));
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        try {
            assertEquals(0, run("--workspace", ws.toString(), "dataset", "stats"));
            assertEquals(0, run("--workspace", ws.toString(), "dataset", "flag", "--list", "--flag", "boilerplate"));
        } finally {
            System.setOut(old);
        }
        String out = buf.toString();
        assertTrue(out.contains("2 examples, 2 answered, 1 topics"), out);
        assertTrue(out.contains("assistant boilerplate 1"), out);
        assertTrue(out.contains("Assistant phrasing"), out);
        Path export = dir.resolve("out.jsonl");
        assertEquals(0, run("--workspace", ws.toString(), "dataset", "export", "--format", "hf_chat", "--topic", "pets", export.toString()));
        assertEquals(2, Files.readAllLines(export).size());
        assertEquals(2, run("--workspace", ws.toString(), "dataset", "export", "--format", "questions", export.toString()));
        assertNotNull(new CommandLine(new BitnutCommand()).getSubcommands().get("bench").getSubcommands().get("dataset"));
    }
}
