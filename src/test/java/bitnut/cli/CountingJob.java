package bitnut.cli;

import bitnut.common.Job;
import bitnut.common.JobContext;
import bitnut.common.JobKinds;
import bitnut.common.Lane;
import bitnut.common.AtomicFiles;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A resumable test job: counts to {@code to}, saving its step durably (atomic write) after every
 * step, like a training job saving checkpoints. Resumed, it continues from the saved step. On cancel
 * its finally block writes a "cleaned-up" marker, so tests can see cleanup ran.
 */
record CountingJob(Path dir, int to, long stepMillis) implements Job {
    static final String KIND = "test.counting";

    static void register() {
        JobKinds.register(KIND, (root, spec) -> new CountingJob(Path.of((String) spec.get("dir")),
                ((Number) spec.get("to")).intValue(), ((Number) spec.get("stepMillis")).longValue()));
    }

    Path counter() { return dir.resolve("counter"); }
    Path cleanup() { return dir.resolve("cleaned-up"); }

    @Override public String kind() { return KIND; }
    @Override public String title() { return "Count to " + to; }
    @Override public Lane lane() { return Lane.DEVICE; }
    @Override public boolean pausable() { return true; }
    @Override public Map<String, Object> spec() { return Map.of("dir", dir.toString(), "to", to, "stepMillis", stepMillis); }

    @Override public String run(JobContext ctx) throws Exception {
        int from = Files.isRegularFile(counter()) ? Integer.parseInt(Files.readString(counter()).trim()) : 0;
        ctx.log("continuing from step " + from);
        boolean finished = false;
        try {
            for (int i = from; i < to; i++) {
                ctx.checkpoint();
                Thread.sleep(stepMillis);
                AtomicFiles.writeString(counter(), Integer.toString(i + 1));
                ctx.progress((i + 1) / (double) to, "counting");
                ctx.throughput(1000.0 / stepMillis, "steps/s");
            }
            finished = true;
            return "counted to " + to;
        } finally {
            if (!finished) AtomicFiles.writeString(cleanup(), "yes");
        }
    }
}
