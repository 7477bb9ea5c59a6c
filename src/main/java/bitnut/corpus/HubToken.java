package bitnut.corpus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the Hugging Face access token the way huggingface_hub does: {@code HF_TOKEN}, then
 * {@code HUGGING_FACE_HUB_TOKEN}, then the file {@code $HF_HOME/token} (HF_HOME defaults to
 * {@code ~/.cache/huggingface}). The token is never logged or written anywhere.
 */
public final class HubToken {
    private HubToken() { }

    public static Optional<String> fromEnvironment() {
        return from(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    static Optional<String> from(Map<String, String> env, Path home) {
        for (String key : new String[] {"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"}) {
            String v = env.get(key);
            if (v != null && !v.isBlank()) return Optional.of(v.strip());
        }
        String hfHome = env.get("HF_HOME");
        Path file = (hfHome != null && !hfHome.isBlank() ? Path.of(hfHome) : home.resolve(".cache/huggingface")).resolve("token");
        try {
            if (Files.isRegularFile(file)) {
                String v = Files.readString(file).strip();
                if (!v.isEmpty()) return Optional.of(v);
            }
        } catch (IOException ignored) {
            // an unreadable token file is the same as none: public datasets still download
        }
        return Optional.empty();
    }
}
