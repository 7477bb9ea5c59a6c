package bitnut.finetune;

import bitnut.common.AtomicFiles;
import bitnut.common.Json;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The files of one finetune run folder (docs/formats.md "Finetune run"):
 * <pre>
 *   finetune.json        the FinetuneConfig (the job spec; a resume must match it)
 *   base_answers.json    the base checkpoint's answers to the held-out prompts (computed once)
 *   evals.jsonl          one line per evaluation: step, val loss, answers, voice metrics
 *   metrics.jsonl        one line per optimizer step (loss, lr, tokens/s, ...)
 *   checkpoints/step-N/  HF-loadable checkpoints with optimizer and trainer state (bitnut.train.Checkpoints)
 * </pre>
 * JSONL files are append-only; a line torn by a crash is skipped when read back.
 */
public final class FinetuneRun {
    public static final String CONFIG = "finetune.json";
    public static final String BASE_ANSWERS = "base_answers.json";
    public static final String EVALS = "evals.jsonl";
    public static final String METRICS = "metrics.jsonl";

    /** One evaluation: held-out answers of the checkpoint being trained, next to the base model's. */
    public record Evaluation(long step, double epoch, Double valLoss, List<SampleAnswer> answers, VoiceMetrics voice) { }

    public record BaseAnswers(String base, List<SampleAnswer> answers, VoiceMetrics voice) { }

    private final Path dir;

    public FinetuneRun(Path dir) { this.dir = dir; }

    public Path dir() { return dir; }
    public Path checkpointsDir() { return dir.resolve("checkpoints"); }

    public boolean exists() { return Files.isRegularFile(dir.resolve(CONFIG)); }

    @SuppressWarnings("unchecked")
    public FinetuneConfig readConfig() throws IOException {
        return FinetuneConfig.fromMap(Json.MAPPER.readValue(dir.resolve(CONFIG).toFile(), Map.class));
    }

    public void writeConfig(FinetuneConfig c) throws IOException {
        Files.createDirectories(dir);
        AtomicFiles.writeJson(dir.resolve(CONFIG), c.toMap());
    }

    public java.util.Optional<BaseAnswers> readBaseAnswers() throws IOException {
        Path f = dir.resolve(BASE_ANSWERS);
        if (!Files.isRegularFile(f)) return java.util.Optional.empty();
        return java.util.Optional.of(Json.MAPPER.readValue(f.toFile(), BaseAnswers.class));
    }

    public void writeBaseAnswers(BaseAnswers a) throws IOException { AtomicFiles.writeJson(dir.resolve(BASE_ANSWERS), a); }

    public void appendEvaluation(Evaluation e) throws IOException { append(EVALS, e); }

    public List<Evaluation> readEvaluations() throws IOException { return readLines(EVALS, new TypeReference<>() { }); }

    public void appendMetrics(Map<String, Object> line) throws IOException { append(METRICS, line); }

    public List<Map<String, Object>> readMetrics() throws IOException { return readLines(METRICS, new TypeReference<>() { }); }

    private void append(String file, Object value) throws IOException {
        String line = Json.MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value) + "\n";
        Files.writeString(dir.resolve(file), line, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.SYNC);
    }

    private <T> List<T> readLines(String file, TypeReference<T> type) throws IOException {
        Path f = dir.resolve(file);
        List<T> out = new ArrayList<>();
        if (!Files.isRegularFile(f)) return out;
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            try {
                out.add(Json.MAPPER.readValue(line, type));
            } catch (IOException torn) {
                // the last line of a run killed mid-write: skip it, everything before is intact
            }
        }
        return out;
    }

    /** Drops evaluation/metric lines after {@code step} (a resumed run redoes those steps). */
    public void truncateAfter(long step) throws IOException {
        for (String file : List.of(EVALS, METRICS)) {
            Path f = dir.resolve(file);
            if (!Files.isRegularFile(f)) continue;
            StringBuilder kept = new StringBuilder();
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                if (line.isBlank()) continue;
                try {
                    Map<String, Object> m = Json.MAPPER.readValue(line, new TypeReference<Map<String, Object>>() { });
                    Object s = m.get("step");
                    if (s instanceof Number n && n.longValue() <= step) kept.append(line).append('\n');
                } catch (IOException torn) {
                    // dropped
                }
            }
            AtomicFiles.writeString(f, kept.toString());
        }
    }
}
