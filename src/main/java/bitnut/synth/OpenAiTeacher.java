package bitnut.synth;

import bitnut.common.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A teacher behind any OpenAI-compatible {@code POST /v1/chat/completions} (OpenAI, vLLM,
 * llama.cpp server, bitnet.cpp, the project's own {@code bitnut serve}).
 *
 * <p>Failure policy, the part that matters for a job that runs for hours:
 * <ul>
 *   <li>each attempt has one deadline covering headers AND body ({@code HttpRequest.timeout}
 *       alone stops at the headers, so a server that stalls mid-body would hang us forever);</li>
 *   <li>timeouts, dropped connections, 408, 5xx and malformed JSON are retried with exponential
 *       backoff and full jitter (so parallel workers do not retry in lock step);</li>
 *   <li>429 honours {@code Retry-After} (seconds or HTTP date) and pauses ALL workers until then,
 *       because a rate limit is per key, not per request;</li>
 *   <li>other 4xx (bad key, unknown model) fail at once with the server's message;</li>
 *   <li>a semaphore caps requests in flight; the key is sent as a bearer token and scrubbed from
 *       every error text.</li>
 * </ul>
 */
public final class OpenAiTeacher implements Teacher {
    /** First backoff step; attempt n waits a random time in [0.5, 1] x base x 2^n, capped. */
    static final long BACKOFF_BASE_MILLIS = 250;
    static final long BACKOFF_CAP_MILLIS = 20_000;
    /** A Retry-After longer than this is treated as this (a bad header must not park a job for a day). */
    static final long RETRY_AFTER_CAP_MILLIS = 120_000;
    private static final int ERROR_BODY_EXCERPT = 300;

    private final TeacherSettings settings;
    private final URI endpoint;
    private final String apiKey;
    private final HttpClient http;
    private final Semaphore permits;
    private final long backoffBaseMillis;
    /** System.nanoTime() before which no worker may send (set by a 429). */
    private final AtomicLong notBeforeNanos = new AtomicLong(System.nanoTime());

    /** Resolves the key from the environment/keychain variable the settings name. */
    public OpenAiTeacher(TeacherSettings settings) { this(settings, ApiKeys.resolve(settings.apiKeyEnv()), BACKOFF_BASE_MILLIS); }

    OpenAiTeacher(TeacherSettings settings, String apiKey, long backoffBaseMillis) {
        if (settings.model().isEmpty()) throw new IllegalArgumentException("No teacher model name. HINT: e.g. --model microsoft/bitnet-b1.58-2B-4T");
        this.settings = settings;
        this.endpoint = settings.endpoint();
        this.apiKey = apiKey;
        this.backoffBaseMillis = backoffBaseMillis;
        this.permits = new Semaphore(settings.concurrency(), true);
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(Math.min(30, settings.timeoutSeconds())))
                .followRedirects(HttpClient.Redirect.NEVER) // never carry the bearer token to another host
                .build();
    }

    @Override public int parallelism() { return settings.concurrency(); }
    @Override public String model() { return settings.model(); }
    @Override public String describe() { return "openai:" + settings.model() + "@" + endpoint.getHost() + ":" + port(); }
    public boolean hasApiKey() { return apiKey != null; }

    private int port() { return endpoint.getPort() > 0 ? endpoint.getPort() : "https".equals(endpoint.getScheme()) ? 443 : 80; }

    @Override
    public ChatResult chat(List<ChatMessage> messages, Sampling sampling) throws TeacherException, InterruptedException {
        byte[] body = requestBody(messages, sampling);
        TeacherException last = null;
        for (int attempt = 0; attempt <= settings.maxRetries(); attempt++) {
            if (attempt > 0) sleepMillis(backoffMillis(attempt - 1));
            waitForRateLimit();
            permits.acquire();
            try {
                return attempt(body, attempt + 1);
            } catch (RateLimited r) {
                long wait = Math.min(RETRY_AFTER_CAP_MILLIS, r.waitMillis >= 0 ? r.waitMillis : backoffMillis(attempt));
                notBeforeNanos.accumulateAndGet(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(wait), Math::max);
                last = new TeacherException("rate limited by " + endpoint + " (HTTP 429)", true);
            } catch (TeacherException e) {
                if (!e.retryable()) throw e;
                last = e;
            } finally {
                permits.release();
            }
        }
        throw new TeacherException("teacher failed after " + (settings.maxRetries() + 1) + " attempts: " + last.getMessage(), true, last);
    }

    private ChatResult attempt(byte[] body, int attemptNo) throws TeacherException, InterruptedException, RateLimited {
        HttpRequest.Builder rb = HttpRequest.newBuilder(endpoint)
                .timeout(Duration.ofSeconds(settings.timeoutSeconds()))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (apiKey != null) rb.header("Authorization", "Bearer " + apiKey);
        long t0 = System.nanoTime();
        CompletableFuture<HttpResponse<String>> f = http.sendAsync(rb.build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> resp;
        try {
            resp = f.get(settings.timeoutSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new TeacherException("no complete answer from " + endpoint + " within " + settings.timeoutSeconds() + " s", true);
        } catch (InterruptedException e) {
            f.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            boolean timeout = c instanceof HttpTimeoutException;
            String what = timeout ? "timed out" : "connection failed (" + c.getClass().getSimpleName()
                    + (c.getMessage() == null ? "" : ": " + c.getMessage()) + ")";
            throw new TeacherException(redact(what + " talking to " + endpoint), c instanceof IOException, c);
        }
        long latency = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        int status = resp.statusCode();
        if (status == 429) throw new RateLimited(retryAfterMillis(resp));
        if (status == 408 || status >= 500) {
            throw new TeacherException("HTTP " + status + " from " + endpoint + ": " + excerpt(resp.body()), true);
        }
        if (status != 200) {
            String hint = status == 401 || status == 403
                    ? " HINT: check the API key in the environment variable '" + settings.apiKeyEnv() + "'."
                    : status == 404 ? " HINT: check the base URL (it usually ends in /v1) and the model name." : "";
            throw new TeacherException("HTTP " + status + " from " + endpoint + ": " + excerpt(resp.body()) + hint, false);
        }
        return parse(resp.body(), latency, attemptNo);
    }

    private ChatResult parse(String body, long latency, int attemptNo) throws TeacherException {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new TeacherException("malformed JSON from " + endpoint + " (" + firstLine(e.getMessage()) + "): " + excerpt(body), true);
        }
        JsonNode content = root == null ? null : root.path("choices").path(0).path("message").path("content");
        if (content == null || !content.isTextual()) {
            throw new TeacherException("malformed reply from " + endpoint + ": no choices[0].message.content in " + excerpt(body), true);
        }
        JsonNode usage = root.path("usage");
        return new ChatResult(content.asText(), root.path("choices").path(0).path("finish_reason").asText(""),
                usage.path("prompt_tokens").asInt(-1), usage.path("completion_tokens").asInt(-1),
                latency, attemptNo, root.path("model").asText(settings.model()));
    }

    private byte[] requestBody(List<ChatMessage> messages, Sampling s) {
        ObjectNode req = Json.MAPPER.createObjectNode();
        req.put("model", settings.model());
        ArrayNode msgs = req.putArray("messages");
        for (ChatMessage m : messages) msgs.addObject().put("role", m.role()).put("content", m.content());
        req.put("temperature", s.temperature());
        req.put("top_p", s.topP());
        if (s.topK() > 0) req.put("top_k", s.topK()); // not in OpenAI's API; vLLM and llama.cpp accept it
        req.put("max_tokens", s.maxTokens());
        req.put("stream", false);
        try {
            return Json.MAPPER.writeValueAsBytes(req);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    long backoffMillis(int retryIndex) {
        long ceiling = Math.min(BACKOFF_CAP_MILLIS, backoffBaseMillis << Math.min(20, retryIndex));
        return ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
    }

    private void waitForRateLimit() throws InterruptedException {
        long wait;
        while ((wait = notBeforeNanos.get() - System.nanoTime()) > 0) TimeUnit.NANOSECONDS.sleep(wait);
    }

    private static void sleepMillis(long ms) throws InterruptedException { if (ms > 0) Thread.sleep(ms); }

    /** Retry-After as seconds ("3") or an HTTP date; -1 when absent or unreadable. */
    static long retryAfterMillis(HttpResponse<?> resp) {
        String v = resp.headers().firstValue("Retry-After").orElse("").strip();
        if (v.isEmpty()) return -1;
        try {
            return (long) (Double.parseDouble(v) * 1000);
        } catch (NumberFormatException ignored) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                return Math.max(0, at.toInstant().toEpochMilli() - System.currentTimeMillis());
            } catch (RuntimeException e) {
                return -1;
            }
        }
    }

    private String excerpt(String body) {
        if (body == null) return "(no body)";
        String b = body.strip().replaceAll("\\s+", " ");
        if (b.length() > ERROR_BODY_EXCERPT) b = b.substring(0, ERROR_BODY_EXCERPT) + "...";
        return b.isEmpty() ? "(empty body)" : redact(b);
    }

    private String redact(String s) { return ApiKeys.redact(s, apiKey); }

    private static String firstLine(String s) { return s == null ? "" : s.lines().findFirst().orElse(""); }

    @Override public void close() { http.close(); }

    @Override public String toString() { return describe(); }

    /** A 429; carries the server's Retry-After. */
    private static final class RateLimited extends Exception {
        final long waitMillis;
        RateLimited(long waitMillis) { super(null, null, false, false); this.waitMillis = waitMillis; }
    }
}
