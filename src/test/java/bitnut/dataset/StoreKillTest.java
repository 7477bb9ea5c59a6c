package bitnut.dataset;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** A child JVM editing the store is killed with SIGKILL; every acknowledged write must be in the file. */
class StoreKillTest {
    @TempDir Path dir;

    @Test void sigkillDuringEditsLosesNoAcknowledgedWrite() throws Exception {
        Path db = dir.resolve("dataset.db");
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx128m", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), StoreKillChild.class.getName(), db.toString());
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String lastAck = null;
        List<Long> added = new ArrayList<>();
        int acks = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("ACK ")) { lastAck = line; acks++; }
                if (line.startsWith("ADD ")) added.add(Long.parseLong(line.substring(4)));
                if (acks == 60) {
                    // SIGKILL from outside (Process.destroyForcibly would also close our end of the pipe):
                    // no shutdown hooks, no close(); lines already in the pipe were acknowledged too
                    new ProcessBuilder("kill", "-KILL", Long.toString(p.pid())).inheritIO().start().waitFor();
                }
            }
        }
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertNotEquals(0, p.exitValue());
        assertNotNull(lastAck, "child never acknowledged a write");
        String[] f = lastAck.split(" ", 4);
        long id = Long.parseLong(f[1]), version = Long.parseLong(f[2]);
        try (DatasetStore store = DatasetStore.open(db)) {
            Example e = store.get(id).orElseThrow();
            assertTrue(e.version() >= version, "acknowledged version " + version + " lost, found " + e.version());
            if (e.version() == version) assertEquals(f[3], e.response());
            List<Revision> h = store.history(id);
            assertEquals(f[3], h.stream().filter(r -> r.version() == version).findFirst().orElseThrow().response());
            for (long q : added) assertTrue(store.get(q).isPresent(), "acknowledged question " + q + " lost");
            assertEquals(e.version(), h.getLast().version(), "row and history agree after the crash");
        }
    }
}
