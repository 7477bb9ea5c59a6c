package bitnut.corpus;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Two loopback HTTP servers imitating the Hugging Face Hub for tests: the "hub" answers the tree
 * API (2 entries per page, Link pagination) and resolve HEAD/GET with X-Repo-Commit,
 * X-Linked-Size, X-Linked-Etag and a 302 to the "cdn", which serves bytes with Range support and
 * refuses any request carrying an Authorization header (as a token leak would). Optionally a repo
 * is "renamed" (301 to the new id on the Hub) and the tree API redirects to a copy on the "cdn".
 */
final class FakeHub implements AutoCloseable {
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    final HttpServer hub;
    final HttpServer cdn;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    /** repo -> (path -> file on disk) */
    final Map<String, Map<String, Path>> repos = new ConcurrentHashMap<>();
    /** repos that answer 401 without "Authorization: Bearer secret" */
    final Set<String> gated = ConcurrentHashMap.newKeySet();
    /** paths whose first CDN GET sends half the body and then drops the connection */
    final Set<String> cutOnce = ConcurrentHashMap.newKeySet();
    /** paths whose first CDN GET sends half the body and then stops sending (for 10 s) */
    final Set<String> stallOnce = ConcurrentHashMap.newKeySet();
    /** paths whose advertised X-Linked-Etag is wrong */
    final Set<String> wrongEtag = ConcurrentHashMap.newKeySet();
    /** old repo id -> new one: the Hub answers 301 with a relative Location, as for a renamed repo */
    final Map<String, String> renamed = new ConcurrentHashMap<>();
    /** the tree API answers (after its auth check) 302 to the same listing on the "cdn" host */
    volatile boolean treeOnCdn;
    /** answer the next resolve HEAD with 429 + Retry-After: 1 */
    volatile boolean throttleOnce;
    final List<String> cdnRequests = Collections.synchronizedList(new ArrayList<>());
    final List<String> hubRequests = Collections.synchronizedList(new ArrayList<>());
    volatile boolean cdnSawAuthorization;

    FakeHub() throws IOException {
        hub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        cdn = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hub.setExecutor(pool);
        cdn.setExecutor(pool);
        hub.createContext("/", this::handleHub);
        cdn.createContext("/", this::handleCdn);
        hub.start();
        cdn.start();
    }

    URI base() { return URI.create("http://127.0.0.1:" + hub.getAddress().getPort()); }

    void addFile(String repo, String path, Path file) {
        repos.computeIfAbsent(repo, r -> new LinkedHashMap<>()).put(path, file);
    }

    private void handleHub(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            hubRequests.add(ex.getRequestMethod() + " " + ex.getRequestURI());
            for (String prefix : List.of("/api/datasets/", "/datasets/")) {
                if (!path.startsWith(prefix)) continue;
                String rest = path.substring(prefix.length());
                String to = renamed.get(repoOf(rest));
                if (to != null) {
                    String query = ex.getRequestURI().getRawQuery();
                    ex.getResponseHeaders().add("Location", prefix + to + rest.substring(repoOf(rest).length()) + (query == null ? "" : "?" + query));
                    ex.sendResponseHeaders(301, -1);
                    return;
                }
            }
            if (path.startsWith("/api/datasets/") && treeOnCdn) {
                String repo = repoOf(path.substring("/api/datasets/".length()));
                if (!authorized(ex, repo)) { send(ex, 401, "{\"error\":\"Access to dataset is restricted\"}"); return; }
                ex.getResponseHeaders().add("Location", "http://127.0.0.1:" + cdn.getAddress().getPort() + "/tree-mirror" + ex.getRequestURI());
                ex.sendResponseHeaders(302, -1);
                return;
            }
            if (path.startsWith("/api/datasets/")) { tree(ex, path.substring("/api/datasets/".length()), true); return; }
            if (path.startsWith("/datasets/")) { resolve(ex, path.substring("/datasets/".length())); return; }
            send(ex, 404, "not found");
        }
    }

    private String repoOf(String rest) {
        String[] p = rest.split("/");
        return p.length >= 2 ? p[0] + "/" + p[1] : "";
    }

    private boolean authorized(HttpExchange ex, String repo) {
        return !gated.contains(repo) || "Bearer secret".equals(ex.getRequestHeaders().getFirst("Authorization"));
    }

    /** /api/datasets/{owner}/{name}/tree/{rev}/{dir}?recursive=true[&cursor=N] */
    private void tree(HttpExchange ex, String rest, boolean checkAuth) throws IOException {
        String repo = repoOf(rest);
        Map<String, Path> files = repos.get(repo);
        if (files == null) { send(ex, 404, "{\"error\":\"Repository not found\"}"); return; }
        if (checkAuth && !authorized(ex, repo)) { send(ex, 401, "{\"error\":\"Access to dataset is restricted\"}"); return; }
        String query = ex.getRequestURI().getRawQuery() == null ? "" : ex.getRequestURI().getRawQuery();
        int cursor = 0;
        for (String kv : query.split("&")) if (kv.startsWith("cursor=")) cursor = Integer.parseInt(kv.substring(7));
        List<String> paths = new ArrayList<>(files.keySet());
        StringBuilder json = new StringBuilder("[");
        for (int i = cursor; i < Math.min(paths.size(), cursor + 2); i++) {
            String p = paths.get(i);
            Path f = files.get(p);
            if (json.length() > 1) json.append(',');
            json.append("{\"type\":\"file\",\"path\":\"").append(p).append("\",\"size\":").append(Files.size(f))
                    .append(",\"oid\":\"deadbeef\",\"lfs\":{\"oid\":\"").append(HubClient.hash(f, "SHA-256", null))
                    .append("\",\"size\":").append(Files.size(f)).append(",\"pointerSize\":134}}");
        }
        json.append(']');
        if (cursor + 2 < paths.size()) {
            String next = ex.getRequestURI().getRawPath().replaceFirst("^/tree-mirror", "") + "?recursive=true&cursor=" + (cursor + 2);
            ex.getResponseHeaders().add("Link", "<" + base() + next + ">; rel=\"next\"");
        }
        send(ex, 200, json.toString());
    }

    /** /datasets/{owner}/{name}/resolve/{rev}/{path} */
    private void resolve(HttpExchange ex, String rest) throws IOException {
        String repo = repoOf(rest);
        String[] p = rest.split("/", 5);
        Map<String, Path> files = repos.get(repo);
        if (files == null || p.length < 5 || !"resolve".equals(p[2])) { send(ex, 404, "Repository not found"); return; }
        if (!authorized(ex, repo)) { send(ex, 401, "Access restricted"); return; }
        if (throttleOnce) {
            throttleOnce = false;
            ex.getResponseHeaders().add("Retry-After", "1");
            send(ex, 429, "slow down");
            return;
        }
        String path = p[4];
        Path f = files.get(path);
        if (f == null) { send(ex, 404, "Entry not found"); return; }
        String sha = HubClient.hash(f, "SHA-256", null);
        if (wrongEtag.contains(path)) sha = "f".repeat(64);
        var h = ex.getResponseHeaders();
        h.add("X-Repo-Commit", COMMIT);
        h.add("X-Linked-Size", String.valueOf(Files.size(f)));
        h.add("X-Linked-Etag", "\"" + sha + "\"");
        h.add("Location", "http://127.0.0.1:" + cdn.getAddress().getPort() + "/blob/" + repo + "/" + path + "?sig=signed");
        ex.sendResponseHeaders(302, -1);
    }

    private void handleCdn(HttpExchange ex) throws IOException {
        try (ex) {
            String range = ex.getRequestHeaders().getFirst("Range");
            cdnRequests.add(ex.getRequestMethod() + " " + ex.getRequestURI().getPath() + (range == null ? "" : " " + range));
            if (ex.getRequestHeaders().containsKey("Authorization")) {
                cdnSawAuthorization = true;
                send(ex, 400, "Only one auth mechanism allowed");
                return;
            }
            if (ex.getRequestURI().getPath().startsWith("/tree-mirror/api/datasets/")) {
                tree(ex, ex.getRequestURI().getRawPath().substring("/tree-mirror/api/datasets/".length()), false);
                return;
            }
            String rest = ex.getRequestURI().getPath().substring("/blob/".length());
            String repo = repoOf(rest);
            String path = rest.substring(repo.length() + 1);
            Path f = repos.getOrDefault(repo, Map.of()).get(path);
            if (f == null) { send(ex, 404, "NoSuchKey"); return; }
            byte[] all = Files.readAllBytes(f);
            int start = 0;
            if (range != null && range.startsWith("bytes=")) {
                start = Integer.parseInt(range.substring(6, range.indexOf('-')));
                if (start >= all.length) { send(ex, 416, ""); return; }
                ex.getResponseHeaders().add("Content-Range", "bytes " + start + "-" + (all.length - 1) + "/" + all.length);
            }
            int len = all.length - start;
            ex.sendResponseHeaders(range != null ? 206 : 200, len);
            OutputStream out = ex.getResponseBody();
            if (cutOnce.remove(path)) {
                out.write(all, start, len / 2);
                out.flush();
                throw new IOException("test cut");
            }
            if (stallOnce.remove(path)) {
                out.write(all, start, len / 2);
                out.flush();
                try { Thread.sleep(10_000); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
                throw new IOException("test stall");
            }
            out.write(all, start, len);
        }
    }

    private static void send(HttpExchange ex, int code, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(code, b.length == 0 ? -1 : b.length);
        if (b.length > 0) ex.getResponseBody().write(b);
    }

    @Override public void close() {
        hub.stop(0);
        cdn.stop(0);
        pool.shutdownNow();
    }
}
