package bitnut.synth;

import bitnut.common.AtomicFiles;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The project's own words that steer generation, kept as plain text files in
 * {@code workspace/synth/} so the user can edit them (in the Prompts/Voice tab or any editor):
 * <pre>
 *   topics.txt             one topic per line (# comments)
 *   question-styles.txt    one style hint per line; request r of a topic uses style r mod n
 *   question-template.txt  user message asking for questions: {{count}} {{topic}} {{style}}
 *   persona.txt            BitNut's system prompt for answers
 *   voice-template.txt     user message asking for an answer: {{question}} {{topic}}
 * </pre>
 * Defaults are bundled as resources under {@code /bitnut/synth/} and copied into the workspace
 * the first time, never over a file the user already has.
 */
public final class SynthInputs {
    public static final String TOPICS = "topics.txt";
    public static final String STYLES = "question-styles.txt";
    public static final String QUESTION_TEMPLATE = "question-template.txt";
    public static final String PERSONA = "persona.txt";
    public static final String VOICE_TEMPLATE = "voice-template.txt";
    public static final List<String> FILES = List.of(TOPICS, STYLES, QUESTION_TEMPLATE, PERSONA, VOICE_TEMPLATE);

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([a-z_]+)\\s*}}");

    private final Path dir;

    private SynthInputs(Path dir) { this.dir = dir; }

    /** Opens the inputs in {@code synthDir}, first copying any bundled default that is missing. */
    public static SynthInputs open(Path synthDir) throws IOException {
        Files.createDirectories(synthDir);
        for (String f : FILES) {
            Path p = synthDir.resolve(f);
            if (!Files.exists(p)) AtomicFiles.writeString(p, bundled(f));
        }
        return new SynthInputs(synthDir);
    }

    /** The bundled default text of one input file (for "Reset to default"). */
    public static String bundled(String name) throws IOException {
        if (!FILES.contains(name)) throw new IllegalArgumentException("not a synth input: " + name);
        try (InputStream in = SynthInputs.class.getResourceAsStream("/bitnut/synth/" + name)) {
            if (in == null) throw new IOException("bundled resource /bitnut/synth/" + name + " missing from the jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    public Path dir() { return dir; }

    public String read(String name) throws IOException {
        if (!FILES.contains(name)) throw new IllegalArgumentException("not a synth input: " + name);
        return Files.readString(dir.resolve(name), StandardCharsets.UTF_8);
    }

    /** Saves an edited input atomically after checking its placeholders. */
    public void write(String name, String text) throws IOException {
        validate(name, text);
        AtomicFiles.writeString(dir.resolve(name), text);
    }

    public List<String> topics() throws IOException {
        List<String> t = entries(read(TOPICS));
        if (t.isEmpty()) throw new IOException(dir.resolve(TOPICS) + " lists no topics. HINT: one topic per line.");
        return t;
    }

    public List<String> styles() throws IOException {
        List<String> s = entries(read(STYLES));
        return s.isEmpty() ? List.of("varied questions") : s;
    }

    public String persona() throws IOException { return read(PERSONA).strip(); }

    /** The conversation that asks the teacher for {@code count} questions about a topic. */
    public List<ChatMessage> questionRequest(String topic, int count, int requestIndex) throws IOException {
        List<String> styles = styles();
        String style = styles.get(Math.floorMod(requestIndex, styles.size()));
        String user = fill(QUESTION_TEMPLATE, read(QUESTION_TEMPLATE),
                Map.of("count", Integer.toString(count), "topic", topic, "style", style));
        return List.of(ChatMessage.user(user));
    }

    /** The conversation that asks the teacher to answer as BitNut. */
    public List<ChatMessage> voiceRequest(String topic, String question) throws IOException {
        String user = fill(VOICE_TEMPLATE, read(VOICE_TEMPLATE), Map.of("question", question, "topic", topic == null ? "" : topic));
        return List.of(ChatMessage.system(persona()), ChatMessage.user(user));
    }

    /** Non-blank, non-comment lines, stripped, first occurrence kept. */
    public static List<String> entries(String text) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String line : text.split("\\R")) {
            String s = line.strip();
            if (!s.isEmpty() && !s.startsWith("#")) out.add(s);
        }
        return new ArrayList<>(out);
    }

    /** Replaces {{name}} placeholders; an unknown or missing required placeholder is a clear error. */
    static String fill(String file, String template, Map<String, String> values) {
        validate(file, template);
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) m.appendReplacement(sb, Matcher.quoteReplacement(values.getOrDefault(m.group(1), "")));
        m.appendTail(sb);
        return sb.toString().strip();
    }

    /** Which placeholders a file may use, and which it must use. */
    static void validate(String file, String text) {
        List<String> allowed = switch (file) {
            case QUESTION_TEMPLATE -> List.of("count", "topic", "style");
            case VOICE_TEMPLATE -> List.of("question", "topic");
            default -> List.of();
        };
        String required = switch (file) {
            case QUESTION_TEMPLATE -> "topic";
            case VOICE_TEMPLATE -> "question";
            default -> null;
        };
        boolean seenRequired = required == null;
        String[] lines = text.split("\\R", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher m = PLACEHOLDER.matcher(lines[i]);
            while (m.find()) {
                if (!allowed.contains(m.group(1))) {
                    throw new IllegalArgumentException(file + ":" + (i + 1) + ": unknown placeholder {{" + m.group(1) + "}}"
                            + (allowed.isEmpty() ? " (this file takes none)" : " (allowed: " + String.join(", ", allowed) + ")"));
                }
                if (m.group(1).equals(required)) seenRequired = true;
            }
        }
        if (!seenRequired) throw new IllegalArgumentException(file + ": must contain {{" + required + "}}");
        if (file.equals(TOPICS) && entries(text).isEmpty()) throw new IllegalArgumentException(file + ": lists no topics");
        if (file.equals(PERSONA) && text.isBlank()) throw new IllegalArgumentException(file + ": the persona is empty");
    }
}
