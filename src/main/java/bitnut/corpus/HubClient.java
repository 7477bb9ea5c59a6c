package bitnut.corpus;

import bitnut.common.AtomicFiles;
import bitnut.common.JobCancelledException;
import bitnut.common.Json;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Talks to the Hugging Face Hub over plain HTTPS (java.net.http), following the endpoints
 * huggingface_hub uses (notes/data.md):
 * <ul>
 *   <li>{@code GET /api/datasets/{repo}/tree/{rev}/{dir}?recursive=true}, paginated by {@code Link: <..>; rel="next"}
 *   (redirects followed, e.g. for a renamed repo);</li>
 *   <li>{@code HEAD /datasets/{repo}/resolve/{rev}/{path}} without following redirects: {@code X-Repo-Commit},
 *   {@code X-Linked-Size}, {@code X-Linked-Etag} (sha256) and a {@code Location} on a CDN host;</li>
 *   <li>{@code GET Location} with {@code Range: bytes=N-} to resume a {@code .part} file.</li>
 * </ul>
 * We follow redirects ourselves so the token is sent only to the Hub host, never to the CDN.
 * {@link HttpClient} has no timeout while reading a body, so a watchdog closes a stalled stream.
 */
public final class HubClient {
    public static final URI DEFAULT_BASE = URI.create("https://huggingface.co");

    /** Connection settings; {@link #defaults()} are for the real Hub, tests point baseUrl at loopback. */
    public record Settings(
            URI baseUrl,              // Hub host, e.g. https://huggingface.co
            Optional<String> token,   // bearer token for the Hub host only
            Duration stallTimeout,    // no byte for this long = stalled (typ. 60 s)
            int maxAttempts,          // consecutive failed attempts without progress before giving up (typ. 8)
            Duration retryBase,       // first back-off; doubles per failed attempt (typ. 2 s)
            Duration maxRetryAfter) { // cap on a 429 Retry-After wait (typ. 5 min)
        public static Settings defaults() {
            return new Settings(DEFAULT_BASE, HubToken.fromEnvironment(), Duration.ofSeconds(60), 8,
                    Duration.ofSeconds(2), Duration.ofMinutes(5));
        }
        public Settings withBase(URI base) { return new Settings(base, token, stallTimeout, maxAttempts, retryBase, maxRetryAfter); }
    }

    /** A file in the repo listing: path, size and content hash (LFS sha256, or git blob sha1). */
    public record RemoteFile(String path, long size, String etag) { }

    /** What a HEAD on the resolve URL tells: where the bytes are and what they must hash to. */
    public record Resolved(URI location, long size, String etag, String commit) { }

    /** Receives download events; all methods are called on the downloading thread. */
    public interface Listener {
        void bytes(long count);
        void retry(String reason);
        /** Throws {@link JobCancelledException} to abort (the .part file is kept for resume). */
        void checkpoint() throws InterruptedException;
    }

    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hub-stall-watchdog");
        t.setDaemon(true);
        return t;
    });
    private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");
    private static final int MAX_429 = 30;
    private static final int MAX_REDIRECTS = 5;

    private final Settings settings;
    private final HttpClient http;

    public HubClient(Settings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(settings.stallTimeout())
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    public Settings settings() { return settings; }

    // ---- listing and pinning ----------------------------------------------------------------

    /** The commit sha the revision points to now (from {@code X-Repo-Commit} of a resolve HEAD). */
    public String pinCommit(HubDataset ds, String anyPath) throws IOException, InterruptedException {
        return resolve(ds, anyPath).commit();
    }

    /** Lists the dataset's parquet files of its config and split, sorted by path. */
    public List<RemoteFile> listParquet(HubDataset ds) throws IOException, InterruptedException {
        String dir = ds.config().isEmpty() ? "" : "/" + encodePath(ds.config());
        URI next = settings.baseUrl().resolve("/api/datasets/" + ds.repo() + "/tree/" + encode(ds.revision()) + dir + "?recursive=true");
        List<RemoteFile> files = new ArrayList<>();
        int pages = 0;
        while (next != null) {
            if (++pages > 10_000) throw new HubException("Hub listing of " + ds + " did not end after 10,000 pages");
            HttpResponse<String> r = getFollowingRedirects(next, b -> b, HttpResponse.BodyHandlers.ofString(), ds + " listing");
            JsonNode arr = Json.MAPPER.readTree(r.body());
            if (arr == null || !arr.isArray()) throw new HubException("Unexpected Hub listing for " + ds + ": not a JSON array");
            for (JsonNode n : arr) {
                if (!"file".equals(n.path("type").asText())) continue;
                String path = n.path("path").asText();
                if (!ds.matches(path)) continue;
                JsonNode lfs = n.path("lfs");
                long size = lfs.isObject() ? lfs.path("size").asLong() : n.path("size").asLong();
                String etag = lfs.isObject() ? lfs.path("oid").asText() : n.path("oid").asText();
                files.add(new RemoteFile(path, size, etag));
            }
            URI page = r.uri();          // after redirects: a relative next link is relative to it
            next = r.headers().firstValue("Link").map(l -> {
                Matcher m = NEXT_LINK.matcher(l);
                return m.find() ? page.resolve(m.group(1)) : null;
            }).orElse(null);
        }
        files.sort((a, b) -> a.path().compareTo(b.path()));
        return files;
    }

    /** HEAD on the resolve URL without following the redirect. */
    public Resolved resolve(HubDataset ds, String path) throws IOException, InterruptedException {
        URI uri = resolveUri(ds, path);
        HttpResponse<Void> r;
        HttpHeaders h;
        URI location = uri;
        for (int hops = 0; ; hops++) {
            r = send(HttpRequest.newBuilder(uri).method("HEAD", HttpRequest.BodyPublishers.noBody()),
                    HttpResponse.BodyHandlers.discarding(), ds.repo() + "/" + path);
            h = r.headers();
            if (r.statusCode() / 100 != 3) break;
            URI from = uri;
            location = redirectTarget(from, h);
            // a redirect within the Hub (renamed repo, relative resolve-cache URL) is followed like
            // huggingface_hub does; the first one to another host is the file's CDN location
            boolean hasFileHeaders = h.firstValue("X-Linked-Etag").isPresent() || h.firstValue("ETag").isPresent();
            if (hasFileHeaders || !isHub(location) || hops >= 5) break;
            uri = location;
        }
        HttpHeaders fh = h;
        long size = fh.firstValue("X-Linked-Size").or(() -> fh.firstValue("Content-Length")).map(Long::parseLong).orElse(-1L);
        String etag = fh.firstValue("X-Linked-Etag").or(() -> fh.firstValue("ETag")).map(HubClient::unquote).orElse("");
        String commit = fh.firstValue("X-Repo-Commit").orElse(ds.revision());
        return new Resolved(location, size, etag, commit);
    }

    URI resolveUri(HubDataset ds, String path) {
        if (path.startsWith("/") || path.contains("..") || path.contains("\\")) {
            throw new IllegalArgumentException("unsafe repo path: " + path);
        }
        return settings.baseUrl().resolve("/datasets/" + ds.repo() + "/resolve/" + encode(ds.revision()) + "/" + encodePath(path));
    }

    // ---- download ---------------------------------------------------------------------------

    /**
     * Downloads {@code path} of the (pinned) dataset to {@code target}: resumes {@code target.part},
     * retries cut or stalled connections, verifies size and hash, then renames into place.
     * Returns the verified hash.
     */
    public String download(HubDataset ds, String path, Path target, Listener listener) throws IOException, InterruptedException {
        Path part = target.resolveSibling(target.getFileName() + ".part");
        Files.createDirectories(target.toAbsolutePath().getParent());
        int failures = 0;
        Resolved res;
        while (true) {
            listener.checkpoint();
            long before = Files.exists(part) ? Files.size(part) : 0;
            try {
                res = resolve(ds, path);
                if (res.size() >= 0 && before > res.size()) { truncate(part); before = 0; }
                if (res.size() >= 0 && before == res.size()) break;
                fetchInto(res, part, before, listener);
                long now = Files.size(part);
                if (res.size() < 0 || now == res.size()) break;
                throw new IOException("connection ended at byte " + now + " of " + res.size());
            } catch (HubException | JobCancelledException e) {
                throw e;
            } catch (IOException e) {
                long after = Files.exists(part) ? Files.size(part) : 0;
                failures = after > before ? 1 : failures + 1;
                if (failures >= settings.maxAttempts()) {
                    throw new IOException("Giving up on " + ds.repo() + "/" + path + " after " + failures
                            + " attempts without progress: " + e.getMessage() + ". The partial file " + part
                            + " is kept; run the download again to resume.", e);
                }
                listener.retry(path + ": " + e.getMessage() + " (at " + after + " bytes, attempt " + failures + ", resuming)");
                Thread.sleep(backoff(failures));
            }
        }
        String hash = verify(part, res, ds.repo() + "/" + path);
        AtomicFiles.move(part, target);
        return hash;
    }

    private void fetchInto(Resolved res, Path part, long have, Listener listener) throws IOException, InterruptedException {
        HttpResponse<InputStream> r = getFollowingRedirects(res.location(),
                b -> have > 0 ? b.header("Range", "bytes=" + have + "-") : b,
                HttpResponse.BodyHandlers.ofInputStream(), res.location().getHost() + res.location().getPath());
        try (InputStream in = r.body()) {
            long offset = have;
            if (r.statusCode() == 206) {
                String cr = r.headers().firstValue("Content-Range").orElse("");
                if (!cr.startsWith("bytes " + have + "-")) {
                    truncate(part);
                    throw new IOException("server answered Range " + have + "- with Content-Range '" + cr + "'; restarting");
                }
            } else {
                offset = 0;        // 200: the server ignored Range; start over
            }
            copyWithWatchdog(in, part, offset, listener);
        }
    }

    private void copyWithWatchdog(InputStream in, Path part, long offset, Listener listener) throws IOException, InterruptedException {
        long stallNanos = settings.stallTimeout().toNanos();
        AtomicLong lastByte = new AtomicLong(System.nanoTime());
        AtomicBoolean stalled = new AtomicBoolean();
        long period = Math.max(10, settings.stallTimeout().toMillis() / 4);
        ScheduledFuture<?> dog = WATCHDOG.scheduleAtFixedRate(() -> {
            if (System.nanoTime() - lastByte.get() > stallNanos && stalled.compareAndSet(false, true)) {
                try { in.close(); } catch (IOException ignored) { /* closing is the whole point */ }
            }
        }, period, period, TimeUnit.MILLISECONDS);
        try (FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            out.truncate(offset);
            out.position(offset);
            byte[] buf = new byte[1 << 16];
            int n;
            while (true) {
                try {
                    n = in.read(buf);
                } catch (IOException e) {
                    if (stalled.get()) break;
                    throw e;
                }
                if (n < 0) break;
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                while (bb.hasRemaining()) out.write(bb);
                lastByte.set(System.nanoTime());
                listener.bytes(n);
                listener.checkpoint();
            }
            out.force(false);
        } finally {
            dog.cancel(false);
        }
        if (stalled.get()) {
            throw new IOException("download stalled: no data for " + settings.stallTimeout().toMillis() + " ms");
        }
    }

    private static String verify(Path file, Resolved res, String what) throws IOException {
        long size = Files.size(file);
        if (res.size() >= 0 && size != res.size()) {
            Files.deleteIfExists(file);
            throw new HubException(what + ": downloaded " + size + " bytes, the Hub says " + res.size());
        }
        String expected = res.etag().toLowerCase();
        String actual;
        if (expected.matches("[0-9a-f]{64}")) {
            actual = hash(file, "SHA-256", null);
        } else if (expected.matches("[0-9a-f]{40}")) {
            actual = hash(file, "SHA-1", ("blob " + size + "\0").getBytes(StandardCharsets.US_ASCII));  // git blob id
        } else {
            return "";   // no usable hash from the server: size was checked
        }
        if (!actual.equals(expected)) {
            Files.deleteIfExists(file);
            throw new HubException(what + ": checksum mismatch (got " + actual + ", the Hub's etag is " + expected
                    + "). The download was discarded. HINT: run the download again; if it repeats, the file changed "
                    + "upstream or a proxy alters it.");
        }
        return actual;
    }

    /** Hex digest of a file, optionally after a prefix (git's "blob N\0"). */
    static String hash(Path file, String algorithm, byte[] prefix) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance(algorithm);
            if (prefix != null) md.update(prefix);
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buf = new byte[1 << 16];
                int n;
                while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- requests ---------------------------------------------------------------------------

    /**
     * GET that follows up to {@link #MAX_REDIRECTS} 30x hops itself (the client never follows):
     * {@link #send} decides the Authorization header per hop, so the token goes to the Hub host
     * and never to a redirect target elsewhere (CDN, mirror) -- the same rule for listings and
     * downloads. {@code headers} adds per-request headers (Range) to every hop.
     */
    private <T> HttpResponse<T> getFollowingRedirects(URI uri, UnaryOperator<HttpRequest.Builder> headers,
                                                      HttpResponse.BodyHandler<T> handler, String what)
            throws IOException, InterruptedException {
        for (int hops = 0; ; hops++) {
            HttpResponse<T> r = send(headers.apply(HttpRequest.newBuilder(uri).GET()), handler, what);
            if (r.statusCode() / 100 != 3) return r;
            closeBody(r);
            if (hops >= MAX_REDIRECTS) throw new HubException(what + ": more than " + MAX_REDIRECTS + " redirects (last to " + uri + ")");
            uri = redirectTarget(uri, r.headers());
        }
    }

    /** The Location of a 30x, resolved against the request; refuses a redirect from https to plain http. */
    private static URI redirectTarget(URI from, HttpHeaders h) throws HubException {
        String loc = h.firstValue("Location").orElseThrow(() -> new HubException("redirect without Location from " + from));
        URI to;
        try {
            to = from.resolve(loc);
        } catch (IllegalArgumentException e) {
            throw new HubException("redirect from " + from + " to an invalid URL: " + loc);
        }
        if (to.getScheme() == null || !(to.getScheme().equalsIgnoreCase("https") || to.getScheme().equalsIgnoreCase("http"))
                || ("https".equalsIgnoreCase(from.getScheme()) && !"https".equalsIgnoreCase(to.getScheme()))) {
            throw new HubException("refusing a redirect from " + from + " to " + to + " (not https)");
        }
        return to;
    }

    /** Sends with the token only to the Hub host; waits out 429s; maps 401/403/404 to clear errors. */
    private <T> HttpResponse<T> send(HttpRequest.Builder b, HttpResponse.BodyHandler<T> handler, String what)
            throws IOException, InterruptedException {
        HttpRequest probe = b.copy().build();
        if (isHub(probe.uri())) settings.token().ifPresent(t -> b.setHeader("Authorization", "Bearer " + t));
        b.setHeader("User-Agent", "bitnut-workbench/0.1 (java.net.http)");
        b.timeout(settings.stallTimeout());
        HttpRequest req = b.build();
        for (int tries = 0; ; tries++) {
            HttpResponse<T> r = http.send(req, handler);
            int code = r.statusCode();
            if (code == 429 && tries < MAX_429) {
                closeBody(r);
                Thread.sleep(retryAfter(r.headers()).toMillis());
                continue;
            }
            if (code / 100 == 2 || code / 100 == 3) return r;
            closeBody(r);
            String host = probe.uri().getHost() + ":" + probe.uri().getPort();
            switch (code) {
                case 401, 403 -> throw new HubException(what + ": HTTP " + code + " from " + host + " (the dataset is gated or private). "
                        + "HINT: accept its terms on huggingface.co and set HF_TOKEN" + (settings.token().isPresent()
                        ? " (a token was sent; check that it can read this repo)." : " (no token was found)."));
                case 404 -> throw new HubException(what + ": HTTP 404 from " + host + " (no such repo, revision or file). "
                        + "HINT: check the repo id, config, split and revision.");
                case 416 -> throw new IOException(what + ": HTTP 416 (range not satisfiable)");
                default -> {
                    if (code / 100 == 5 || code == 429) throw new IOException(what + ": HTTP " + code + " from " + host);
                    throw new HubException(what + ": HTTP " + code + " from " + host);
                }
            }
        }
    }

    private Duration retryAfter(HttpHeaders h) {
        Duration d = h.firstValue("Retry-After").map(v -> {
            try {
                return Duration.ofSeconds(Long.parseLong(v.trim()));
            } catch (NumberFormatException e) {
                try {
                    return Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(v.trim(), DateTimeFormatter.RFC_1123_DATE_TIME));
                } catch (RuntimeException e2) {
                    return settings.retryBase();
                }
            }
        }).orElse(settings.retryBase());
        if (d.isNegative()) d = Duration.ZERO;
        return d.compareTo(settings.maxRetryAfter()) > 0 ? settings.maxRetryAfter() : d;
    }

    private Duration backoff(int failures) {
        return settings.retryBase().multipliedBy(1L << Math.min(failures - 1, 5));
    }

    private boolean isHub(URI uri) {
        URI base = settings.baseUrl();
        return base.getScheme().equalsIgnoreCase(uri.getScheme()) && base.getHost().equalsIgnoreCase(uri.getHost())
                && port(base) == port(uri);
    }

    private static int port(URI u) {
        return u.getPort() != -1 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    private static void closeBody(HttpResponse<?> r) {
        if (r.body() instanceof InputStream in) {
            try { in.close(); } catch (IOException ignored) { /* discarding an error body */ }
        }
    }

    private static void truncate(Path part) throws IOException {
        if (Files.exists(part)) {
            try (FileChannel ch = FileChannel.open(part, StandardOpenOption.WRITE)) { ch.truncate(0); }
        }
    }

    static String unquote(String etag) {
        String e = etag.trim();
        if (e.startsWith("W/")) e = e.substring(2);
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) e = e.substring(1, e.length() - 1);
        return e;
    }

    private static String encode(String s) { return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"); }

    private static String encodePath(String path) {
        StringBuilder sb = new StringBuilder();
        for (String seg : path.split("/")) {
            if (!sb.isEmpty()) sb.append('/');
            sb.append(encode(seg));
        }
        return sb.toString();
    }
}
