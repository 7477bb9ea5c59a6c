package bitnut.synth;

import bitnut.common.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small OpenAI-compatible chat-completions server on 127.0.0.1 for tests: it answers question
 * requests with a numbered list and voice requests (those with a system prompt) as BitNut, and can
 * be told to misbehave: a queue of faults is consumed one per request (slow, HTTP 500, 429 with
 * Retry-After, malformed JSON, dropped connection mid-body), and {@link #delayMillis} slows every
 * answer. Questions are unique per request (a global counter) unless {@link #repeatQuestions} is set.
 */
public final class TeacherServer implements AutoCloseable {
    public sealed interface Fault permits Slow, Status, RateLimit, Malformed, Drop, EchoAuthorization { }
    public record Slow(long millis) implements Fault { }
    public record Status(int code) implements Fault { }
    public record RateLimit(String retryAfter) implements Fault { }
    public record Malformed() implements Fault { }
    public record Drop() implements Fault { }
    /** A hostile or buggy server: fails with {@code status} and echoes the request's Authorization header in the body. */
    public record EchoAuthorization(int status) implements Fault { }

    /** One request as received. */
    record Received(JsonNode body, String authorization, long atNanos) { }

    public final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
    final List<Received> received = Collections.synchronizedList(new ArrayList<>());
    public final AtomicInteger answered = new AtomicInteger();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    /** When not empty, the next reply's content is taken from here instead of being made up. */
    final ConcurrentLinkedQueue<String> scriptedReplies = new ConcurrentLinkedQueue<>();
    public volatile long delayMillis;
    volatile boolean repeatQuestions;
    private final AtomicLong questionCounter = new AtomicLong();
    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "teacher-server");
        t.setDaemon(true);
        return t;
    });

    public TeacherServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/v1/chat/completions", this::handle);
        server.setExecutor(pool);
        server.start();
    }

    public String baseUrl() { return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1"; }

    private void handle(HttpExchange ex) throws IOException {
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        boolean counted = true;
        try {
            JsonNode req = Json.MAPPER.readTree(ex.getRequestBody());
            received.add(new Received(req, ex.getRequestHeaders().getFirst("Authorization"), System.nanoTime()));
            Fault f = faults.poll();
            long delay = delayMillis;
            if (f instanceof Slow s) delay += s.millis();
            if (delay > 0) Thread.sleep(delay);
            // no longer "in flight" once the answer starts going out: the client may send its next
            // request the moment it has read this one, before this handler has returned
            inFlight.decrementAndGet();
            counted = false;
            switch (f) {
                case Status s -> send(ex, s.code(), "{\"error\":{\"message\":\"injected failure\"}}");
                case RateLimit r -> {
                    ex.getResponseHeaders().add("Retry-After", r.retryAfter());
                    send(ex, 429, "{\"error\":{\"message\":\"slow down\"}}");
                }
                case EchoAuthorization e -> send(ex, e.status(), "{\"error\":{\"message\":\"invalid credentials: "
                        + ex.getRequestHeaders().getFirst("Authorization") + "\"}}");
                case Malformed m -> send(ex, 200, "{\"choices\":[{\"message\":{\"content\":\"1. What is");
                case Drop d -> {
                    // promise a long body, send a few bytes, hang up: the client sees a broken stream
                    ex.sendResponseHeaders(200, 10_000);
                    ex.getResponseBody().write("{\"choices\"".getBytes(StandardCharsets.UTF_8));
                    ex.getResponseBody().flush();
                    throw new IOException("dropping the connection on purpose");
                }
                case null, default -> send(ex, 200, reply(req));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (counted) inFlight.decrementAndGet();
            ex.close();
        }
    }

    private String reply(JsonNode req) throws IOException {
        JsonNode msgs = req.path("messages");
        boolean voice = "system".equals(msgs.path(0).path("role").asText());
        String user = msgs.path(msgs.size() - 1).path("content").asText();
        String content = scriptedReplies.poll();
        if (content != null) {
            // as scripted by the test
        } else if (voice) {
            String question = user.lines().filter(l -> l.strip().endsWith("?")).findFirst().orElse("that").strip();
            content = "Woof! I sniffed around about \"" + question + "\" and I think the squirrels know more than they say. "
                    + "My tail says the answer is simple: stay curious and share your snacks.";
        } else {
            int count = 5;
            var m = java.util.regex.Pattern.compile("Write (\\d+)").matcher(user);
            if (m.find()) count = Integer.parseInt(m.group(1));
            StringBuilder sb = new StringBuilder("Here are some questions:\n\n");
            for (int i = 1; i <= count; i++) {
                long n = repeatQuestions ? i : questionCounter.incrementAndGet();
                sb.append(i).append(". ").append(question(n)).append('\n');
            }
            content = sb.toString();
        }
        answered.incrementAndGet();
        ObjectNode r = Json.MAPPER.createObjectNode();
        r.put("id", "chatcmpl-test").put("object", "chat.completion").put("model", req.path("model").asText());
        ObjectNode choice = r.putArray("choices").addObject();
        choice.put("index", 0).put("finish_reason", "stop");
        choice.putObject("message").put("role", "assistant").put("content", content);
        r.putObject("usage").put("prompt_tokens", 20).put("completion_tokens", content.split(" ").length)
                .put("total_tokens", 20 + content.split(" ").length);
        return Json.MAPPER.writeValueAsString(r);
    }

    private static final String[] SYLLABLES = {"ka", "lo", "mi", "ru", "te", "zo", "pa", "ne", "vi", "sha", "bo", "qu", "der", "lin", "fo", "gri"};

    /** Question n: seven made-up words, so different n share almost no word pairs (no near-duplicates). */
    static String question(long n) {
        // mix n first: SplittableRandom seeds one golden-gamma apart give shifted copies of one stream
        long seed = n * 0x9E3779B97F4A7C15L;
        seed = (seed ^ (seed >>> 31)) * 0xBF58476D1CE4E5B9L;
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed ^ (seed >>> 29));
        StringBuilder q = new StringBuilder("How");
        for (int w = 0; w < 7; w++) {
            q.append(' ');
            int syl = 2 + rnd.nextInt(2);
            for (int k = 0; k < syl; k++) q.append(SYLLABLES[rnd.nextInt(SYLLABLES.length)]);
        }
        return q.append('?').toString();
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) { out.write(b); }
    }

    @Override public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
