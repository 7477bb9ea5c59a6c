package bitnut.text;

import java.util.ArrayList;
import java.util.List;

/**
 * What reading a set of inputs found: files read, files skipped (with the reason), malformed lines
 * (as file:line), invalid UTF-8 replaced, bytes and documents. Nothing bad is silent: every
 * skip lands here. Thread-safe: the reader fills it while a UI or a progress thread reads it.
 */
public final class SourceReport {
    /** A file that was not read, or not read to its end. */
    public record Skipped(String path, String reason) { }

    /** Keep at most this many examples of bad lines; {@link #badLines()} still counts all of them. */
    public static final int MAX_EXAMPLES = 200;

    private long plannedBytes;
    private long fileBytesDone;
    private long textBytes;
    private long documents;
    private long badLines;
    private long invalidUtf8;
    private long nullValues;
    private final List<String> filesRead = new ArrayList<>();
    private final List<Skipped> skipped = new ArrayList<>();
    private final List<String> badLineExamples = new ArrayList<>();

    synchronized void planned(long bytes) { plannedBytes += bytes; }
    synchronized void fileDone(String path) { filesRead.add(path); }
    synchronized void fileBytes(long delta) { fileBytesDone += delta; }
    synchronized void text(long utf8Bytes) { textBytes += utf8Bytes; documents++; }
    synchronized void invalidUtf8(long n) { invalidUtf8 += n; }
    synchronized void nullValue() { nullValues++; }

    synchronized void skip(String path, String reason) { skipped.add(new Skipped(path, reason)); }

    synchronized void badLine(String where, String reason) {
        badLines++;
        if (badLineExamples.size() < MAX_EXAMPLES) badLineExamples.add(where + ": " + reason);
    }

    /** Sum of the on-disk sizes of all files to read (compressed size for .gz). */
    public synchronized long plannedBytes() { return plannedBytes; }
    /** On-disk bytes consumed so far; with {@link #plannedBytes()} gives progress. */
    public synchronized long fileBytesDone() { return fileBytesDone; }
    /** UTF-8 bytes of the text of all documents delivered (after decompression and replacement). */
    public synchronized long textBytes() { return textBytes; }
    public synchronized long documents() { return documents; }
    public synchronized long badLines() { return badLines; }
    /** Invalid UTF-8 sequences that were replaced by U+FFFD. */
    public synchronized long invalidUtf8() { return invalidUtf8; }
    /** Null values (JSONL {@code null}, Parquet NULL) in the text field; skipped, not errors. */
    public synchronized long nullValues() { return nullValues; }
    public synchronized List<String> filesRead() { return List.copyOf(filesRead); }
    public synchronized List<Skipped> skipped() { return List.copyOf(skipped); }
    /** Up to {@link #MAX_EXAMPLES} "file:line: reason" strings. */
    public synchronized List<String> badLineExamples() { return List.copyOf(badLineExamples); }

    /** Progress in [0,1] by on-disk bytes, or -1 when nothing is planned. */
    public synchronized double fraction() {
        return plannedBytes <= 0 ? -1 : Math.min(1.0, (double) fileBytesDone / plannedBytes);
    }

    /** A short multi-line summary for logs and the CLI. */
    public synchronized String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("read %d file(s), %d document(s), %.1f MB of text", filesRead.size(), documents,
                textBytes / 1e6));
        if (!skipped.isEmpty()) sb.append(String.format(", %d file(s) skipped", skipped.size()));
        if (badLines > 0) sb.append(String.format(", %d bad line(s) skipped", badLines));
        if (invalidUtf8 > 0) sb.append(String.format(", %d invalid UTF-8 sequence(s) replaced", invalidUtf8));
        if (nullValues > 0) sb.append(String.format(", %d null value(s)", nullValues));
        for (Skipped s : skipped) sb.append("\n  skipped ").append(s.path()).append(": ").append(s.reason());
        int shown = 0;
        for (String b : badLineExamples) {
            if (shown++ == 10) { sb.append("\n  ... (").append(badLines - 10).append(" more bad lines)"); break; }
            sb.append("\n  bad line ").append(b);
        }
        return sb.toString();
    }
}
