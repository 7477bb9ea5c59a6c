package bitnut.synth;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Makes a {@link Teacher} from the "teacher" part of a job spec, so a resumed job talks to the same
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

    public static Teacher fromSpec(Map<?, ?> spec) {
        Object kind = spec.get("kind");
        if (kind == null || OPENAI.equals(kind)) return new OpenAiTeacher(TeacherSettings.fromMap(spec));
        throw new IllegalArgumentException("unknown teacher kind '" + kind + "' (known: " + OPENAI + ")");
    }
}
