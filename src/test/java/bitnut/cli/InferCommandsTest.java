package bitnut.cli;

import bitnut.infer.ChatStore;
import bitnut.infer.TinyCheckpoint;
import bitnut.model.BitNetConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bitnut sample / chat end to end on a tiny checkpoint in a temp workspace (real files, real tokenizer). */
class InferCommandsTest {

    static String[] run(String stdin, String... args) {
        PrintStream out = System.out, err = System.err;
        InputStream in = System.in;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            int code = BitnutCommand.commandLine().execute(args);
            return new String[] {String.valueOf(code), o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(out);
            System.setErr(err);
            System.setIn(in);
        }
    }

    @Test
    void sampleFindsTheNewestWorkspaceCheckpointAndIsReproducible(@TempDir Path ws) throws Exception {
        BitNetConfig c = TinyCheckpoint.config(true);
        TinyCheckpoint.writeLatent(ws.resolve("pretrain/run1/checkpoints/step-0000005"), c, TinyCheckpoint.latents(c, 41));
        String[] a = run("", "--workspace", ws.toString(), "sample", "--prompt", "Squirrels", "--max-tokens", "6", "--temperature", "2", "--threads", "1");
        String[] b = run("", "--workspace", ws.toString(), "sample", "--prompt", "Squirrels", "--max-tokens", "6", "--temperature", "2", "--threads", "1");
        assertEquals("0", a[0], a[2]);
        assertTrue(a[1].startsWith("Squirrels"), a[1]);
        assertEquals(a[1], b[1]);
        assertTrue(a[2].contains("decode") && a[2].contains("TTFT"), a[2]);
        String[] missing = run("", "--workspace", ws.resolve("empty").toString(), "sample", "--prompt", "x");
        assertEquals("1", missing[0]);
        assertTrue(missing[2].contains("no checkpoint"), missing[2]);
    }

    @Test
    void chatStreamsAnswersAndSavesTheConversation(@TempDir Path ws) throws Exception {
        BitNetConfig c = TinyCheckpoint.config(true);
        Path ckpt = TinyCheckpoint.writeLatent(ws.resolve("ckpt"), c, TinyCheckpoint.latents(c, 42));
        String[] r = run("Who runs the park?\n/regen\nAnd the trees?\n/quit\n",
                "--workspace", ws.resolve("w").toString(), "chat", "--checkpoint", ckpt.toString(), "--max-tokens", "5", "--threads", "1");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("bitnut: "), r[1]);
        List<String> problems = new ArrayList<>();
        List<ChatStore.Conversation> saved = new ChatStore(ws.resolve("w/chat")).list(problems);
        assertEquals(1, saved.size());
        assertTrue(problems.isEmpty());
        assertEquals(2, saved.get(0).turns().size());
        assertEquals("Who runs the park?", saved.get(0).title());
        assertEquals("And the trees?", saved.get(0).turns().get(1).human());
    }
}
