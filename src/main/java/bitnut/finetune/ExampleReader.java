package bitnut.finetune;

import bitnut.common.ChatTemplate;
import bitnut.common.Json;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads finetuning examples from JSONL: one object per line with string fields {@code prompt} and
 * {@code response}. This is the Dataset stage's approved export ({@code {"prompt": "human: ...",
 * "response": "bitnut: ..."}}, the original project's format) but any JSONL with those two fields
 * works; leading "human:" / "bitnut:" labels are stripped because the chat template adds them.
 *
 * <p>Bad lines (not JSON, missing or empty fields) are skipped and reported as {@code file:line: why};
 * nothing else is lost. Blank lines are ignored silently.
 */
public final class ExampleReader {

    /** What was read, plus one message per skipped line. */
    public record Result(List<SftExample> examples, List<String> skipped) { }

    private ExampleReader() { }

    /**
     * Reads one JSONL file, or every {@code *.jsonl} file of a folder in name order (the original
     * project kept one file per topic in {@code bitnut_finetune/}).
     */
    public static Result readAll(Path fileOrDir) throws IOException {
        if (!Files.isDirectory(fileOrDir)) return read(fileOrDir);
        List<Path> files;
        try (var s = Files.list(fileOrDir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".jsonl") && Files.isRegularFile(p)).sorted().toList();
        }
        if (files.isEmpty()) throw new IOException(fileOrDir + " holds no .jsonl files");
        List<SftExample> examples = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (Path f : files) {
            Result r = read(f);
            examples.addAll(r.examples());
            skipped.addAll(r.skipped());
        }
        return new Result(examples, skipped);
    }

    public static Result read(Path file) throws IOException {
        List<SftExample> examples = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        String name = file.getFileName().toString();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) continue;
                String origin = name + ":" + lineNo;
                JsonNode node;
                try {
                    node = Json.MAPPER.readTree(line);
                } catch (IOException e) {
                    skipped.add(origin + ": not valid JSON (" + firstLine(e.getMessage()) + ")");
                    continue;
                }
                if (node == null || !node.isObject()) {
                    skipped.add(origin + ": expected a JSON object with \"prompt\" and \"response\"");
                    continue;
                }
                JsonNode p = node.get("prompt");
                JsonNode r = node.get("response");
                if (p == null || !p.isTextual() || r == null || !r.isTextual()) {
                    skipped.add(origin + ": missing string field \"prompt\" or \"response\"");
                    continue;
                }
                String prompt = ChatTemplate.stripLabel(p.asText(), ChatTemplate.HUMAN);
                String response = ChatTemplate.stripLabel(r.asText(), ChatTemplate.BITNUT);
                if (prompt.isBlank() || response.isBlank()) {
                    skipped.add(origin + ": empty prompt or response");
                    continue;
                }
                examples.add(new SftExample(prompt, response, origin));
            }
        }
        return new Result(examples, skipped);
    }

    private static String firstLine(String s) {
        if (s == null) return "parse error";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
