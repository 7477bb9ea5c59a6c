package bitnut.cli;

import bitnut.synth.QuestionJob;
import bitnut.synth.QuestionJobConfig;
import bitnut.synth.RunLedger;
import bitnut.synth.Sampling;
import bitnut.synth.SynthInputs;
import bitnut.synth.SynthJobs;
import bitnut.synth.TeacherSettings;
import bitnut.synth.Teachers;
import bitnut.synth.VoiceJob;
import bitnut.synth.VoiceJobConfig;
import bitnut.workspace.Workspace;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code bitnut synth ...}: the Synth stage on the command line. Teacher settings default to
 * {@code workspace/synth/teacher.json} (written by the Prompts/Voice tab or {@code --save-teacher});
 * options override them. The API key is read from the environment variable named by
 * {@code --key-env} (or the OS keychain), never passed on the command line.
 */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = "Generate synthetic questions and BitNut's answers with a teacher model.",
        subcommands = {SynthCommand.Questions.class, SynthCommand.Voice.class, SynthCommand.Resume.class, SynthCommand.Runs.class})
public final class SynthCommand implements Runnable {
    // picocli builds every command class when the CLI starts: this makes synth runs resumable
    // from 'bitnut tasks resume' too, not only from 'bitnut synth resume'
    static { SynthJobs.register(); }

    @ParentCommand BitnutCommand root;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override public void run() { spec.commandLine().usage(System.out); }

    /** Teacher connection options shared by questions and voice. */
    static final class TeacherOptions {
        @Option(names = "--base-url", paramLabel = "URL", description = "OpenAI-compatible base URL, e.g. http://127.0.0.1:8080/v1")
        String baseUrl;
        @Option(names = "--model", description = "Model name sent to the teacher.")
        String model;
        @Option(names = "--key-env", paramLabel = "VAR", description = "Environment variable (or keychain account) holding the API key, e.g. OPENAI_API_KEY; '' for none.")
        String keyEnv;
        @Option(names = "--concurrency", description = "Requests in flight at once.")
        Integer concurrency;
        @Option(names = "--timeout", paramLabel = "SECONDS", description = "Deadline of one attempt.")
        Integer timeout;
        @Option(names = "--retries", description = "Retries after timeouts, 5xx, 429, dropped connections, malformed replies.")
        Integer retries;
        @Option(names = "--save-teacher", description = "Save these teacher settings to workspace/synth/teacher.json.")
        boolean save;
        @Option(names = "--checkpoint", paramLabel = "DIR", description = "Use the in-process engine on this BitNet checkpoint folder instead of an HTTP teacher.")
        Path checkpoint;
        @Option(names = "--threads", defaultValue = "2", description = "Matmul threads of the in-process engine (default ${DEFAULT-VALUE}).")
        int threads;

        /** The teacher part of the job spec: the in-process engine with --checkpoint, else the HTTP teacher. */
        Map<String, Object> spec(Workspace ws) throws IOException {
            if (checkpoint != null) {
                if (!Files.isRegularFile(checkpoint.resolve("config.json"))) {
                    throw new IOException(checkpoint + " is not a checkpoint folder (no config.json). HINT: bitnut sample --help lists checkpoints.");
                }
                return Teachers.localSpec(checkpoint, threads);
            }
            return Teachers.spec(settings(ws));
        }

        @Option(names = "--temperature", description = "Sampling temperature (default 0.9).") Double temperature;
        @Option(names = "--top-p", description = "Nucleus mass kept (default 0.95).") Double topP;
        @Option(names = "--top-k", description = "Keep the k most likely tokens, 0 = off (default 40; sent as top_k, which vLLM and llama.cpp accept).") Integer topK;
        @Option(names = "--max-tokens", description = "New tokens per reply at most (default 512).") Integer maxTokens;

        TeacherSettings settings(Workspace ws) throws IOException {
            TeacherSettings s = TeacherSettings.load(ws.synthDir());
            s = new TeacherSettings(baseUrl != null ? baseUrl : s.baseUrl(), model != null ? model : s.model(),
                    keyEnv != null ? keyEnv : s.apiKeyEnv(), concurrency != null ? concurrency : s.concurrency(),
                    timeout != null ? timeout : s.timeoutSeconds(), retries != null ? retries : s.maxRetries());
            s.endpoint(); // a bad URL fails here, before a run is created
            if (save) s.save(ws.synthDir());
            return s;
        }

        Sampling sampling(Sampling d) {
            return new Sampling(temperature != null ? temperature : d.temperature(), topP != null ? topP : d.topP(),
                    topK != null ? topK : d.topK(), maxTokens != null ? maxTokens : d.maxTokens());
        }
    }

    @Command(name = "questions", mixinStandardHelpOptions = true,
            description = "Ask the teacher for questions per topic; dedupe (exact + near) and store them in the dataset.")
    static final class Questions implements Callable<Integer> {
        @ParentCommand SynthCommand parent;
        @Mixin TeacherOptions teacher;
        @Option(names = "--per-topic", paramLabel = "N", defaultValue = "3", description = "Requests per topic (default ${DEFAULT-VALUE}).")
        int perTopic;
        @Option(names = "--questions-per-request", paramLabel = "N", defaultValue = "10", description = "Questions asked for per request (default ${DEFAULT-VALUE}).")
        int perRequest;
        @Option(names = "--topic", paramLabel = "TOPIC", description = "Only this topic (repeatable); default: every topic in workspace/synth/topics.txt.")
        List<String> topics = new ArrayList<>();
        @Option(names = "--limit", paramLabel = "N", defaultValue = "0", description = "Only the first N topics (0 = all).")
        int limit;
        @Option(names = "--near-dup", paramLabel = "T", defaultValue = "0.7", description = "Near-duplicate threshold, estimated Jaccard of word shingles (1 = exact only; default ${DEFAULT-VALUE}).")
        double nearDup;

        @Override public Integer call() throws Exception {
            Workspace ws = parent.root.workspace();
            Map<String, Object> teacherSpec = teacher.spec(ws);
            List<String> chosen = topics.isEmpty() ? SynthInputs.open(ws.synthDir()).topics() : topics;
            if (limit > 0 && chosen.size() > limit) chosen = chosen.subList(0, limit);
            QuestionJob job = QuestionJob.start(ws, new QuestionJobConfig(chosen, perTopic, perRequest, nearDup,
                    teacher.sampling(Sampling.questions()), teacherSpec), null);
            System.err.println("run " + job.runId() + " (resume with: bitnut synth resume " + job.runId() + ")");
            return CliJobRunner.run(job);
        }
    }

    @Command(name = "voice", mixinStandardHelpOptions = true,
            description = "Answer unanswered questions as BitNut (persona in workspace/synth/persona.txt) and store the answers.")
    static final class Voice implements Callable<Integer> {
        @ParentCommand SynthCommand parent;
        @Mixin TeacherOptions teacher;
        @Option(names = "--limit", paramLabel = "N", defaultValue = "0", description = "Answer at most N questions (0 = all).")
        int limit;
        @Option(names = "--topic", description = "Only questions of this topic.")
        String topic;

        @Override public Integer call() throws Exception {
            Workspace ws = parent.root.workspace();
            VoiceJob job = VoiceJob.start(ws, new VoiceJobConfig(limit, topic, teacher.sampling(Sampling.voice()), teacher.spec(ws)), null);
            System.err.println("run " + job.runId() + " (resume with: bitnut synth resume " + job.runId() + ")");
            return CliJobRunner.run(job);
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = "Continue a question or voice run after a kill, cancel or failure (at most in-flight requests are redone).")
    static final class Resume implements Callable<Integer> {
        @ParentCommand SynthCommand parent;
        @Parameters(paramLabel = "RUN_ID", description = "Run id, as printed at start or listed by 'bitnut synth runs'.")
        String runId;

        @Override public Integer call() throws Exception {
            Workspace ws = parent.root.workspace();
            Map<String, Object> spec = RunLedger.spec(ws.synthDir(), runId);
            SynthJobs.register();
            String kind = String.valueOf(spec.get("kind"));
            var resumer = bitnut.common.JobKinds.resumer(kind)
                    .orElseThrow(() -> new CommandLine.ParameterException(parent.spec.commandLine(), "run " + runId + " has unknown kind " + kind));
            return CliJobRunner.run(resumer.apply(ws.root(), spec));
        }
    }

    @Command(name = "runs", mixinStandardHelpOptions = true, description = "List question and voice runs with their progress.")
    static final class Runs implements Callable<Integer> {
        @ParentCommand SynthCommand parent;

        @Override public Integer call() throws Exception {
            Workspace ws = parent.root.workspace();
            Path dir = RunLedger.runsDir(ws.synthDir());
            if (!Files.isDirectory(dir)) {
                System.out.println("no runs yet");
                return 0;
            }
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.sorted().toList()) {
                    String id = p.getFileName().toString();
                    try {
                        Map<String, Object> spec = RunLedger.spec(ws.synthDir(), id);
                        int done = RunLedger.entries(ws.synthDir(), id).size();
                        String of = QuestionJob.KIND.equals(spec.get("kind"))
                                ? done + "/" + ((List<?>) spec.get("topics")).size() * ((Number) spec.get("requests_per_topic")).intValue() + " requests"
                                : done + " answers" + (((Number) spec.get("limit")).intValue() > 0 ? " of at most " + spec.get("limit") : "");
                        System.out.printf("%-28s %-16s %s%n", id, spec.get("kind"), of);
                    } catch (IOException | RuntimeException e) {
                        System.out.printf("%-28s unreadable: %s%n", id, e.getMessage());
                    }
                }
            }
            return 0;
        }
    }
}
