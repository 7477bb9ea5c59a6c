package bitnut.synth;

import bitnut.common.DirectJobContext;
import bitnut.common.Json;
import bitnut.dataset.DatasetStore;
import bitnut.dataset.ExampleFilter;
import bitnut.dataset.NewQuestion;
import bitnut.workspace.Workspace;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code bitnut bench synth}: the synth stage's measured figures (docs/benchmarks.md "## Synth").
 * <ol>
 *   <li>Dedupe: every question of a folder of {@code {"topic","prompt"}} JSONL files (the shared
 *       seed's 23,702 questions) through {@link QuestionDeduper} at several near-duplicate
 *       thresholds: exact and near duplicates found, questions/s. Counts only, never text.</li>
 *   <li>Parsing: numbered teacher replies of 10 questions through {@link QuestionParser}: replies/s.</li>
 *   <li>Voice pipeline: the real {@link VoiceJob} and dataset store against a loopback
 *       chat-completions endpoint that answers after a fixed latency (a stand-in for a remote
 *       model, so the figure is the job machinery's: HTTP, commit + fsync per answer, ledger
 *       fsync), at several concurrency limits: answers/s next to the ideal concurrency/latency.</li>
 * </ol>
 */
public final class SynthBench {
    private final Path tmp;
    private final Path questionsDir;
    private final int pipelineQuestions;
    private final int latencyMillis;
    private final Consumer<String> out;

    public SynthBench(Path tmp, Path questionsDir, int pipelineQuestions, int latencyMillis, Consumer<String> out) {
        this.tmp = tmp;
        this.questionsDir = questionsDir;
        this.pipelineQuestions = pipelineQuestions;
        this.latencyMillis = latencyMillis;
        this.out = out;
    }

    public void run() throws Exception {
        out.accept("machine: " + Runtime.getRuntime().availableProcessors() + " cores, Java " + Runtime.version()
                + ", load " + loadAverage());
        if (questionsDir != null) dedupe(); else out.accept("dedupe: skipped (no question folder)");
        parsing();
        for (int c : new int[] {1, 4, 16}) pipeline(c);
    }

    private void dedupe() throws IOException {
        List<String> questions = new ArrayList<>();
        int files = 0;
        try (Stream<Path> s = Files.list(questionsDir)) {
            for (Path f : s.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList()) {
                files++;
                try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                    for (String line; (line = r.readLine()) != null; ) {
                        if (line.isBlank()) continue;
                        JsonNode n = Json.MAPPER.readTree(line);
                        if (n.path("prompt").isTextual()) questions.add(n.path("prompt").asText());
                    }
                }
            }
        }
        out.accept(String.format("dedupe: %d questions from %d files in %s", questions.size(), files, questionsDir));
        out.accept("| threshold | kept | exact dups | near dups | questions/s |");
        out.accept("| --- | --- | --- | --- | --- |");
        for (double t : new double[] {1.0, 0.9, 0.8, 0.7, 0.6}) {
            QuestionDeduper d = new QuestionDeduper(t);
            int kept = 0, exact = 0, near = 0;
            long t0 = System.nanoTime();
            for (String q : questions) {
                QuestionDeduper.Verdict v = d.check(q);
                switch (v.kind()) {
                    case NEW -> { d.accept(v); kept++; }
                    case EXACT -> exact++;
                    case NEAR -> near++;
                }
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            out.accept(String.format("| %.1f%s | %d | %d | %d | %.0f |", t, t == 1.0 ? " (exact only)" : "", kept, exact, near,
                    questions.size() / secs));
        }
    }

    private void parsing() {
        List<String> replies = new ArrayList<>();
        for (int r = 0; r < 2000; r++) {
            StringBuilder b = new StringBuilder("Here are 10 questions:\n\n");
            for (int i = 1; i <= 10; i++) {
                b.append(i).append(". Why do squirrels number ").append(r).append(" hide ").append(i)
                        .append(i % 3 == 0 ? "\n   acorns in the garden?\n" : " acorns in the garden?\n");
            }
            replies.add(b.toString());
        }
        int parsed = 0;
        for (String r : replies) parsed += QuestionParser.parse(r).size(); // warm-up
        parsed = 0;
        long t0 = System.nanoTime();
        for (String r : replies) parsed += QuestionParser.parse(r).size();
        double secs = (System.nanoTime() - t0) / 1e9;
        out.accept(String.format("parsing: %d replies of 10 numbered questions (every third wrapped): %d questions, %.0f replies/s",
                replies.size(), parsed, replies.size() / secs));
    }

    private void pipeline(int concurrency) throws Exception {
        Path wsDir = tmp.resolve("ws-c" + concurrency);
        Workspace ws = Workspace.create(wsDir);
        try (DatasetStore store = DatasetStore.open(ws)) {
            List<NewQuestion> qs = new ArrayList<>();
            for (int i = 0; i < pipelineQuestions; i++) qs.add(NewQuestion.of("bench", "Bench question number " + i + "?", Map.of()));
            store.addQuestions(qs).get();
        }
        HttpServer server = latencyServer();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
            VoiceJob job = VoiceJob.start(ws, new VoiceJobConfig(0, null, Sampling.voice(),
                    Teachers.spec(new TeacherSettings(url, "latency-stand-in", "", concurrency, 30, 2))), null);
            long t0 = System.nanoTime();
            job.run(new DirectJobContext());
            double secs = (System.nanoTime() - t0) / 1e9;
            long answered;
            try (DatasetStore store = DatasetStore.open(ws)) { answered = store.count(ExampleFilter.ALL.withHasResponse(true)); }
            double ideal = concurrency * 1000.0 / latencyMillis;
            out.accept(String.format("voice pipeline: concurrency %2d, %d answers, %d ms teacher latency: %.1f answers/s (ideal %.1f, %.0f%%), %.1f s",
                    concurrency, answered, latencyMillis, answered / secs, ideal, 100 * answered / secs / ideal, secs));
        } finally {
            server.stop(0);
        }
    }

    /** Answers every chat-completions request with a fixed 60-word answer after {@code latencyMillis}. */
    private HttpServer latencyServer() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        String answer = ("Woof! I sniffed around and I think the squirrels know. ").repeat(6).strip();
        s.createContext("/v1/chat/completions", ex -> {
            try {
                ex.getRequestBody().readAllBytes();
                Thread.sleep(latencyMillis);
                ObjectNode r = Json.MAPPER.createObjectNode();
                r.put("model", "latency-stand-in");
                r.putArray("choices").addObject().put("finish_reason", "stop").putObject("message")
                        .put("role", "assistant").put("content", answer);
                r.putObject("usage").put("prompt_tokens", 200).put("completion_tokens", 80);
                byte[] b = Json.MAPPER.writeValueAsBytes(r);
                ex.sendResponseHeaders(200, b.length);
                try (OutputStream o = ex.getResponseBody()) { o.write(b); }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                ex.close();
            }
        });
        s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        s.start();
        return s;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "n/a";
        }
    }
}
