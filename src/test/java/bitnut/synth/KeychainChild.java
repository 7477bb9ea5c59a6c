package bitnut.synth;

import bitnut.common.DirectJobContext;
import bitnut.workspace.Workspace;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/**
 * Child process of {@link ApiKeysKeychainTest}, run inside {@code dbus-run-session} with an unlocked
 * gnome-keyring that holds the key: resolves the key the way the app does (the environment variable is
 * NOT set, so it must come from {@code secret-tool}), runs a real question job against a loopback
 * teacher (one request answered with a 500 that echoes the Authorization header), and prints what the
 * parent checks. It never prints the key: only where it came from and the SHA-256 of the bearer token
 * the server received.
 * Args: workspace folder, environment variable / keychain account name.
 */
public final class KeychainChild {
    public static void main(String[] args) throws Exception {
        Workspace ws = Workspace.create(Path.of(args[0]));
        String account = args[1];
        System.out.println("source=" + ApiKeys.source(account));
        try (TeacherServer server = new TeacherServer()) {
            server.faults.add(new TeacherServer.EchoAuthorization(500));
            TeacherSettings settings = new TeacherSettings(server.baseUrl(), "keychain-teacher", account, 1, 10, 0);
            settings.save(ws.synthDir());   // what the tab and the CLI do: teacher.json names the account, never the key
            QuestionJob job = QuestionJob.start(ws, new QuestionJobConfig(List.of("moon", "bees"), 1, 4, 0.8,
                    Sampling.questions(), Teachers.spec(settings)), null);
            DirectJobContext ctx = new DirectJobContext(line -> System.out.println("log: " + line));
            System.out.println("summary: " + job.run(ctx));
            System.out.println("requests=" + server.received.size());
            for (var r : server.received) {
                String auth = r.authorization() == null ? "" : r.authorization();
                String token = auth.startsWith("Bearer ") ? auth.substring(7) : "";
                System.out.println("bearer-sha256=" + HexFormat.of().formatHex(
                        MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8))));
            }
        }
    }
}
