package bitnut.infer;

import bitnut.common.ChatTemplate;
import bitnut.common.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/*
 * An OpenAI-compatible HTTP server over one InferenceEngine (JDK com.sun.net.httpserver):
 *   GET  /v1/models
 *   POST /v1/completions        {prompt, max_tokens, temperature, top_p, top_k, min_p, seed, stop, stream, ...}
 *   POST /v1/chat/completions   {messages: [{role, content}], ...}; stream=true -> SSE chunks + [DONE]
 * Chat messages are rendered with BitNut's template (ChatTemplate): user -> "human:", assistant ->
 * "bitnut:", a system message is put first as plain text; generation stops at "\nhuman:" / <eos>.
 * Safety: binds 127.0.0.1 unless told otherwise, request bodies are capped (413), bad JSON or bad
 * fields are a 400 with an OpenAI-style error object, unknown paths 404, wrong methods 405.
 * Generations run one at a time (the engine lock); other requests wait their turn.
 */
public final class OpenAiServer implements AutoCloseable {
    public static final int DEFAULT_MAX_BODY = 1 << 20;
    public static final int MAX_TOKENS_CAP = 4096;
    private static final com.fasterxml.jackson.databind.ObjectWriter COMPACT =
            Json.MAPPER.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT);

    private final InferenceEngine engine;
    private final HttpServer http;
    private final ExecutorService pool;
    private final int maxBody;
    private final String modelId;

    /** Starts serving at host:port (port 0 = any free port). */
    public OpenAiServer(InferenceEngine engine, String host, int port, int maxBodyBytes) throws IOException {
        this.engine = engine;
        this.maxBody = maxBodyBytes;
        this.modelId = "bitnut:" + engine.name();
        http = HttpServer.create(new InetSocketAddress(host, port), 16);
        pool = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "bitnut-serve");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(pool);
        http.createContext("/", this::route);
        http.start();
    }

    public int port() { return http.getAddress().getPort(); }
    public String modelId() { return modelId; }

    @Override public void close() {
        http.stop(0);
        pool.shutdownNow();
    }

    /** A request the client got wrong: becomes a 4xx with an OpenAI error object. */
    static final class BadRequest extends Exception {
        final int status;
        BadRequest(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private void route(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            try {
                switch (path) {
                    case "/v1/models" -> {
                        requireMethod(method, "GET");
                        sendJson(ex, 200, models());
                    }
                    case "/v1/completions" -> {
                        requireMethod(method, "POST");
                        completions(ex, readJson(ex), false);
                    }
                    case "/v1/chat/completions" -> {
                        requireMethod(method, "POST");
                        completions(ex, readJson(ex), true);
                    }
                    default -> throw new BadRequest(404, "unknown path " + path + " (try /v1/models, /v1/completions, /v1/chat/completions)");
                }
            } catch (BadRequest e) {
                sendError(ex, e.status, e.getMessage());
            } catch (RuntimeException e) {
                sendError(ex, 500, "internal error: " + e.getMessage());
            }
        }
    }

    private static void requireMethod(String got, String want) throws BadRequest {
        if (!got.equalsIgnoreCase(want)) throw new BadRequest(405, "method " + got + " not allowed here; use " + want);
    }

    private ObjectNode models() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("object", "list");
        ObjectNode m = root.putArray("data").addObject();
        m.put("id", modelId).put("object", "model").put("created", System.currentTimeMillis() / 1000).put("owned_by", "bitnut");
        return root;
    }

    private JsonNode readJson(HttpExchange ex) throws IOException, BadRequest {
        String len = ex.getRequestHeaders().getFirst("Content-Length");
        if (len != null) {
            try {
                if (Long.parseLong(len.trim()) > maxBody) throw new BadRequest(413, "request body over " + maxBody + " bytes");
            } catch (NumberFormatException e) {
                throw new BadRequest(400, "bad Content-Length");
            }
        }
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes(maxBody + 1);
        }
        if (body.length > maxBody) throw new BadRequest(413, "request body over " + maxBody + " bytes");
        if (body.length == 0) throw new BadRequest(400, "empty request body; expected a JSON object");
        try {
            JsonNode n = Json.MAPPER.readTree(body);
            if (n == null || !n.isObject()) throw new BadRequest(400, "request body must be a JSON object");
            return n;
        } catch (JsonProcessingException e) {
            throw new BadRequest(400, "invalid JSON: " + e.getOriginalMessage());
        }
    }

    /** Sampling settings from the OpenAI fields (plus top_k, min_p, repetition_penalty as vLLM / llama.cpp). */
    SamplingSettings settings(JsonNode req, boolean chat) throws BadRequest {
        SamplingSettings d = SamplingSettings.DEFAULT;
        int max = intField(req, "max_tokens", req.has("max_completion_tokens") ? intField(req, "max_completion_tokens", 128) : 128);
        if (max < 1 || max > MAX_TOKENS_CAP) throw new BadRequest(400, "max_tokens must be in [1, " + MAX_TOKENS_CAP + "], got " + max);
        int n = intField(req, "n", 1);
        if (n != 1) throw new BadRequest(400, "only n = 1 is supported");
        List<String> stops = new ArrayList<>();
        JsonNode stop = req.get("stop");
        if (stop != null && !stop.isNull()) {
            if (stop.isTextual()) stops.add(stop.asText());
            else if (stop.isArray()) {
                for (JsonNode s : stop) {
                    if (!s.isTextual()) throw new BadRequest(400, "stop must be a string or a list of strings");
                    stops.add(s.asText());
                }
            } else throw new BadRequest(400, "stop must be a string or a list of strings");
        }
        if (stops.stream().anyMatch(String::isEmpty)) throw new BadRequest(400, "stop strings must not be empty");
        try {
            SamplingSettings s = new SamplingSettings(max,
                    (float) numField(req, "temperature", d.temperature()),
                    intField(req, "top_k", d.topK()),
                    (float) numField(req, "top_p", d.topP()),
                    (float) numField(req, "min_p", d.minP()),
                    (float) numField(req, "repetition_penalty", d.repetitionPenalty()),
                    req.has("seed") && !req.get("seed").isNull() ? (long) intField(req, "seed", 0) : System.nanoTime(),
                    stops, true, List.of());
            return chat ? ChatSession.chatSettings(s) : s;
        } catch (IllegalArgumentException e) {
            throw new BadRequest(400, e.getMessage());
        }
    }

    private static int intField(JsonNode req, String key, int dflt) throws BadRequest {
        JsonNode v = req.get(key);
        if (v == null || v.isNull()) return dflt;
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw new BadRequest(400, key + " must be an integer, got " + v);
        return v.asInt();
    }

    private static double numField(JsonNode req, String key, double dflt) throws BadRequest {
        JsonNode v = req.get(key);
        if (v == null || v.isNull()) return dflt;
        if (!v.isNumber()) throw new BadRequest(400, key + " must be a number, got " + v);
        return v.asDouble();
    }

    /** The prompt of a /v1/completions request. */
    static String completionPrompt(JsonNode req) throws BadRequest {
        JsonNode p = req.get("prompt");
        if (p == null || p.isNull()) throw new BadRequest(400, "missing 'prompt'");
        if (p.isTextual()) return p.asText();
        if (p.isArray() && p.size() == 1 && p.get(0).isTextual()) return p.get(0).asText();
        throw new BadRequest(400, "prompt must be a string (or a list with one string)");
    }

    /** The BitNut-template prompt of a /v1/chat/completions request. */
    static String chatPrompt(JsonNode req) throws BadRequest {
        JsonNode msgs = req.get("messages");
        if (msgs == null || !msgs.isArray() || msgs.isEmpty()) throw new BadRequest(400, "'messages' must be a non-empty list");
        StringBuilder system = new StringBuilder();
        List<String[]> turns = new ArrayList<>();
        String pendingUser = null;
        for (JsonNode m : msgs) {
            String role = m.path("role").asText("");
            JsonNode c = m.get("content");
            if (c == null || !c.isTextual()) throw new BadRequest(400, "every message needs a string 'content'");
            String content = c.asText();
            switch (role) {
                case "system", "developer" -> system.append(content.strip()).append('\n');
                case "user" -> {
                    if (pendingUser != null) turns.add(new String[] {pendingUser, ""});
                    pendingUser = content;
                }
                case "assistant" -> {
                    turns.add(new String[] {pendingUser == null ? "" : pendingUser, content});
                    pendingUser = null;
                }
                default -> throw new BadRequest(400, "unknown role '" + role + "' (system, user, assistant)");
            }
        }
        if (pendingUser == null) throw new BadRequest(400, "the last message must come from the user");
        return system + ChatTemplate.conversationText(turns, pendingUser);
    }

    private void completions(HttpExchange ex, JsonNode req, boolean chat) throws IOException, BadRequest {
        String prompt = chat ? chatPrompt(req) : completionPrompt(req);
        SamplingSettings s = settings(req, chat);
        boolean stream = req.path("stream").asBoolean(false);
        String id = (chat ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
        long created = System.currentTimeMillis() / 1000;
        if (!stream) {
            GenerationResult r;
            synchronized (engine.lock()) {
                r = engine.generator().generate(prompt, s, null, null);
            }
            ObjectNode root = envelope(id, created, chat ? "chat.completion" : "text_completion");
            ObjectNode choice = root.putArray("choices").addObject();
            choice.put("index", 0);
            if (chat) choice.putObject("message").put("role", "assistant").put("content", r.text().strip());
            else choice.put("text", r.text()).putNull("logprobs");
            choice.put("finish_reason", r.stopReason().finishReason());
            root.set("usage", usage(r));
            sendJson(ex, 200, root);
            return;
        }
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        boolean[] broken = {false};
        if (chat) sendEvent(out, chunk(id, created, true, null, "assistant", null), broken);
        GenerationResult r;
        synchronized (engine.lock()) {
            r = engine.generator().generate(prompt, s,
                    delta -> sendEvent(out, chunk(id, created, chat, delta, null, null), broken),
                    () -> broken[0]);
        }
        ObjectNode last = chunk(id, created, chat, chat ? null : "", null, r.stopReason().finishReason());
        last.set("usage", usage(r));
        sendEvent(out, last, broken);
        if (!broken[0]) {
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    private ObjectNode envelope(String id, long created, String object) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("id", id).put("object", object).put("created", created).put("model", modelId);
        return root;
    }

    private ObjectNode chunk(String id, long created, boolean chat, String text, String role, String finish) {
        ObjectNode root = envelope(id, created, chat ? "chat.completion.chunk" : "text_completion");
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        if (chat) {
            ObjectNode delta = choice.putObject("delta");
            if (role != null) delta.put("role", role);
            if (text != null) delta.put("content", text);
        } else {
            choice.put("text", text == null ? "" : text).putNull("logprobs");
        }
        if (finish == null) choice.putNull("finish_reason"); else choice.put("finish_reason", finish);
        return root;
    }

    private static ObjectNode usage(GenerationResult r) {
        ObjectNode u = Json.MAPPER.createObjectNode();
        u.put("prompt_tokens", r.promptTokens()).put("completion_tokens", r.newTokens()).put("total_tokens", r.promptTokens() + r.newTokens());
        // OpenAI's name for prompt tokens served from a cache: here, the ids an earlier request's KV cache held (PrefixCache)
        u.putObject("prompt_tokens_details").put("cached_tokens", r.promptTokens() - r.prefilledTokens());
        return u;
    }

    /** Writes one SSE event; a client that went away sets broken, which cancels the generation. */
    private static void sendEvent(OutputStream out, ObjectNode event, boolean[] broken) {
        if (broken[0]) return;
        try {
            out.write(("data: " + COMPACT.writeValueAsString(event) + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            broken[0] = true;
        }
    }

    private static void sendJson(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = COMPACT.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static void sendError(HttpExchange ex, int status, String message) throws IOException {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode e = root.putObject("error");
        e.put("message", message).put("type", status >= 500 ? "server_error" : "invalid_request_error").putNull("param");
        e.put("code", status == 413 ? "request_too_large" : status == 404 ? "not_found" : null);
        sendJson(ex, status, root);
    }

    /** "127.0.0.1" unless the user explicitly asks for another interface. */
    public static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("127.0.0.1") || h.equals("localhost") || h.equals("::1");
    }
}
