package bitnut.synth;

import bitnut.common.AtomicFiles;
import bitnut.common.Json;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How to reach a remote teacher: saved as {@code workspace/synth/teacher.json}, shared by the CLI
 * and the Prompts/Voice tab. It holds the NAME of the environment variable with the API key,
 * never the key (see {@link ApiKeys}).
 *
 * @param baseUrl        OpenAI-compatible root, e.g. http://127.0.0.1:8080/v1 (".../chat/completions" is appended)
 * @param model          model name sent in every request, e.g. "microsoft/bitnet-b1.58-2B-4T"
 * @param apiKeyEnv      environment variable (or keychain account) holding the key, e.g. OPENAI_API_KEY; "" = no key
 * @param concurrency    requests in flight at once (typical 4-16 for a hosted API, 1-2 for a laptop server)
 * @param timeoutSeconds deadline for one attempt, headers and body (typical 120)
 * @param maxRetries     extra attempts after a timeout, dropped connection, 5xx, 429 or malformed reply (typical 5)
 */
public record TeacherSettings(String baseUrl, String model, String apiKeyEnv, int concurrency,
                              int timeoutSeconds, int maxRetries) {
    public static final String FILE = "teacher.json";

    public TeacherSettings {
        baseUrl = baseUrl == null ? "" : baseUrl.strip();
        model = model == null ? "" : model.strip();
        apiKeyEnv = apiKeyEnv == null ? "" : apiKeyEnv.strip();
        if (concurrency < 1 || concurrency > 256) throw new IllegalArgumentException("concurrency must be in [1, 256]: " + concurrency);
        if (timeoutSeconds < 1) throw new IllegalArgumentException("timeout must be >= 1 s: " + timeoutSeconds);
        if (maxRetries < 0 || maxRetries > 50) throw new IllegalArgumentException("retries must be in [0, 50]: " + maxRetries);
        if (!apiKeyEnv.isEmpty() && !apiKeyEnv.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("API key variable must be a variable NAME like OPENAI_API_KEY, not a key: "
                    + ApiKeys.redact(apiKeyEnv, apiKeyEnv));
        }
    }

    public static TeacherSettings defaults() {
        return new TeacherSettings("http://127.0.0.1:8080/v1", "microsoft/bitnet-b1.58-2B-4T", "OPENAI_API_KEY", 4, 120, 5);
    }

    /** The chat-completions endpoint; a clear error for a URL that is not http(s). */
    public URI endpoint() {
        if (baseUrl.isEmpty()) throw new IllegalArgumentException("No teacher base URL. HINT: e.g. http://127.0.0.1:8080/v1");
        String b = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        URI u;
        try {
            u = URI.create(b.endsWith("/chat/completions") ? b : b + "/chat/completions");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Teacher base URL is not a URL: " + baseUrl);
        }
        if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
            throw new IllegalArgumentException("Teacher base URL must start with http:// or https:// and name a host: " + baseUrl);
        }
        return u;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("base_url", baseUrl);
        m.put("model", model);
        m.put("api_key_env", apiKeyEnv);
        m.put("concurrency", concurrency);
        m.put("timeout_seconds", timeoutSeconds);
        m.put("max_retries", maxRetries);
        return m;
    }

    public static TeacherSettings fromMap(Map<?, ?> m) {
        TeacherSettings d = defaults();
        return new TeacherSettings(str(m, "base_url", d.baseUrl), str(m, "model", d.model), str(m, "api_key_env", d.apiKeyEnv),
                num(m, "concurrency", d.concurrency), num(m, "timeout_seconds", d.timeoutSeconds), num(m, "max_retries", d.maxRetries));
    }

    /** Reads {@code synth/teacher.json}, or the defaults when it does not exist yet. */
    public static TeacherSettings load(Path synthDir) throws IOException {
        Path f = synthDir.resolve(FILE);
        if (!Files.isRegularFile(f)) return defaults();
        try {
            return fromMap(Json.MAPPER.readValue(f.toFile(), Map.class));
        } catch (IOException | RuntimeException e) {
            throw new IOException(f + ": unreadable teacher settings (" + e.getMessage() + "). HINT: fix or delete the file.", e);
        }
    }

    public void save(Path synthDir) throws IOException { AtomicFiles.writeJson(synthDir.resolve(FILE), toMap()); }

    private static String str(Map<?, ?> m, String k, String d) { Object v = m.get(k); return v == null ? d : v.toString(); }
    private static int num(Map<?, ?> m, String k, int d) { Object v = m.get(k); return v instanceof Number n ? n.intValue() : d; }
}
