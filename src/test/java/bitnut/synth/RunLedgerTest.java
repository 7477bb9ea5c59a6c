package bitnut.synth;

import bitnut.common.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The run ledger keeps acknowledged units and survives a torn last line. */
class RunLedgerTest {
    @TempDir Path dir;

    @Test void appendsReadsAndCutsATornTail() throws Exception {
        try (RunLedger l = RunLedger.open(dir, "q-1", Map.of("kind", "synth.questions", "run_id", "q-1"))) {
            l.append(Json.MAPPER.createObjectNode().put("topic", "moon").put("request", 0));
            l.append(Json.MAPPER.createObjectNode().put("topic", "moon").put("request", 1));
        }
        Path done = dir.resolve("runs/q-1/done.jsonl");
        // what a SIGKILL in the middle of an append leaves behind
        Files.writeString(done, "{\"topic\":\"moon\",\"req", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        assertEquals(2, RunLedger.entries(dir, "q-1").size());
        try (RunLedger l = RunLedger.open(dir, "q-1", Map.of())) {
            l.append(Json.MAPPER.createObjectNode().put("topic", "moon").put("request", 2));
        }
        var entries = RunLedger.entries(dir, "q-1");
        assertEquals(3, entries.size());
        assertEquals(2, entries.get(2).path("request").asInt());
        assertEquals("synth.questions", RunLedger.spec(dir, "q-1").get("kind"), "the first spec is kept");
        assertThrows(IllegalArgumentException.class, () -> RunLedger.open(dir, "../evil", Map.of()));
    }
}
