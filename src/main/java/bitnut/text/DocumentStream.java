package bitnut.text;

import bitnut.common.Json;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import java.util.zip.GZIPInputStream;

/**
 * A lazy, single-pass stream of documents over resolved inputs (see {@link TextSources}). One file
 * is open at a time; a file that fails is reported in {@link #report()} and reading goes on with the
 * next. Not thread-safe: one consumer. Iterate it or use {@link #stream()}; close it when done.
 */
public final class DocumentStream implements Iterable<Document>, Iterator<Document>, AutoCloseable {
    private final List<TextSources.Input> inputs;
    private final TextOptions opts;
    private final SequenceUnit unit;      // null: plain documents
    private final SourceReport report;
    private int nextInput;
    private FileSource current;
    private Document pending;
    private Document lineSource;          // a document being split into lines (SequenceUnit.LINES)
    private int lineOffset;
    private long documentsRead;           // documents taken from files: what maxDocuments limits
    private Connection duck;
    private int duckMemoryMb;
    private boolean closed;

    DocumentStream(List<TextSources.Input> inputs, TextOptions opts, SequenceUnit unit, SourceReport report) {
        this.inputs = inputs;
        this.opts = opts;
        this.unit = unit;
        this.report = report;
    }

    /** What has been read and skipped so far (complete once the stream is exhausted). */
    public SourceReport report() { return report; }

    /** The resolved input files. */
    public List<TextSources.Input> inputs() { return inputs; }

    @Override public Iterator<Document> iterator() { return this; }

    /** This stream as a sequential {@link Stream}; closing it closes this. */
    public Stream<Document> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL), false)
                .onClose(this::close);
    }

    @Override
    public boolean hasNext() {
        if (pending == null) pending = advance();
        return pending != null;
    }

    @Override
    public Document next() {
        if (!hasNext()) throw new NoSuchElementException();
        Document d = pending;
        pending = null;
        return d;
    }

    private Document advance() {
        if (closed) return null;
        while (true) {
            if (lineSource != null) {
                Document line = nextLineOf(lineSource);
                if (line != null) return deliver(line);
                lineSource = null;
            }
            if (opts.maxDocuments() > 0 && documentsRead >= opts.maxDocuments()) return null;
            Document d = nextFromFiles();
            if (d == null) return null;
            documentsRead++;
            if (unit == SequenceUnit.LINES && !current.yieldsLines()) {
                lineSource = d;
                lineOffset = 0;
                continue;
            }
            return deliver(d);
        }
    }

    private Document deliver(Document d) {
        report.text(utf8Length(d.text()));
        return d;
    }

    /** The next line (with its {@code \n}) of a multi-line document, or null when it is used up. */
    private Document nextLineOf(Document doc) {
        String s = doc.text();
        if (lineOffset >= s.length()) return null;
        int nl = s.indexOf('\n', lineOffset);
        int end = nl < 0 ? s.length() : nl + 1;
        String line = lineOffset == 0 && end == s.length() ? s : s.substring(lineOffset, end);
        lineOffset = end;
        return new Document(line, doc.source(), doc.line());
    }

    private Document nextFromFiles() {
        while (true) {
            if (current == null) {
                if (nextInput >= inputs.size()) return null;
                TextSources.Input in = inputs.get(nextInput++);
                try {
                    current = openSource(in);
                } catch (IOException | SQLException | RuntimeException e) {
                    report.skip(in.path().toString(), "cannot open: " + message(e));
                    continue;
                }
            }
            try {
                Document d = current.next();
                if (d != null) return d;
                current.finish();
                report.fileDone(current.path());
            } catch (IOException | SQLException | RuntimeException e) {
                report.skip(current.path(), current.failureWhere() + message(e)
                        + " (documents before it were kept)");
            }
            closeQuietly(current);
            current = null;
        }
    }

    private FileSource openSource(TextSources.Input in) throws IOException, SQLException {
        return switch (in.format()) {
            case TXT -> new TxtSource(in, opts, unit, report);
            case JSONL -> new JsonlSource(in, opts, report);
            case PARQUET -> new ParquetSource(in, opts, this, report);
        };
    }

    /**
     * The DuckDB connection for Parquet, with at most 2 threads and {@link TextOptions#parquetMemoryMb()}:
     * DuckDB keeps buffers up to its limit, so the limit is what bounds its share of the process
     * (measured: 1 GB let it hold ~80 MB more than 128 MB for the same scan, at the same speed).
     */
    private Connection duck() throws SQLException {
        if (duck == null) {
            duckMemoryMb = opts.parquetMemoryMb();
            duck = DuckDb.open(Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors())), duckMemoryMb + "MB");
        }
        return duck;
    }

    /** Back to the configured limit once the file that needed more is done. */
    private void resetDuckMemory() {
        if (duck == null || duckMemoryMb == opts.parquetMemoryMb()) return;
        try (Statement st = duck.createStatement()) {
            st.execute("SET memory_limit = '" + opts.parquetMemoryMb() + "MB'");
            duckMemoryMb = opts.parquetMemoryMb();
        } catch (SQLException ignored) {
            // keeps the higher limit: still bounded by MAX_PARQUET_MEMORY_MB
        }
    }

    /** Raises DuckDB's memory limit 4x (for a file whose row groups need more); false at the maximum. */
    private boolean raiseDuckMemory() throws SQLException {
        if (duckMemoryMb >= TextOptions.MAX_PARQUET_MEMORY_MB) return false;
        duckMemoryMb = Math.min(TextOptions.MAX_PARQUET_MEMORY_MB, duckMemoryMb * 4);
        try (Statement st = duck().createStatement()) {
            st.execute("SET memory_limit = '" + duckMemoryMb + "MB'");
        }
        return true;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        closeQuietly(current);
        current = null;
        if (duck != null) {
            try { duck.close(); } catch (SQLException ignored) { /* nothing left to save */ }
            duck = null;
        }
    }

    private static void closeQuietly(Closeable c) {
        if (c == null) return;
        try { c.close(); } catch (IOException ignored) { /* reading is over; the report has what matters */ }
    }

    private static String message(Exception e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m.lines().findFirst().orElse(""));
    }

    /** UTF-8 length without encoding (counts a surrogate pair as 4 bytes). */
    static long utf8Length(String s) {
        long n = 0;
        for (int i = 0, len = s.length(); i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) n++;
            else if (c < 0x800) n += 2;
            else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) { n += 4; i++; }
            else n += 3;
        }
        return n;
    }

    // ---------------------------------------------------------------- per-format readers

    /** One open input file. */
    private abstract static class FileSource implements Closeable {
        final TextSources.Input in;
        final SourceReport report;
        long line;                                   // 1-based number of the last line/row read

        FileSource(TextSources.Input in, SourceReport report) { this.in = in; this.report = report; }
        String path() { return in.path().toString(); }
        /** Next document, or null at the end of the file. */
        abstract Document next() throws IOException, SQLException;
        /** True when documents are already single lines with their ends (no splitting needed). */
        boolean yieldsLines() { return false; }
        void finish() throws IOException { }
        String failureWhere() { return "read failed after line " + line + ": "; }
    }

    /** Counts on-disk bytes into the report as they are consumed (progress by bytes). */
    private static final class CountingStream extends FilterInputStream {
        private final SourceReport report;
        CountingStream(InputStream in, SourceReport report) { super(in); this.report = report; }
        @Override public int read() throws IOException {
            int b = super.read();
            if (b >= 0) report.fileBytes(1);
            return b;
        }
        @Override public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) report.fileBytes(n);
            return n;
        }
    }

    private abstract static class LineFileSource extends FileSource {
        final Utf8Reader reader;
        final LineReader lines;
        final int maxChars;

        LineFileSource(TextSources.Input in, TextOptions opts, SourceReport report) throws IOException {
            super(in, report);
            InputStream raw = new CountingStream(Files.newInputStream(in.path()), report);
            InputStream s = in.gzip() ? new GZIPInputStream(raw, 1 << 16) : new BufferedInputStream(raw, 1 << 16);
            this.reader = new Utf8Reader(s);
            this.maxChars = opts.maxDocumentChars();
            this.lines = new LineReader(reader, maxChars);
        }

        @Override void finish() { report.invalidUtf8(reader.invalid()); }
        @Override public void close() throws IOException { reader.close(); }
    }

    private static final class TxtSource extends LineFileSource {
        private final boolean wholeFile;
        private final boolean keepEnds;
        private boolean done;

        TxtSource(TextSources.Input in, TextOptions opts, SequenceUnit unit, SourceReport report) throws IOException {
            super(in, opts, report);
            this.keepEnds = unit == SequenceUnit.LINES;
            this.wholeFile = !keepEnds && opts.txtDocument() == TextOptions.TxtDocument.FILE;
        }

        @Override boolean yieldsLines() { return keepEnds; }

        @Override
        Document next() throws IOException {
            if (wholeFile) {
                if (done) return null;
                done = true;
                StringBuilder sb = new StringBuilder();
                char[] buf = new char[1 << 16];
                int n;
                while ((n = reader.read(buf, 0, buf.length)) > 0) {
                    sb.append(buf, 0, n);
                    if (sb.length() > maxChars) {
                        throw new IOException("file longer than " + maxChars + " chars as one document; HINT: read it line by line (tokenizer: --sequences lines) or split it");
                    }
                }
                return sb.isEmpty() ? null : new Document(sb.toString(), path(), 0);
            }
            while (true) {
                String s = lines.next(keepEnds);
                if (s == null) return null;
                line++;
                if (s == LineReader.TOO_LONG) { report.badLine(path() + ":" + line, "line longer than " + maxChars + " chars"); continue; }
                if (!keepEnds && s.isEmpty()) continue;      // a blank line is no document
                return new Document(s, path(), line);
            }
        }
    }

    private static final class JsonlSource extends LineFileSource {
        private final String field;

        JsonlSource(TextSources.Input in, TextOptions opts, SourceReport report) throws IOException {
            super(in, opts, report);
            this.field = opts.field();
        }

        @Override
        Document next() throws IOException {
            while (true) {
                String s = lines.next(false);
                if (s == null) return null;
                line++;
                String where = path() + ":" + line;
                if (s == LineReader.TOO_LONG) { report.badLine(where, "line longer than " + maxChars + " chars"); continue; }
                if (s.isBlank()) continue;
                JsonNode node;
                try {
                    node = Json.MAPPER.readTree(s);
                } catch (JacksonException e) {
                    report.badLine(where, "malformed JSON: " + e.getOriginalMessage());
                    continue;
                }
                if (node == null || !node.isObject()) { report.badLine(where, "not a JSON object"); continue; }
                JsonNode v = node.get(field);
                if (v == null) { report.badLine(where, "no field \"" + field + "\""); continue; }
                if (v.isNull()) { report.nullValue(); continue; }
                if (!v.isTextual()) { report.badLine(where, "field \"" + field + "\" is " + v.getNodeType().name().toLowerCase() + ", not a string"); continue; }
                String text = v.textValue();
                if (text.isEmpty()) continue;
                return new Document(text, path(), line);
            }
        }
    }

    /**
     * A Parquet file streamed through DuckDB. If the query fails (DuckDB reports running out of its
     * memory limit unhelpfully, e.g. "Invalid result set"), the limit is raised 4x and the query
     * re-run, skipping the rows already delivered (a single-file scan keeps its order); a file that
     * fails at the maximum limit is reported and skipped as before.
     */
    private static final class ParquetSource extends FileSource {
        private final String sql;
        private final DocumentStream owner;
        private final long size;
        private final int maxChars;
        private Statement st;
        private ResultSet rs;

        ParquetSource(TextSources.Input in, TextOptions opts, DocumentStream owner, SourceReport report) throws SQLException, IOException {
            super(in, report);
            this.owner = owner;
            this.size = Files.size(in.path());
            this.maxChars = opts.maxDocumentChars();
            this.sql = "SELECT CAST(" + DuckDb.identifier(opts.field()) + " AS VARCHAR) FROM read_parquet("
                    + DuckDb.literal(in.path().toAbsolutePath().toString()) + ")";
            query();
        }

        /** (Re)runs the query and skips the {@code line} rows already consumed, raising the limit on failure. */
        private void query() throws SQLException {
            while (true) {
                try {
                    closeQuery();
                    st = owner.duck().createStatement();
                    rs = st.executeQuery(sql);
                    for (long skip = 0; skip < line; skip++) {
                        if (!rs.next()) throw new SQLException("the file has fewer rows on re-reading (" + skip + " < " + line + ")");
                    }
                    return;
                } catch (SQLException e) {
                    if (!owner.raiseDuckMemory()) throw e;
                }
            }
        }

        @Override
        Document next() throws SQLException {
            while (true) {
                try {
                    while (rs.next()) {
                        line++;
                        String s = rs.getString(1);
                        if (s == null) { report.nullValue(); continue; }
                        if (s.length() > maxChars) { report.badLine(path() + ":" + line, "row longer than " + maxChars + " chars"); continue; }
                        if (s.isEmpty()) continue;
                        return new Document(s, path(), line);
                    }
                    return null;
                } catch (SQLException e) {
                    if (!owner.raiseDuckMemory()) throw e;
                    query();
                }
            }
        }

        private void closeQuery() {
            try {
                if (rs != null) rs.close();
                if (st != null) st.close();
            } catch (SQLException ignored) {
                // a failed query's statement may already be closed (DuckDB 2.0 closes it)
            }
            rs = null;
            st = null;
        }

        @Override void finish() { report.fileBytes(size); }
        @Override String failureWhere() { return "read failed after row " + line + ": "; }

        @Override
        public void close() {
            closeQuery();
            owner.resetDuckMemory();
        }
    }
}
