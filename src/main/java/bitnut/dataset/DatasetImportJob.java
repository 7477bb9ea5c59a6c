package bitnut.dataset;

import bitnut.common.Job;
import bitnut.common.JobContext;
import bitnut.common.Json;
import bitnut.common.Lane;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Imports JSONL files into the dataset: the original pairs ({@code prompt}/{@code response} with
 * {@code human: }/{@code bitnut: } labels, topic from the file name), question files
 * ({@code topic}/{@code prompt}) and Hugging Face chat ({@code messages}). A malformed line is
 * logged as {@code file:line: reason} and skipped; questions already stored are skipped, so the
 * import is idempotent and can simply be re-run after a kill.
 */
public final class DatasetImportJob implements Job {
    private static final int BATCH = 1000;

    /** What an import did; {@code problems} holds the first 1000 "file:line: reason" lines. */
    public record Report(long lines, long inserted, long duplicates, long malformed, List<String> problems) { }

    private final DatasetStore store;
    private final List<Path> files;
    private final DatasetFormat format;
    private Report report;

    public DatasetImportJob(DatasetStore store, List<Path> files, DatasetFormat format) {
        if (format == DatasetFormat.FINETUNE) throw new IllegalArgumentException("finetune is an export format");
        this.store = store;
        this.files = List.copyOf(files);
        this.format = format;
    }

    @Override public String kind() { return "dataset.import"; }

    @Override public String title() {
        return "Import " + files.size() + (files.size() == 1 ? " file" : " files") + " into the dataset";
    }

    @Override public Lane lane() { return Lane.CPU; }

    @Override public Map<String, Object> spec() {
        return Map.of("files", files.stream().map(Path::toString).toList(), "format", format.name());
    }

    public Report report() { return report; }

    @Override public String run(JobContext ctx) throws Exception {
        long total = 0;
        for (Path f : files) total += Files.size(f);
        long done = 0, lines = 0, inserted = 0, submitted = 0, malformed = 0;
        List<String> problems = new ArrayList<>();
        long t0 = System.nanoTime();
        CompletableFuture<List<Long>> inFlight = null;
        for (Path f : files) {
            String topic = topicOf(f);
            List<NewExample> batch = new ArrayList<>(BATCH);
            try (JsonlLines in = new JsonlLines(f)) {
                String line;
                while ((line = in.next()) != null) {
                    lines++;
                    if (line.isBlank()) continue;
                    String where = f.getFileName() + ":" + in.lineNo();
                    try {
                        batch.add(parse(line, topic, f.getFileName().toString(), in.lineNo()));
                    } catch (IllegalArgumentException e) {
                        malformed++;
                        String p = where + ": " + e.getMessage();
                        if (problems.size() < 1000) problems.add(p);
                        ctx.log(p + " (skipped)");
                    }
                    if (batch.size() == BATCH) {
                        // keep one batch in flight: parsing the next overlaps the commit of this one
                        if (inFlight != null) inserted += inFlight.join().size();
                        inFlight = store.addExamples(batch);
                        submitted += batch.size();
                        batch = new ArrayList<>(BATCH);
                        ctx.checkpoint();
                        double s = (System.nanoTime() - t0) / 1e9;
                        ctx.progress(total == 0 ? -1 : (double) (done + in.charsRead()) / total, "importing " + f.getFileName());
                        ctx.throughput(submitted / Math.max(s, 1e-9), "rows/s");
                    }
                }
                if (!batch.isEmpty()) {
                    if (inFlight != null) inserted += inFlight.join().size();
                    inFlight = store.addExamples(batch);
                    submitted += batch.size();
                }
            } catch (IOException e) {
                throw new IOException("reading " + f + ": " + e.getMessage(), e);
            }
            done += Files.size(f);
        }
        if (inFlight != null) inserted += inFlight.join().size();
        ctx.progress(1, "done");
        report = new Report(lines, inserted, submitted - inserted, malformed, List.copyOf(problems));
        return "imported " + inserted + " examples from " + files.size() + " file(s); " + (submitted - inserted)
                + " already present, " + malformed + " malformed line(s) skipped";
    }

    /** Topic from a file name: {@code DIY_projects.jsonl} -> {@code DIY_projects}. */
    static String topicOf(Path f) {
        String n = f.getFileName().toString();
        int dot = n.indexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    private NewExample parse(String line, String fileTopic, String fileName, int lineNo) {
        if (line == JsonlLines.TOO_LONG) throw new IllegalArgumentException("line longer than " + JsonlLines.MAX_LINE_CHARS + " characters");
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) throw new IllegalArgumentException("expected a JSON object");
        DatasetFormat f = format != DatasetFormat.AUTO ? format
                : n.has("messages") ? DatasetFormat.HF_CHAT : n.has("response") ? DatasetFormat.ORIGINAL : DatasetFormat.QUESTIONS;
        String topic = text(n, "topic", false);
        if (topic == null || topic.isBlank()) topic = fileTopic;
        String prompt, response;
        switch (f) {
            case ORIGINAL -> {
                prompt = strip(text(n, "prompt", true), "human:");
                response = strip(text(n, "response", true), "bitnut:");
            }
            case QUESTIONS -> {
                prompt = strip(text(n, "prompt", true), "human:");
                response = null;
            }
            case HF_CHAT -> {
                JsonNode msgs = n.get("messages");
                if (msgs == null || !msgs.isArray()) throw new IllegalArgumentException("\"messages\" is not an array");
                prompt = null;
                response = null;
                for (JsonNode m : msgs) {
                    String role = m.path("role").asText("");
                    if (!m.path("content").isTextual()) throw new IllegalArgumentException("a message has no string \"content\"");
                    String content = m.get("content").asText();
                    if (prompt == null && role.equals("user")) prompt = content.strip();
                    else if (prompt != null && response == null && role.equals("assistant")) response = strip(content, "bitnut:");
                }
                if (prompt == null) throw new IllegalArgumentException("no \"user\" message");
            }
            default -> throw new IllegalStateException();
        }
        if (prompt.isBlank()) throw new IllegalArgumentException("empty prompt");
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("file", fileName);
        meta.put("line", lineNo);
        return new NewExample(topic.strip(), prompt, response, ExampleSource.IMPORTED, meta);
    }

    private static String text(JsonNode n, String key, boolean required) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            if (required) throw new IllegalArgumentException("missing \"" + key + "\"");
            return null;
        }
        if (!v.isTextual()) throw new IllegalArgumentException("\"" + key + "\" is not a string");
        return v.asText();
    }

    private static String strip(String s, String label) {
        String t = s.strip();
        return t.regionMatches(true, 0, label, 0, label.length()) ? t.substring(label.length()).strip() : t;
    }
}
