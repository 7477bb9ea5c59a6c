package bitnut.synth;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Makes a {@link Teacher} ({@link OpenAiTeacher} or the in-process {@link EngineTeacher}) from the
 * "teacher" part of a job spec, so a resumed job talks to the same
 * teacher. The spec holds settings only; an API key is looked up again from the environment or
 * keychain at that moment and never lands in the spec.
 */
public final class Teachers {
    public static final String OPENAI = "openai";

    private Teachers() { }

    public static Map<String, Object> spec(TeacherSettings settings) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", OPENAI);
        m.putAll(settings.toMap());
        return m;
    }

    /** The in-process engine on a checkpoint folder, with {@code threads} matmul threads. */
    public static Map<String, Object> localSpec(java.nio.file.Path checkpoint, int threads) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", EngineTeacher.KIND);
        m.put("checkpoint", checkpoint.toAbsolutePath().normalize().toString());
        m.put("threads", threads);
        return m;
    }

    public static Teacher fromSpec(Map<?, ?> spec) throws java.io.IOException {
        Object kind = spec.get("kind");
        if (kind == null || OPENAI.equals(kind)) return new OpenAiTeacher(TeacherSettings.fromMap(spec));
        if (EngineTeacher.KIND.equals(kind)) {
            Object threads = spec.get("threads");
            return EngineTeacher.open(java.nio.file.Path.of(String.valueOf(spec.get("checkpoint"))),
                    threads instanceof Number n ? n.intValue() : 2);
        }
        throw new IllegalArgumentException("unknown teacher kind '" + kind + "' (known: " + OPENAI + ", " + EngineTeacher.KIND + ")");
    }
}
