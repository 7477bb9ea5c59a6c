package bitnut.synth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Where a teacher's API key comes from: the environment variable the settings name (e.g.
 * OPENAI_API_KEY), else the OS keychain through {@code secret-tool} (libsecret) when it is
 * installed. The settings only ever hold the variable's NAME; the key itself lives in memory and
 * is never written to workspace files or logs, and {@link #redact} scrubs it from error text.
 *
 * <p>Keychain entry the lookup expects (store it once):
 * {@code secret-tool store --label='BitNut teacher' service bitnut-workbench account OPENAI_API_KEY}
 */
public final class ApiKeys {
    public static final String KEYCHAIN_SERVICE = "bitnut-workbench";
    private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]{6,}");
    private static final Pattern SK = Pattern.compile("\\bsk-[A-Za-z0-9_-]{8,}");

    private ApiKeys() { }

    /** The key for {@code envName}, or null when neither the environment nor the keychain has one. */
    public static String resolve(String envName) { return resolve(envName, System::getenv); }

    static String resolve(String envName, Function<String, String> env) {
        if (envName == null || envName.isBlank()) return null;
        String v = env.apply(envName.strip());
        if (v != null && !v.isBlank()) return v.strip();
        return fromKeychain(envName.strip());
    }

    /** Where a key was found, for the UI ("environment", "keychain", "none") - never the key. */
    public static String source(String envName) {
        if (envName == null || envName.isBlank()) return "none";
        String v = System.getenv(envName.strip());
        if (v != null && !v.isBlank()) return "environment variable " + envName.strip();
        return fromKeychain(envName.strip()) != null ? "OS keychain" : "none";
    }

    private static String fromKeychain(String account) {
        try {
            Process p = new ProcessBuilder("secret-tool", "lookup", "service", KEYCHAIN_SERVICE, "account", account)
                    .redirectErrorStream(false).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            if (p.exitValue() != 0) return null;
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return out.isEmpty() ? null : out;
        } catch (IOException e) {
            return null; // secret-tool not installed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Removes the key (and anything that looks like a bearer token or an sk- key) from text. */
    public static String redact(String text, String key) {
        if (text == null) return null;
        String t = text;
        if (key != null && key.length() >= 4) t = t.replace(key, "***");
        t = BEARER.matcher(t).replaceAll("$1***");
        return SK.matcher(t).replaceAll("sk-***");
    }
}
