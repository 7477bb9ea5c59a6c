package bitnut.synth;

import bitnut.common.AtomicFiles;
import bitnut.common.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The durable memory of one generation run, {@code workspace/synth/runs/<run-id>/}:
 * <pre>
 *   spec.json   the job's parameters (what Resume rebuilds it from)
 *   done.jsonl  one line per acknowledged unit of work, appended and fsynced AFTER the dataset
 *               store committed its rows: {"topic":"moon","request":3,"added":9,...} or {"id":42,...}
 * </pre>
 * Order of durability is the whole point: rows commit first, then the ledger line. A kill between
 * the two redoes that one unit on resume, and the store's idempotent keys make the redo harmless;
 * a kill mid-append leaves a torn last line, which {@link #entries} skips.
 */
public final class RunLedger implements AutoCloseable {
    public static final String SPEC = "spec.json";
    public static final String DONE = "done.jsonl";

    private final Path dir;
    private final FileChannel out;

    private RunLedger(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        Path done = dir.resolve(DONE);
        dropTornTail(done);
        this.out = FileChannel.open(done, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    /** A kill mid-append leaves a last line without its newline: it was never acknowledged, cut it. */
    private static void dropTornTail(Path done) throws IOException {
        if (!Files.exists(done)) return;
        try (FileChannel ch = FileChannel.open(done, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long keep = size;
            ByteBuffer one = ByteBuffer.allocate(1);
            while (keep > 0) {
                one.clear();
                ch.read(one, keep - 1);
                if (one.get(0) == '\n') break;
                keep--;
            }
            if (keep < size) {
                ch.truncate(keep);
                ch.force(true);
            }
        }
    }

    /** A fresh run id: kind prefix, local time, 4 random hex digits ("q-20261126-2355-3fa1"). */
    public static String newRunId(String prefix) {
        return prefix + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                + "-" + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
    }

    public static Path runsDir(Path synthDir) { return synthDir.resolve("runs"); }

    /** Opens (creating) the ledger of {@code runId}; writes spec.json if it is not there yet. */
    public static RunLedger open(Path synthDir, String runId, Map<String, Object> spec) throws IOException {
        if (!runId.matches("[A-Za-z0-9._-]+")) throw new IllegalArgumentException("bad run id: " + runId);
        Path dir = runsDir(synthDir).resolve(runId);
        RunLedger l = new RunLedger(dir);
        if (!Files.exists(dir.resolve(SPEC))) AtomicFiles.writeJson(dir.resolve(SPEC), spec);
        return l;
    }

    /** Every complete line of done.jsonl; a torn last line from a kill is ignored. */
    public static List<JsonNode> entries(Path synthDir, String runId) throws IOException {
        Path f = runsDir(synthDir).resolve(runId).resolve(DONE);
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(f)) return out;
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) continue;
            try {
                out.add(Json.MAPPER.readTree(line));
            } catch (IOException e) {
                if (i < lines.size() - 1) throw new IOException(f + ":" + (i + 1) + ": corrupt ledger line (" + e.getMessage() + ")");
            }
        }
        return out;
    }

    /** The saved spec of a run, for resume. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> spec(Path synthDir, String runId) throws IOException {
        Path f = runsDir(synthDir).resolve(runId).resolve(SPEC);
        if (!Files.exists(f)) throw new IOException("no run '" + runId + "' in " + runsDir(synthDir) + " (missing " + SPEC + ")");
        return Json.MAPPER.readValue(f.toFile(), Map.class);
    }

    public Path dir() { return dir; }

    /** Appends one entry and forces it to disk before returning. */
    public synchronized void append(ObjectNode entry) throws IOException {
        byte[] line = (Json.MAPPER.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(entry) + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.wrap(line);
        while (b.hasRemaining()) out.write(b);
        out.force(false);
    }

    @Override public void close() throws IOException { out.close(); }
}
