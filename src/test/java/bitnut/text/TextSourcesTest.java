package bitnut.text;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/** The corpus readers on real files written here: txt, gz, JSONL with bad lines, Parquet via DuckDB. */
class TextSourcesTest {
    @TempDir Path dir;

    private static List<String> texts(DocumentStream s) {
        List<String> out = new ArrayList<>();
        for (Document d : s) out.add(d.text());
        return out;
    }

    private void gz(Path p, byte[] content) throws IOException {
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(p))) { o.write(content); }
    }

    @Test
    void plainTextAsFileLinesAndSequences() throws Exception {
        Path a = dir.resolve("a.txt");
        Files.writeString(a, "first line\r\nsecond\n\nlast without newline");
        try (DocumentStream s = TextSources.open(List.of(a.toString()), TextOptions.defaults())) {
            assertEquals(List.of("first line\r\nsecond\n\nlast without newline"), texts(s));
            assertEquals(1, s.report().filesRead().size());
        }
        try (DocumentStream s = TextSources.open(List.of(a.toString()), TextOptions.defaults().withTxtDocument(TextOptions.TxtDocument.LINE))) {
            assertEquals(List.of("first line", "second", "last without newline"), texts(s));
        }
        // as HF train(files): one sequence per line with its \n (and \r), blank lines kept
        try (DocumentStream s = TextSources.openSequences(List.of(a.toString()), TextOptions.defaults(), SequenceUnit.LINES)) {
            assertEquals(List.of("first line\r\n", "second\n", "\n", "last without newline"), texts(s));
            assertEquals(Files.size(a), s.report().textBytes());
        }
    }

    @Test
    void invalidUtf8IsReplacedAndCounted() throws Exception {
        Path a = dir.resolve("bad.txt");
        byte[] bytes = {'o', 'k', (byte) 0xC3, '(', ' ', (byte) 0xFF, (byte) 0xFE, '\n', (byte) 0xE2, (byte) 0x82};
        Files.write(a, bytes);
        try (DocumentStream s = TextSources.open(List.of(a.toString()), TextOptions.defaults())) {
            List<String> t = texts(s);
            assertEquals(List.of("ok\uFFFD( \uFFFD\uFFFD\n\uFFFD"), t);
            assertEquals(4, s.report().invalidUtf8());
        }
    }

    @Test
    void jsonlReportsMalformedLinesAndKeepsTheRest() throws Exception {
        Path j = dir.resolve("docs.jsonl");
        Files.writeString(j, """
                {"text": "alpha\\nbeta", "id": 1}
                {"text": broken
                {"body": "no text field"}

                {"text": 42}
                {"text": null}
                {"text": "gamma 🐿️"}
                """);
        try (DocumentStream s = TextSources.open(List.of(j.toString()), TextOptions.defaults())) {
            assertEquals(List.of("alpha\nbeta", "gamma 🐿️"), texts(s));
            SourceReport r = s.report();
            assertEquals(3, r.badLines());
            assertTrue(r.badLineExamples().get(0).startsWith(j + ":2: malformed JSON"), r.badLineExamples().toString());
            assertTrue(r.badLineExamples().get(1).startsWith(j + ":3: no field"));
            assertTrue(r.badLineExamples().get(2).startsWith(j + ":5: field \"text\" is number"));
            assertEquals(1, r.nullValues());
        }
        try (DocumentStream s = TextSources.openSequences(List.of(j.toString()), TextOptions.defaults(), SequenceUnit.LINES)) {
            assertEquals(List.of("alpha\n", "beta", "gamma 🐿️"), texts(s));
        }
        // max documents counts documents, not the lines they are split into
        try (DocumentStream s = TextSources.openSequences(List.of(j.toString()), TextOptions.defaults().withMaxDocuments(1), SequenceUnit.LINES)) {
            assertEquals(List.of("alpha\n", "beta"), texts(s));
        }
        try (DocumentStream s = TextSources.open(List.of(j.toString()), TextOptions.defaults().withField("body"))) {
            assertEquals(List.of("no text field"), texts(s));
        }
    }

    @Test
    void foldersGlobsGzipAndCorruptFiles() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("corpus/sub"));
        Files.writeString(dir.resolve("corpus/1.txt"), "one");
        gz(sub.resolve("2.txt.gz"), "two".getBytes(StandardCharsets.UTF_8));
        gz(sub.resolve("3.jsonl.gz"), "{\"text\":\"three\"}\n".getBytes(StandardCharsets.UTF_8));
        Files.writeString(sub.resolve("notes.csv"), "ignored,in,folders");
        Files.write(sub.resolve("4.txt.gz"), new byte[] {0x1f, (byte) 0x8b, 8, 0, 1, 2, 3});   // truncated gzip
        try (DocumentStream s = TextSources.open(List.of(dir.resolve("corpus").toString(), dir.resolve("missing.txt").toString()),
                TextOptions.defaults())) {
            assertEquals(List.of("one", "two", "three"), texts(s));
            SourceReport r = s.report();
            assertEquals(3, r.filesRead().size());
            assertEquals(2, r.skipped().size(), r.summary());
            assertTrue(r.skipped().stream().anyMatch(k -> k.path().endsWith("missing.txt") && k.reason().contains("no such file")));
            assertTrue(r.skipped().stream().anyMatch(k -> k.path().endsWith("4.txt.gz")), r.summary());
            assertEquals(1.0, r.fraction(), 1e-9);
        }
        try (DocumentStream s = TextSources.open(List.of(dir + "/corpus/**/*.gz"), TextOptions.defaults().withMaxDocuments(1))) {
            assertEquals(List.of("two"), texts(s));
        }
        try (DocumentStream s = TextSources.open(List.of(dir + "/nothing/*.txt"), TextOptions.defaults())) {
            assertFalse(s.hasNext());
            assertTrue(s.report().skipped().get(0).reason().contains("matches no file"));
        }
    }

    @Test
    void parquetRowGroupsBiggerThanTheMemoryLimitAreReadWithARaisedLimit() throws Exception {
        // one row group of ~16 MB of incompressible text: DuckDB cannot scan it within 4 MB
        Path pq = dir.resolve("big-row-group.parquet");
        try (Connection c = DuckDb.open(1, "512MB"); Statement st = c.createStatement()) {
            st.execute("COPY (SELECT i || ' ' || (SELECT string_agg(md5((i * 1000 + j)::VARCHAR), ' ') FROM range(160) r(j)) AS text "
                    + "FROM range(3000) t(i)) TO " + DuckDb.literal(pq.toString()) + " (FORMAT parquet, ROW_GROUP_SIZE 1000000)");
        }
        try (Connection c = DuckDb.open(2, "4MB"); Statement st = c.createStatement()) {
            assertThrows(SQLException.class, () -> {
                try (ResultSet rs = st.executeQuery("SELECT text FROM read_parquet(" + DuckDb.literal(pq.toString()) + ")")) {
                    while (rs.next()) rs.getString(1);
                }
            }, "the file must need more than 4 MB, or this test proves nothing");
        }
        List<String> reference;
        try (DocumentStream s = TextSources.open(List.of(pq.toString()), TextOptions.defaults())) { reference = texts(s); }
        try (DocumentStream s = TextSources.open(List.of(pq.toString()), TextOptions.defaults().withParquetMemoryMb(4))) {
            List<String> docs = texts(s);
            assertTrue(s.report().skipped().isEmpty(), s.report().summary());
            assertEquals(3000, docs.size(), s.report().summary());
            assertEquals(3000, docs.stream().map(d -> d.substring(0, d.indexOf(' '))).distinct().count(), "every row once");
            assertEquals(reference, docs, "same rows in the same order as a read within the default limit");
        }
    }

    @Test
    void parquetColumnStreamsThroughDuckDb() throws Exception {
        Path pq = dir.resolve("docs.parquet");
        try (Connection c = DuckDb.open(1, "256MB"); Statement st = c.createStatement()) {
            st.execute("COPY (SELECT * FROM (VALUES ('first doc', 1), (NULL, 2), ('second\ndoc', 3)) t(text, id)) TO "
                    + DuckDb.literal(pq.toString()) + " (FORMAT parquet)");
        }
        Path corrupt = dir.resolve("corrupt.parquet");
        Files.writeString(corrupt, "PAR1 this is not parquet");
        try (DocumentStream s = TextSources.open(List.of(pq.toString(), corrupt.toString()), TextOptions.defaults())) {
            assertEquals(List.of("first doc", "second\ndoc"), texts(s));
            assertEquals(1, s.report().nullValues());
            assertEquals(1, s.report().skipped().size());
            assertTrue(s.report().skipped().get(0).path().endsWith("corrupt.parquet"));
        }
        try (DocumentStream s = TextSources.open(List.of(pq.toString()), TextOptions.defaults().withField("nope"))) {
            assertFalse(s.hasNext());
            assertEquals(1, s.report().skipped().size(), s.report().summary());
        }
    }
}
