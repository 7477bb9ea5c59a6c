package bitnut.text;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Entry point of the corpus readers shared by the Tokenizer and Corpus stages.
 *
 * <pre>{@code
 * try (DocumentStream docs = TextSources.open(List.of("data/", "extra/*.jsonl.gz"), TextOptions.defaults())) {
 *     for (Document d : docs) use(d.text());
 *     System.out.println(docs.report().summary());
 * }
 * }</pre>
 *
 * Inputs are files, folders (walked recursively, files with a known extension, sorted) and globs
 * ({@code *}, {@code ?}, {@code [..]}, {@code {a,b}}; {@code **} crosses folders). Formats by
 * extension: {@code .txt .text .md} (plain text), {@code .jsonl .ndjson} (one JSON object per line,
 * text in {@link TextOptions#field()}), {@code .parquet} (column {@link TextOptions#field()}, read
 * with DuckDB streaming), each optionally {@code .gz}-compressed (not Parquet). An explicitly named
 * file with another extension is read as plain text. Reading is lazy: one file open at a time.
 */
public final class TextSources {
    private TextSources() { }

    /** The format of one input file. */
    public enum Format { TXT, JSONL, PARQUET }

    /** A resolved input file. */
    public record Input(Path path, Format format, boolean gzip) { }

    /** Opens the inputs as a stream of documents. The caller closes it. */
    public static DocumentStream open(List<String> inputs, TextOptions opts) {
        SourceReport report = new SourceReport();
        return new DocumentStream(resolve(inputs, report), opts, null, report);
    }

    /**
     * Opens the inputs as training sequences for a tokenizer ({@link SequenceUnit}): with
     * {@code LINES} plain-text files are read line by line keeping {@code \n}, as HF's
     * {@code train(files)}, and other documents are split into lines the same way.
     */
    public static DocumentStream openSequences(List<String> inputs, TextOptions opts, SequenceUnit unit) {
        SourceReport report = new SourceReport();
        return new DocumentStream(resolve(inputs, report), opts, unit, report);
    }

    /** Expands files, folders and globs to input files; what cannot be used goes to the report. */
    public static List<Input> resolve(List<String> inputs, SourceReport report) {
        List<Input> out = new ArrayList<>();
        for (String raw : inputs) {
            if (isGlob(raw)) {
                List<Path> matches = glob(raw, report);
                if (matches.isEmpty()) report.skip(raw, "the pattern matches no file");
                for (Path p : matches) addFile(p, true, out, report);
                continue;
            }
            Path p = Path.of(raw);
            if (Files.isDirectory(p)) {
                List<Path> files;
                try (Stream<Path> walk = Files.walk(p)) {
                    files = walk.filter(Files::isRegularFile).sorted().toList();
                } catch (IOException | java.io.UncheckedIOException e) {
                    report.skip(raw, "cannot list folder: " + e.getMessage());
                    continue;
                }
                int before = out.size();
                for (Path f : files) addFile(f, true, out, report);
                if (out.size() == before) report.skip(raw, "the folder holds no .txt/.jsonl/.parquet file");
            } else if (Files.exists(p)) {
                addFile(p, false, out, report);
            } else {
                report.skip(raw, "no such file or folder");
            }
        }
        return out;
    }

    /** Format of a file name, or null when the extension is not one we read. */
    public static Input classify(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean gz = name.endsWith(".gz");
        if (gz) name = name.substring(0, name.length() - 3);
        Format f = null;
        if (name.endsWith(".txt") || name.endsWith(".text") || name.endsWith(".md")) f = Format.TXT;
        else if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) f = Format.JSONL;
        else if (name.endsWith(".parquet")) f = Format.PARQUET;
        return f == null ? null : new Input(p, f, gz);
    }

    private static void addFile(Path p, boolean fromWalk, List<Input> out, SourceReport report) {
        if (!Files.isRegularFile(p)) { report.skip(p.toString(), "not a regular file"); return; }
        Input in = classify(p);
        if (in == null) {
            if (fromWalk) return;                       // folders and globs: unknown files are not corpus
            String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
            in = new Input(p, Format.TXT, name.endsWith(".gz"));
        }
        if (in.format() == Format.PARQUET && in.gzip()) {
            report.skip(p.toString(), "gzip-compressed Parquet is not supported (Parquet compresses its pages itself)");
            return;
        }
        if (!Files.isReadable(p)) { report.skip(p.toString(), "not readable (permissions)"); return; }
        try {
            report.planned(Files.size(p));
        } catch (IOException e) {
            report.skip(p.toString(), "cannot stat: " + e.getMessage());
            return;
        }
        out.add(in);
    }

    static boolean isGlob(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0 || s.indexOf('{') >= 0;
    }

    /** The matches of a glob, sorted; the walk starts at the longest folder prefix without wildcards. */
    private static List<Path> glob(String pattern, SourceReport report) {
        String norm = pattern.replace('\\', '/');
        int firstWild = 0;
        while (firstWild < norm.length() && "*?[{".indexOf(norm.charAt(firstWild)) < 0) firstWild++;
        int slash = norm.lastIndexOf('/', firstWild);
        Path base = slash < 0 ? Path.of(".") : Path.of(slash == 0 ? "/" : norm.substring(0, slash));
        String rel = slash < 0 ? norm : norm.substring(slash + 1);
        if (!Files.isDirectory(base)) return List.of();
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + rel);
        try (Stream<Path> walk = Files.walk(base)) {
            return walk.filter(Files::isRegularFile)
                    .filter(f -> m.matches(base.relativize(f)))
                    .sorted().toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            report.skip(pattern, "cannot list " + base + ": " + e.getMessage());
            return List.of();
        }
    }
}
