package bitnut.dataset;

import bitnut.common.AtomicFiles;
import bitnut.common.Job;
import bitnut.common.JobContext;
import bitnut.common.Json;
import bitnut.common.Lane;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Exports answered examples as JSONL, ordered by topic then id (the same database always gives the
 * same bytes). Formats: {@link DatasetFormat#ORIGINAL} (a folder with one {@code <topic>.jsonl} per
 * topic, labels {@code human: }/{@code bitnut: } restored), {@link DatasetFormat#HF_CHAT} (one file of
 * {@code messages} plus {@code topic}), {@link DatasetFormat#FINETUNE} (one file in the original
 * format with only approved examples: what the finetune stage reads). Each file is written to a
 * temp file, fsynced and renamed: a crash never leaves a half export under the final name.
 */
public final class DatasetExportJob implements Job {
    private static final ObjectWriter LINE = Json.MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT);

    private final DatasetStore store;
    private final Path target;
    private final DatasetFormat format;
    private final ExampleFilter filter;

    /**
     * @param target a folder for ORIGINAL, a file for HF_CHAT and FINETUNE
     * @param filter which rows (answered rows only are ever exported; FINETUNE adds status approved)
     */
    public DatasetExportJob(DatasetStore store, Path target, DatasetFormat format, ExampleFilter filter) {
        if (format == DatasetFormat.AUTO) throw new IllegalArgumentException("choose an export format");
        this.store = store;
        this.target = target;
        this.format = format;
        ExampleFilter f = (filter == null ? ExampleFilter.ALL : filter).withHasResponse(true);
        this.filter = format == DatasetFormat.FINETUNE ? f.withStatus(ExampleStatus.APPROVED) : f;
    }

    @Override public String kind() { return "dataset.export"; }

    @Override public String title() { return "Export dataset (" + format.name().toLowerCase() + ") to " + target.getFileName(); }

    @Override public Lane lane() { return Lane.CPU; }

    @Override public Map<String, Object> spec() { return Map.of("target", target.toString(), "format", format.name()); }

    @Override public String run(JobContext ctx) throws Exception {
        long total = store.count(filter);
        long[] n = {0};
        Sink sink = format == DatasetFormat.ORIGINAL ? new PerTopicSink(target) : new OneFileSink(target);
        try {
            store.scan(filter, e -> {
                try {
                    sink.write(e.topic(), line(e));
                    if (++n[0] % 2000 == 0) {
                        ctx.checkpoint();
                        ctx.progress((double) n[0] / Math.max(1, total), "exporting " + e.topic());
                    }
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new bitnut.common.JobCancelledException();
                }
            });
            sink.commit();
        } catch (UncheckedIOException e) {
            sink.abort();
            throw e.getCause();
        } catch (RuntimeException e) {
            sink.abort();
            throw e;
        }
        ctx.progress(1, "done");
        return "exported " + n[0] + " examples to " + target;
    }

    /** One JSONL line for an example in this job's format. */
    String line(Example e) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        if (format == DatasetFormat.HF_CHAT) {
            m.put("messages", List.of(message("user", e.prompt()), message("assistant", e.response())));
            m.put("topic", e.topic());
        } else {
            m.put("prompt", "human: " + e.prompt());
            m.put("response", "bitnut: " + e.response());
        }
        return LINE.writeValueAsString(m);
    }

    /** Insertion-ordered (Map.of iterates in a per-JVM random order: exports must be byte-stable). */
    private static Map<String, Object> message(String role, String content) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", content);
        return m;
    }

    /** A file name for a topic: letters, digits, '-', '_' and '.' kept, anything else '_'. */
    static String fileNameOf(String topic) {
        String s = topic.replaceAll("[^A-Za-z0-9._-]", "_");
        return (s.isEmpty() || s.startsWith(".") ? "_" + s : s) + ".jsonl";
    }

    private interface Sink {
        void write(String topic, String line) throws IOException;
        void commit() throws IOException;
        void abort();
    }

    /** Streams into {@code name.tmp}; commit = fsync + atomic rename. */
    private static final class TmpFile {
        final Path target, tmp;
        final FileChannel ch;
        final BufferedWriter w;

        TmpFile(Path target) throws IOException {
            Files.createDirectories(target.toAbsolutePath().getParent());
            this.target = target;
            this.tmp = target.resolveSibling(target.getFileName() + ".tmp");
            this.ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            this.w = new BufferedWriter(new OutputStreamWriter(Channels.newOutputStream(ch), StandardCharsets.UTF_8), 1 << 16);
        }

        void finish() throws IOException {
            w.flush();
            ch.force(true);
            w.close();
            AtomicFiles.move(tmp, target);
        }

        void discard() {
            try { w.close(); } catch (IOException ignored) { }
            try { Files.deleteIfExists(tmp); } catch (IOException ignored) { }
        }
    }

    private static final class OneFileSink implements Sink {
        private final Path target;
        private TmpFile f;

        OneFileSink(Path target) { this.target = target; }

        @Override public void write(String topic, String line) throws IOException {
            if (f == null) f = new TmpFile(target);
            f.w.write(line);
            f.w.write('\n');
        }

        @Override public void commit() throws IOException {
            if (f == null) f = new TmpFile(target);   // an empty selection still gives an (empty) file
            f.finish();
        }

        @Override public void abort() { if (f != null) f.discard(); }
    }

    /** Rows arrive ordered by topic, so one file is open at a time. */
    private static final class PerTopicSink implements Sink {
        private final Path dir;
        private final java.util.ArrayList<TmpFile> done = new java.util.ArrayList<>();
        private TmpFile f;
        private String topic;

        PerTopicSink(Path dir) { this.dir = dir; }

        @Override public void write(String t, String line) throws IOException {
            if (!t.equals(topic)) {
                if (f != null) { f.w.flush(); f.ch.force(true); f.w.close(); done.add(f); }
                f = new TmpFile(dir.resolve(fileNameOf(t)));
                topic = t;
            }
            f.w.write(line);
            f.w.write('\n');
        }

        @Override public void commit() throws IOException {
            if (f != null) { f.w.flush(); f.ch.force(true); f.w.close(); done.add(f); f = null; }
            Files.createDirectories(dir);
            for (TmpFile t : done) AtomicFiles.move(t.tmp, t.target);
        }

        @Override public void abort() {
            if (f != null) f.discard();
            for (TmpFile t : done) { try { Files.deleteIfExists(t.tmp); } catch (IOException ignored) { } }
        }
    }
}
