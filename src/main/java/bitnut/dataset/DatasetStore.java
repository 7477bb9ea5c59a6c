package bitnut.dataset;

import bitnut.workspace.Workspace;
import org.sqlite.SQLiteConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Consumer;

/**
 * The dataset: every question and answer the synth jobs make or the user imports, with review
 * status, automatic flags, generation metadata and full edit history. One SQLite file,
 * {@code workspace/dataset/dataset.db} (schema: {@link DatasetSchema}, docs/formats.md "Dataset").
 *
 * <p>Concurrency (shared/notes/data.md): WAL + synchronous=FULL; all writes go through ONE writer
 * connection on its own thread ({@link StoreWriter}) and return a future that completes after the
 * commit, i.e. once the row is on disk; reads use a small pool of read-only connections and may run
 * on any thread except, in the UI, the FX thread. Content edits are optimistic: they name the
 * version they were based on and fail with {@link VersionConflictException} if the row moved on.
 * Every change appends the new state to the append-only {@code revisions} table (history, undo).
 */
public final class DatasetStore implements AutoCloseable {
    public static final String FILE_NAME = "dataset.db";
    private static final int BUSY_TIMEOUT_MS = 10_000;

    private final Path file;
    private final StoreWriter writer;
    private final FlagDetector detector;
    private final ConcurrentLinkedDeque<Connection> readers = new ConcurrentLinkedDeque<>();
    private volatile boolean closed;

    /**
     * Called with what is about to happen ("open", "read") before every open and read. The engine knows no
     * JavaFX: a UI test installs a check that records calls made on the FX thread (none must be).
     */
    private static volatile java.util.function.Consumer<String> accessCheck = what -> { };

    /** Installs {@code check} (null: none); tests and benchmarks use it to catch store calls on the FX thread. */
    public static void checkAccessWith(java.util.function.Consumer<String> check) { accessCheck = check == null ? what -> { } : check; }

    private DatasetStore(Path file, Connection writerConn, FlagDetector detector) throws SQLException {
        this.file = file;
        this.detector = detector;
        this.writer = new StoreWriter(writerConn, file.getFileName().toString());
    }

    /** The workspace's store file. */
    public static Path path(Workspace ws) { return ws.datasetDir().resolve(FILE_NAME); }

    public static DatasetStore open(Workspace ws) throws SQLException { return open(path(ws)); }

    public static DatasetStore open(Path file) throws SQLException { return open(file, new FlagDetector(FlagConfig.DEFAULT)); }

    /** Opens (creating and migrating if needed) the store at {@code file}. */
    public static DatasetStore open(Path file, FlagDetector detector) throws SQLException {
        accessCheck.accept("open");
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (java.io.IOException e) {
            throw new SQLException("cannot create " + file.getParent() + ": " + e.getMessage(), e);
        }
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
        cfg.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        cfg.setBusyTimeout(BUSY_TIMEOUT_MS);
        cfg.setCacheSize(-32_768);   // 32 MiB page cache for the writer: FTS merges during imports stay in memory
        Connection c = connectWaitingForLock(cfg, file);
        try {
            DatasetSchema.migrate(c, file);
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return new DatasetStore(file.toAbsolutePath(), c, detector);
    }

    /**
     * Opens the writer connection. Switching a brand-new file to WAL happens while the connection's
     * pragmas are applied, before busy_timeout is in force, so two simultaneous first opens (the Synth and
     * Dataset tabs, or a tab and a CLI job) can see SQLITE_BUSY there: wait and retry within busy_timeout.
     */
    private static Connection connectWaitingForLock(SQLiteConfig cfg, Path file) throws SQLException {
        long deadline = System.nanoTime() + BUSY_TIMEOUT_MS * 1_000_000L;
        for (int attempt = 0; ; attempt++) {
            try {
                return cfg.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
            } catch (SQLException e) {
                boolean busy = e.getMessage() != null && (e.getMessage().contains("SQLITE_BUSY") || e.getMessage().contains("locked"));
                if (!busy || System.nanoTime() > deadline) throw e;
                try {
                    Thread.sleep(Math.min(200, 5L << Math.min(attempt, 5)));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    public Path file() { return file; }

    public FlagDetector detector() { return detector; }

    // ---------------------------------------------------------------- synth API (generation half)

    /**
     * Inserts questions without answers (source generated, status new). Idempotent on
     * {@link NewQuestion#normalizedKey()}: a key already stored (or repeated in the list) is skipped,
     * so a question job re-run after a kill inserts nothing twice.
     *
     * @return ids of the rows actually inserted, in input order; completes after the commit
     */
    public CompletableFuture<List<Long>> addQuestions(List<NewQuestion> qs) {
        List<NewQuestion> copy = List.copyOf(qs);
        return writer.submit(c -> {
            List<Long> ids = new ArrayList<>();
            long now = System.currentTimeMillis();
            try (PreparedStatement ps = c.prepareStatement(INSERT); PreparedStatement rev = c.prepareStatement(REVISION)) {
                for (NewQuestion q : copy) {
                    Long id = insert(rev, ps, q.topic(), q.prompt(), null, ExampleSource.GENERATED, q.normalizedKey(),
                            q.metadata(), now, "insert");
                    if (id != null) ids.add(id);
                }
            }
            return ids;
        });
    }

    /** Unanswered questions in id order (oldest first), any topic. */
    public List<Example> questionsWithoutAnswer(int limit) { return questionsWithoutAnswer(null, limit); }

    /** Unanswered questions of one topic (null = any) in id order. */
    public List<Example> questionsWithoutAnswer(String topic, int limit) {
        String sql = "SELECT " + ExampleRows.COLUMNS + " FROM examples WHERE response IS NULL"
                + (topic != null ? " AND topic = ?" : "") + " ORDER BY id LIMIT ?";
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                if (topic != null) ps.setString(i++, topic);
                ps.setInt(i, limit);
                return ExampleQueries.list(ps);
            }
        });
    }

    /**
     * Stores the voice job's answer: sets response and original_response, merges {@code metadata}
     * into the row's metadata (teacher, model, sampling, latency_ms, tokens_per_s, job_id,
     * finish_reason — "length" raises the truncated flag), recomputes flags, appends a revision.
     * Overwrites an earlier answer (the history keeps it). Completes after the commit.
     */
    public CompletableFuture<Void> setGeneratedAnswer(long id, String response, Map<String, Object> metadata) {
        if (response == null) throw new IllegalArgumentException("response is null");
        Map<String, Object> meta = metadata == null ? Map.of() : Map.copyOf(metadata);
        return writer.submit(c -> {
            Example e = ExampleQueries.get(c, id).orElseThrow(() -> new IllegalArgumentException("no example " + id));
            Map<String, Object> merged = new LinkedHashMap<>(e.metadata());
            merged.putAll(meta);
            FlagDetector.Result fr = detector.detect(e.prompt(), response, merged, e.flags(), e.flagNotes());
            long now = System.currentTimeMillis();
            try (PreparedStatement ps = c.prepareStatement("UPDATE examples SET response = ?, original_response = ?, "
                    + "metadata = ?, flags = ?, flag_notes = ?, response_words = ?, updated_at = ?, version = version + 1 WHERE id = ?")) {
                ps.setString(1, response);
                ps.setString(2, response);
                ps.setString(3, ExampleRows.json(merged));
                ps.setInt(4, fr.flags().bits());
                ps.setString(5, ExampleRows.json(fr.notes()));
                ps.setInt(6, TextStats.words(response));
                ps.setLong(7, now);
                ps.setLong(8, id);
                ps.executeUpdate();
            }
            appendRevision(c, id, "answer", now);
            return null;
        });
    }

    /** True when a question with this normalized key is stored (any status, answered or not). */
    public boolean containsQuestionKey(String normalizedKey) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM examples WHERE question_key = ?")) {
                ps.setString(1, normalizedKey);
                try (ResultSet rs = ps.executeQuery()) { return rs.next(); }
            }
        });
    }

    /** Every stored question key, for building the generator's dedupe set. */
    public List<String> allQuestionKeys() {
        return read(c -> {
            List<String> out = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT question_key FROM examples ORDER BY id")) {
                while (rs.next()) out.add(rs.getString(1));
            }
            return out;
        });
    }

    // ---------------------------------------------------------------- curation API

    /** Inserts complete examples (import, manual entry); same key rule as {@link #addQuestions}. */
    public CompletableFuture<List<Long>> addExamples(List<NewExample> xs) {
        List<NewExample> copy = List.copyOf(xs);
        return writer.submit(c -> {
            List<Long> ids = new ArrayList<>();
            long now = System.currentTimeMillis();
            try (PreparedStatement ps = c.prepareStatement(INSERT); PreparedStatement rev = c.prepareStatement(REVISION)) {
                for (NewExample x : copy) {
                    Long id = insert(rev, ps, x.topic(), x.prompt(), x.response(), x.source(), x.questionKey(),
                            x.metadata(), now, x.source() == ExampleSource.IMPORTED ? "import" : "insert");
                    if (id != null) ids.add(id);
                }
            }
            return ids;
        });
    }

    /**
     * Replaces prompt and response, based on {@code expectedVersion}; fails with
     * {@link VersionConflictException} when the row changed meanwhile. Flags are recomputed
     * (the near-duplicate flag is kept until the next flag run). Returns the new row.
     */
    public CompletableFuture<Example> edit(long id, long expectedVersion, String prompt, String response) {
        if (prompt == null || prompt.isBlank()) throw new IllegalArgumentException("prompt is empty");
        return writer.submit(c -> {
            Example e = current(c, id, expectedVersion);
            FlagDetector.Result fr = detector.detect(prompt, response, e.metadata(), e.flags(), e.flagNotes());
            long now = System.currentTimeMillis();
            try (PreparedStatement ps = c.prepareStatement("UPDATE examples SET prompt = ?, response = ?, flags = ?, "
                    + "flag_notes = ?, prompt_words = ?, response_words = ?, updated_at = ?, version = version + 1 WHERE id = ?")) {
                ps.setString(1, prompt);
                ps.setString(2, response);
                ps.setInt(3, fr.flags().bits());
                ps.setString(4, ExampleRows.json(fr.notes()));
                ps.setInt(5, TextStats.words(prompt));
                ps.setInt(6, TextStats.words(response));
                ps.setLong(7, now);
                ps.setLong(8, id);
                ps.executeUpdate();
            }
            appendRevision(c, id, "edit", now);
            return ExampleQueries.get(c, id).orElseThrow();
        });
    }

    /** Sets the review status of one example, based on {@code expectedVersion}. */
    public CompletableFuture<Example> setStatus(long id, long expectedVersion, ExampleStatus status) {
        return writer.submit(c -> {
            current(c, id, expectedVersion);
            writeStatus(c, id, status, System.currentTimeMillis());
            return ExampleQueries.get(c, id).orElseThrow();
        });
    }

    /**
     * Bulk status change (last writer wins: a status change never loses text). Returns the status
     * each changed row had before, which is what an undo command needs.
     */
    public CompletableFuture<Map<Long, ExampleStatus>> setStatuses(Map<Long, ExampleStatus> changes) {
        Map<Long, ExampleStatus> copy = new LinkedHashMap<>(changes);
        return writer.submit(c -> {
            Map<Long, ExampleStatus> before = new LinkedHashMap<>();
            long now = System.currentTimeMillis();
            try (PreparedStatement q = c.prepareStatement("SELECT status FROM examples WHERE id = ?")) {
                for (var ch : copy.entrySet()) {
                    q.setLong(1, ch.getKey());
                    try (ResultSet rs = q.executeQuery()) {
                        if (!rs.next()) continue;
                        ExampleStatus old = ExampleStatus.fromDb(rs.getString(1));
                        if (old == ch.getValue()) continue;
                        before.put(ch.getKey(), old);
                    }
                    writeStatus(c, ch.getKey(), ch.getValue(), now);
                }
            }
            return before;
        });
    }

    /** Bulk status change of every row matching {@code filter} at commit time; returns previous statuses. */
    public CompletableFuture<Map<Long, ExampleStatus>> setStatusWhere(ExampleFilter filter, ExampleStatus status) {
        return writer.submit(c -> {
            Map<Long, ExampleStatus> changes = new LinkedHashMap<>();
            for (long id : ExampleQueries.ids(c, filter)) changes.put(id, status);
            Map<Long, ExampleStatus> before = new LinkedHashMap<>();
            long now = System.currentTimeMillis();
            try (PreparedStatement q = c.prepareStatement("SELECT status FROM examples WHERE id = ?")) {
                for (long id : changes.keySet()) {
                    q.setLong(1, id);
                    try (ResultSet rs = q.executeQuery()) {
                        rs.next();
                        ExampleStatus old = ExampleStatus.fromDb(rs.getString(1));
                        if (old == status) continue;
                        before.put(id, old);
                    }
                    writeStatus(c, id, status, now);
                }
            }
            return before;
        });
    }

    /**
     * Brings an example back to the text and status of an earlier revision, as a NEW version
     * (history stays append-only). Based on {@code expectedVersion} like an edit.
     */
    public CompletableFuture<Example> restore(long id, long expectedVersion, long toVersion) {
        return writer.submit(c -> {
            Example e = current(c, id, expectedVersion);
            Revision r = ExampleQueries.history(c, id).stream().filter(x -> x.version() == toVersion).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("example " + id + " has no version " + toVersion));
            FlagDetector.Result fr = detector.detect(r.prompt(), r.response(), e.metadata(), e.flags(), e.flagNotes());
            long now = System.currentTimeMillis();
            try (PreparedStatement ps = c.prepareStatement("UPDATE examples SET prompt = ?, response = ?, status = ?, flags = ?, "
                    + "flag_notes = ?, prompt_words = ?, response_words = ?, updated_at = ?, version = version + 1 WHERE id = ?")) {
                ps.setString(1, r.prompt());
                ps.setString(2, r.response());
                ps.setString(3, r.status().dbName());
                ps.setInt(4, fr.flags().bits());
                ps.setString(5, ExampleRows.json(fr.notes()));
                ps.setInt(6, TextStats.words(r.prompt()));
                ps.setInt(7, TextStats.words(r.response()));
                ps.setLong(8, now);
                ps.setLong(9, id);
                ps.executeUpdate();
            }
            appendRevision(c, id, "revert", now);
            return ExampleQueries.get(c, id).orElseThrow();
        });
    }

    /** Replaces automatic flags (derived data: no version bump, no revision). Returns rows updated. */
    public CompletableFuture<Integer> setFlags(Map<Long, FlagDetector.Result> flags) {
        Map<Long, FlagDetector.Result> copy = new LinkedHashMap<>(flags);
        return writer.submit(c -> {
            int n = 0;
            try (PreparedStatement ps = c.prepareStatement("UPDATE examples SET flags = ?, flag_notes = ? WHERE id = ?")) {
                for (var e : copy.entrySet()) {
                    ps.setInt(1, e.getValue().flags().bits());
                    ps.setString(2, ExampleRows.json(e.getValue().notes()));
                    ps.setLong(3, e.getKey());
                    n += ps.executeUpdate();
                }
            }
            return n;
        });
    }

    // ---------------------------------------------------------------- reads (SQL in ExampleQueries)

    public Optional<Example> get(long id) { return read(c -> ExampleQueries.get(c, id)); }

    /** Ids of every row matching the filter, in id order: the Dataset tab pages through these. */
    public long[] ids(ExampleFilter filter) { return read(c -> ExampleQueries.ids(c, filter)); }

    public long count(ExampleFilter filter) { return read(c -> ExampleQueries.count(c, filter)); }

    /** Rows for {@code ids[from, to)}, in that order (ids that vanished are left out). */
    public List<Example> load(long[] ids, int from, int to) {
        if (from >= to) return List.of();
        long[] slice = Arrays.copyOfRange(ids, from, to);
        return read(c -> ExampleQueries.load(c, slice));
    }

    /**
     * Streams every matching row to {@code sink} in a deterministic order (topic, then id), for
     * export and the flag job; runs on one read transaction, so it sees one consistent snapshot.
     */
    public long scan(ExampleFilter filter, Consumer<Example> sink) { return read(c -> ExampleQueries.scan(c, filter, sink)); }

    /** Every version of an example, oldest first. */
    public List<Revision> history(long id) { return read(c -> ExampleQueries.history(c, id)); }

    /** Topic names in alphabetical order. */
    public List<String> topics() { return read(ExampleQueries::topics); }

    /** Counts for the charts over the rows matching {@code filter} (how: {@link ExampleQueries#stats}). */
    public DatasetStats stats(ExampleFilter filter) { return read(c -> ExampleQueries.stats(c, filter)); }

    // the earlier ways, kept so the benchmark and the tests can compare them with the current ones in one run
    long scanIdsRowByRowForBench(ExampleFilter filter) { return read(c -> ExampleQueries.scanIdsRowByRow(c, filter)); }

    long[] idsSortedInSqlForBench(ExampleFilter filter) { return read(c -> ExampleQueries.idsSortedInSql(c, filter)); }

    DatasetStats statsInOneStatement(ExampleFilter filter) { return read(c -> ExampleQueries.statsInOneStatement(c, filter)); }

    DatasetStats statsInFiveStatements(ExampleFilter filter) { return read(c -> ExampleQueries.statsInFiveStatements(c, filter)); }

    /** Waits until every write submitted so far is committed. */
    public void sync() { writer.submit(c -> null).join(); }

    @Override public void close() {
        if (closed) return;
        closed = true;
        writer.close();
        Connection c;
        while ((c = readers.poll()) != null) {
            try { c.close(); } catch (SQLException ignored) { }
        }
    }

    // ---------------------------------------------------------------- internals

    private static final String INSERT = "INSERT INTO examples (topic, prompt, response, status, source, flags, flag_notes, "
            + "question_key, original_prompt, original_response, metadata, prompt_words, response_words, created_at, updated_at, version) "
            + "VALUES (?, ?, ?, 'new', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT (question_key) DO NOTHING RETURNING id";

    private Long insert(PreparedStatement rev, PreparedStatement ps, String topic, String prompt, String response,
                        ExampleSource source, String key, Map<String, Object> metadata, long now, String action) throws SQLException {
        FlagDetector.Result fr = response == null ? FlagDetector.Result.NONE
                : detector.detect(prompt, response, metadata, FlagSet.NONE, Map.of());
        ps.setString(1, topic);
        ps.setString(2, prompt);
        ps.setString(3, response);
        ps.setString(4, source.dbName());
        ps.setInt(5, fr.flags().bits());
        ps.setString(6, ExampleRows.json(fr.notes()));
        ps.setString(7, key);
        ps.setString(8, prompt);
        ps.setString(9, response);
        ps.setString(10, ExampleRows.json(metadata));
        ps.setInt(11, TextStats.words(prompt));
        ps.setInt(12, TextStats.words(response));
        ps.setLong(13, now);
        ps.setLong(14, now);
        Long id = null;
        try (ResultSet rs = ps.executeQuery()) {
            if (rs.next()) id = rs.getLong(1);
        }
        if (id != null) appendRevision(rev, id, action, now);
        return id;
    }

    private static void writeStatus(Connection c, long id, ExampleStatus status, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE examples SET status = ?, updated_at = ?, version = version + 1 WHERE id = ?")) {
            ps.setString(1, status.dbName());
            ps.setLong(2, now);
            ps.setLong(3, id);
            ps.executeUpdate();
        }
        appendRevision(c, id, "status", now);
    }

    private static final String REVISION = "INSERT INTO revisions (example_id, version, prompt, response, status, action, created_at) "
            + "SELECT id, version, prompt, response, status, ?, ? FROM examples WHERE id = ?";

    private static void appendRevision(Connection c, long id, String action, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(REVISION)) {
            appendRevision(ps, id, action, now);
        }
    }

    private static void appendRevision(PreparedStatement ps, long id, String action, long now) throws SQLException {
        ps.setString(1, action);
        ps.setLong(2, now);
        ps.setLong(3, id);
        ps.executeUpdate();
    }

    private static Example current(Connection c, long id, long expectedVersion) throws SQLException {
        Example e = ExampleQueries.get(c, id).orElse(null);
        if (e == null || e.version() != expectedVersion) throw new VersionConflictException(expectedVersion, e);
        return e;
    }

    @FunctionalInterface
    private interface Read<T> { T apply(Connection c) throws SQLException; }

    /** Runs a read on a pooled read-only connection (never the writer's). */
    private <T> T read(Read<T> r) {
        if (closed) throw new IllegalStateException("dataset store is closed");
        accessCheck.accept("read");
        Connection c = readers.poll();
        try {
            if (c == null) c = openReader();
            T out = r.apply(c);
            readers.push(c);
            c = null;
            return out;
        } catch (SQLException e) {
            throw new DatasetException("reading " + file + ": " + e.getMessage(), e);
        } finally {
            if (c != null) { try { c.close(); } catch (SQLException ignored) { } }
        }
    }

    private Connection openReader() throws SQLException {
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setReadOnly(true);
        cfg.setBusyTimeout(BUSY_TIMEOUT_MS);
        return cfg.createConnection("jdbc:sqlite:" + file);
    }
}
