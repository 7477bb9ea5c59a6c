package bitnut.infer;

import bitnut.common.Json;
import bitnut.model.BitNetConfig;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The OpenAI-compatible server over real loopback HTTP with java.net.http.HttpClient. */
class OpenAiServerTest {
    @TempDir static Path tmp;
    static InferenceEngine engine;
    static OpenAiServer server;
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        BitNetConfig c = TinyCheckpoint.config(true);
        Path dir = TinyCheckpoint.writeLatent(tmp.resolve("run/checkpoints/step-0000010"), c, TinyCheckpoint.latents(c, 31));
        engine = InferenceEngine.open(dir, null, new InferenceEngine.Options(1, bitnut.infer.kernel.DenseMatrix.Precision.F32, 0, 16));
        server = new OpenAiServer(engine, "127.0.0.1", 0, 4096);
    }

    @AfterAll
    static void stop() {
        server.close();
        engine.close();
    }

    static HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void listsTheModel() throws Exception {
        HttpResponse<String> r = get("/v1/models");
        assertEquals(200, r.statusCode());
        JsonNode n = Json.MAPPER.readTree(r.body());
        assertEquals("bitnut:run/step-0000010", n.path("data").path(0).path("id").asText());
    }

    @Test
    void completionIsReproducibleWithASeedAndReportsUsage() throws Exception {
        String body = "{\"model\":\"x\",\"prompt\":\"squirrels\",\"max_tokens\":8,\"temperature\":1.5,\"seed\":4}";
        JsonNode a = Json.MAPPER.readTree(post("/v1/completions", body).body());
        JsonNode b = Json.MAPPER.readTree(post("/v1/completions", body).body());
        assertEquals("text_completion", a.path("object").asText());
        assertEquals(a.path("choices").path(0).path("text").asText(), b.path("choices").path(0).path("text").asText());
        assertEquals(8, a.path("usage").path("completion_tokens").asInt());
        assertEquals("length", a.path("choices").path(0).path("finish_reason").asText());
    }

    @Test
    void chatCompletionStreamsSseChunksThatAddUpToTheAnswer() throws Exception {
        String base = "{\"messages\":[{\"role\":\"system\",\"content\":\"You are BitNut.\"},{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"max_tokens\":12,\"temperature\":0,\"seed\":1";
        JsonNode whole = Json.MAPPER.readTree(post("/v1/chat/completions", base + "}").body());
        String answer = whole.path("choices").path(0).path("message").path("content").asText();
        assertEquals("assistant", whole.path("choices").path(0).path("message").path("role").asText());

        HttpResponse<String> r = post("/v1/chat/completions", base + ",\"stream\":true}");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        List<String> events = new ArrayList<>();
        for (String line : r.body().split("\n")) if (line.startsWith("data: ")) events.add(line.substring(6));
        assertEquals("[DONE]", events.getLast());
        StringBuilder text = new StringBuilder();
        String finish = null;
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode n = Json.MAPPER.readTree(e);
            assertEquals("chat.completion.chunk", n.path("object").asText());
            JsonNode ch = n.path("choices").path(0);
            text.append(ch.path("delta").path("content").asText(""));
            if (!ch.path("finish_reason").isNull()) finish = ch.path("finish_reason").asText();
        }
        assertEquals(answer, text.toString().strip());
        assertTrue(finish != null);
    }

    static JsonNode chat(String messages) throws Exception {
        return Json.MAPPER.readTree(post("/v1/chat/completions", "{\"messages\":[" + messages + "],\"max_tokens\":10,\"temperature\":0}").body());
    }

    static String content(JsonNode n) { return n.path("choices").path(0).path("message").path("content").asText(); }

    @Test
    void clientsSharingTheEngineReuseOnlyTheirOwnPrefixesAndGetTheSameAnswers() throws Exception {
        String a1 = "{\"role\":\"user\",\"content\":\"Who runs the park?\"}";
        String b1 = "{\"role\":\"user\",\"content\":\"Do you like ducks?\"}";
        JsonNode ra = chat(a1);
        JsonNode rb = chat(b1);                                        // client B between client A's turns
        String a2 = a1 + ",{\"role\":\"assistant\",\"content\":" + Json.MAPPER.writeValueAsString(content(ra)) + "},"
                + "{\"role\":\"user\",\"content\":\"And the squirrels?\"}";
        JsonNode ra2 = chat(a2);
        int cached = ra2.path("usage").path("prompt_tokens_details").path("cached_tokens").asInt(-1);
        int promptTokens = ra2.path("usage").path("prompt_tokens").asInt();
        assertTrue(cached >= OpenAiServer.chatPrompt(Json.MAPPER.readTree("{\"messages\":[" + a1 + "]}")).length(),
                "client A's second turn reuses its first prompt (byte-level tokens): " + cached + " of " + promptTokens);
        assertTrue(cached < promptTokens);

        engine.generator().reusePrefixes(false);                       // the same requests, every prompt prefilled in full
        try {
            assertEquals(content(ra), content(chat(a1)));
            assertEquals(content(rb), content(chat(b1)));
            JsonNode full = chat(a2);
            assertEquals(content(ra2), content(full));
            assertEquals(0, full.path("usage").path("prompt_tokens_details").path("cached_tokens").asInt(-1));
        } finally {
            engine.generator().reusePrefixes(true);
        }
    }

    @Test
    void chatPromptUsesBitNutsTemplate() throws Exception {
        JsonNode req = Json.MAPPER.readTree("{\"messages\":[{\"role\":\"user\",\"content\":\"a?\"},{\"role\":\"assistant\",\"content\":\"woof\"},"
                + "{\"role\":\"user\",\"content\":\"b?\"}]}");
        assertEquals("human: a?\nbitnut: woof\nhuman: b?\nbitnut:", OpenAiServer.chatPrompt(req));
    }

    @Test
    void badRequestsGetClearFourHundreds() throws Exception {
        HttpResponse<String> bad = post("/v1/completions", "{not json");
        assertEquals(400, bad.statusCode());
        assertTrue(Json.MAPPER.readTree(bad.body()).path("error").path("message").asText().contains("invalid JSON"));
        assertEquals(400, post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":-1}").statusCode());
        assertEquals(400, post("/v1/completions", "{\"prompt\":\"x\",\"temperature\":\"hot\"}").statusCode());
        assertEquals(400, post("/v1/completions", "[1,2]").statusCode());
        assertEquals(400, post("/v1/chat/completions", "{\"messages\":[{\"role\":\"assistant\",\"content\":\"x\"}]}").statusCode());
        assertEquals(413, post("/v1/completions", "{\"prompt\":\"" + "x".repeat(5000) + "\"}").statusCode());
        assertEquals(404, get("/v2/nothing").statusCode());
        assertEquals(405, get("/v1/completions").statusCode());
    }
}
