package bitnut.synth;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The OS-keychain path of {@link ApiKeys} with the real tools: a private D-Bus session
 * ({@code dbus-run-session}), a gnome-keyring daemon unlocked with a throwaway password in a throwaway
 * HOME, the key stored with {@code secret-tool store}, then a child JVM ({@link KeychainChild}) runs a
 * question job whose teacher names a variable that is not set, so the key can only come from the
 * keychain. Checks: the source is reported as the keychain, the loopback server received exactly that
 * key as the bearer token, and the key appears in no output of the child (logs, including an error
 * whose body echoed it) and in no file of the workspace.
 *
 * <p>Skips when secret-tool, dbus-run-session or gnome-keyring-daemon are not installed (Debian:
 * {@code apt-get install libsecret-tools gnome-keyring dbus}).
 */
class ApiKeysKeychainTest {
    static final String ACCOUNT = "BITNUT_KEYCHAIN_TEST_KEY";

    @TempDir Path dir;

    @Test void aKeyInTheKeychainIsUsedAndNeverWrittenOrLogged() throws Exception {
        for (String tool : List.of("secret-tool", "dbus-run-session", "gnome-keyring-daemon")) {
            Assumptions.assumeTrue(onPath(tool), tool + " not installed (apt-get install libsecret-tools gnome-keyring dbus)");
        }
        Assumptions.assumeTrue(System.getenv(ACCOUNT) == null, ACCOUNT + " is set in the environment");
        String key = "sk-kc-" + UUID.randomUUID().toString().replace("-", "");
        Path home = Files.createDirectories(dir.resolve("home"));
        Path ws = dir.resolve("ws");
        Path keyFile = dir.resolve("key.txt");   // outside the workspace; secret-tool reads the secret from stdin
        Files.writeString(keyFile, key);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String script = String.join("\n",
                "set -e",
                "export HOME='" + home + "' XDG_DATA_HOME='" + home + "/data' XDG_RUNTIME_DIR='" + home + "/run'",
                "mkdir -p \"$XDG_RUNTIME_DIR\" && chmod 700 \"$XDG_RUNTIME_DIR\"",
                // a fresh login keyring, created and unlocked with this password (read from stdin)
                "printf 'bitnut-test-password' | gnome-keyring-daemon --unlock --components=secrets >/dev/null",
                "secret-tool store --label='BitNut teacher (test)' service " + ApiKeys.KEYCHAIN_SERVICE + " account " + ACCOUNT
                        + " < '" + keyFile + "' || { echo KEYCHAIN-STORE-FAILED; exit 3; }",
                "exec '" + java + "' -Xmx256m --enable-native-access=ALL-UNNAMED -cp '" + System.getProperty("java.class.path") + "' "
                        + KeychainChild.class.getName() + " '" + ws + "' " + ACCOUNT);
        Path log = dir.resolve("child-output.txt");   // a file, not a pipe: a hung child cannot block the test
        ProcessBuilder pb = new ProcessBuilder("dbus-run-session", "--", "bash", "-c", script)
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove(ACCOUNT);
        pb.environment().remove("DBUS_SESSION_BUS_ADDRESS");
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);   // the child JVM, bus and keyring daemon
            p.destroyForcibly();
            fail("the keychain child did not finish in 120 s:\n" + Files.readString(log));
        }
        String out = Files.readString(log);
        Assumptions.assumeFalse(out.contains("KEYCHAIN-STORE-FAILED"), "this machine's keyring refused the test secret:\n" + out);
        assertEquals(0, p.exitValue(), out);

        assertTrue(out.contains("source=OS keychain"), out);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        long requests = out.lines().filter(l -> l.startsWith("bearer-sha256=")).count();
        assertTrue(requests >= 2, "the job sent requests: " + out);
        assertEquals(requests, out.lines().filter(l -> l.equals("bearer-sha256=" + sha)).count(), "every request carried the keychain key");
        assertTrue(out.contains("log: FAILED"), "the echoing 500 was logged: " + out);
        assertTrue(out.contains("Bearer ***"), "... with the echoed key redacted: " + out);
        assertFalse(out.contains(key), "the key is in the child's output:\n" + out);
        List<Path> leaked;
        try (Stream<Path> files = Files.walk(ws)) {
            leaked = files.filter(Files::isRegularFile).filter(f -> contains(f, key)).toList();
        }
        assertTrue(Files.exists(ws.resolve("synth").resolve(TeacherSettings.FILE)), "the teacher settings were saved");
        assertEquals(List.of(), leaked, "workspace files holding the key");
    }

    static boolean contains(Path f, String key) {
        try {
            return new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).contains(key);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String d : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, tool))) return true;
        }
        return false;
    }
}
