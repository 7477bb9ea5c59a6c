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
import java.util.EnumMap;
import java.util.HashMap;
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
                return list(ps);
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
            Example e = getOn(c, id).orElseThrow(() -> new IllegalArgumentException("no example " + id));
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
            return getOn(c, id).orElseThrow();
        });
    }

    /** Sets the review status of one example, based on {@code expectedVersion}. */
    public CompletableFuture<Example> setStatus(long id, long expectedVersion, ExampleStatus status) {
        return writer.submit(c -> {
            current(c, id, expectedVersion);
            writeStatus(c, id, status, System.currentTimeMillis());
            return getOn(c, id).orElseThrow();
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
            for (long id : idsOn(c, filter)) changes.put(id, status);
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
            Revision r = historyOn(c, id).stream().filter(x -> x.version() == toVersion).findFirst()
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
            return getOn(c, id).orElseThrow();
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

    // ---------------------------------------------------------------- reads

    public Optional<Example> get(long id) { return read(c -> getOn(c, id)); }

    /** Ids of every row matching the filter, in id order: the Dataset tab pages through these. */
    public long[] ids(ExampleFilter filter) { return read(c -> idsOn(c, filter)); }

    public long count(ExampleFilter filter) {
        ExampleRows.Where w = ExampleRows.where(filter);
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM examples INDEXED BY examples_cover" + w.sql())) {
                w.bind(ps, 1);
                try (ResultSet rs = ps.executeQuery()) { rs.next(); return rs.getLong(1); }
            }
        });
    }

    /** Rows for {@code ids[from, to)}, in that order (ids that vanished are left out). */
    public List<Example> load(long[] ids, int from, int to) {
        if (from >= to) return List.of();
        long[] slice = Arrays.copyOfRange(ids, from, to);
        StringBuilder sql = new StringBuilder("SELECT " + ExampleRows.COLUMNS + " FROM examples WHERE id IN (");
        for (int i = 0; i < slice.length; i++) sql.append(i == 0 ? "?" : ",?");
        sql.append(')');
        Map<Long, Example> byId = new HashMap<>();
        read(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < slice.length; i++) ps.setLong(i + 1, slice[i]);
                for (Example e : list(ps)) byId.put(e.id(), e);
            }
            return null;
        });
        List<Example> out = new ArrayList<>(slice.length);
        for (long id : slice) {
            Example e = byId.get(id);
            if (e != null) out.add(e);
        }
        return out;
    }

    /**
     * Streams every matching row to {@code sink} in a deterministic order (topic, then id), for
     * export and the flag job; runs on one read transaction, so it sees one consistent snapshot.
     */
    public long scan(ExampleFilter filter, Consumer<Example> sink) {
        ExampleRows.Where w = ExampleRows.where(filter);
        return read(c -> {
            long n = 0;
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT " + ExampleRows.COLUMNS + " FROM examples" + w.sql()
                    + " ORDER BY topic, id")) {
                w.bind(ps, 1);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) { sink.accept(ExampleRows.read(rs)); n++; }
                }
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
            return n;
        });
    }

    /** The first implementation of {@link #ids}: one JDBC row per id. Kept only to report the ratio in the benchmark. */
    long scanIdsRowByRowForBench(ExampleFilter filter) {
        ExampleRows.Where w = ExampleRows.where(filter);
        return read(c -> {
            long n = 0;
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM examples" + w.sql() + " ORDER BY id")) {
                w.bind(ps, 1);
                try (ResultSet rs = ps.executeQuery()) { while (rs.next()) n += rs.getLong(1) > 0 ? 1 : 0; }
            }
            return n;
        });
    }

    /**
     * The previous {@link #ids}: one statement, {@code group_concat(id, ',' ORDER BY id)} over the covering
     * index with the full-text part as an {@code id IN (SELECT rowid ... MATCH ?)} subquery. Kept only so the
     * benchmark can report both side by side in one run.
     */
    long[] idsSortedInSqlForBench(ExampleFilter filter) {
        ExampleRows.Where w = ExampleRows.where(filter);
        return read(c -> concatenatedIds(c, "SELECT count(*), group_concat(id, ',' ORDER BY id) FROM examples "
                + "INDEXED BY examples_cover" + w.sql(), w.params()));
    }

    /** Every version of an example, oldest first. */
    public List<Revision> history(long id) { return read(c -> historyOn(c, id)); }

    /** Topic names in alphabetical order. */
    public List<String> topics() {
        return read(c -> {
            List<String> out = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT DISTINCT topic FROM examples ORDER BY topic")) {
                while (rs.next()) out.add(rs.getString(1));
            }
            return out;
        });
    }

    /**
     * Counts for charts, over the rows matching {@code filter}. With any condition set, ONE statement: the
     * matching rows' index entries are materialized once and grouped five ways (UNION ALL), instead of five
     * statements that each re-ran the filter, full-text match included (a search matching 66-78k of 100k
     * rows: 2-5x faster). With no condition, materializing every row costs more than scanning the index five
     * times, so the five statements stay (docs/benchmarks.md "Dataset", both timed in one run).
     */
    public DatasetStats stats(ExampleFilter filter) {
        return ExampleRows.where(filter).sql().isEmpty() ? statsInFiveStatements(filter) : statsInOneStatement(filter);
    }

    DatasetStats statsInOneStatement(ExampleFilter filter) {
        ExampleRows.Where w = ExampleRows.where(filter);
        StringBuilder flagSums = new StringBuilder(), pad = new StringBuilder();
        for (Flag f : Flag.values()) flagSums.append(", sum((flags >> ").append(f.bit).append(") & 1)");
        for (int i = 0; i < Flag.values().length + 1; i++) pad.append(", NULL");
        String sql = "WITH sel AS MATERIALIZED (SELECT topic, status, source, flags, response_words AS words, "
                + ExampleRows.ANSWERED + " AS answered FROM examples INDEXED BY examples_cover" + w.sql() + ")\n"
                + "SELECT 0, NULL, count(*), sum(answered)" + flagSums + " FROM sel\n"
                + "UNION ALL SELECT 1, topic, count(*)" + pad + " FROM sel GROUP BY topic\n"
                + "UNION ALL SELECT 2, status, count(*)" + pad + " FROM sel GROUP BY status\n"
                + "UNION ALL SELECT 3, source, count(*)" + pad + " FROM sel GROUP BY source\n"
                + "UNION ALL SELECT 4, min(words / " + DatasetStats.BUCKET_WORDS + ", " + (DatasetStats.BUCKETS - 1) + "), count(*)" + pad
                + " FROM sel WHERE answered = 1 GROUP BY 2";
        return read(c -> {
            StatsBuilder b = new StatsBuilder();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                w.bind(ps, 1);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        switch (rs.getInt(1)) {
                            case 0 -> b.totals(rs, 3);
                            case 1 -> b.topics.put(rs.getString(2), rs.getLong(3));
                            case 2 -> b.status.put(ExampleStatus.fromDb(rs.getString(2)), rs.getLong(3));
                            case 3 -> b.source.put(ExampleSource.fromDb(rs.getString(2)), rs.getLong(3));
                            default -> b.hist[rs.getInt(2)] = rs.getLong(3);
                        }
                    }
                }
            }
            return b.build();
        });
    }

    DatasetStats statsInFiveStatements(ExampleFilter filter) {
        ExampleRows.Where w = ExampleRows.where(filter);
        String from = " FROM examples INDEXED BY examples_cover" + w.sql();
        String and = w.sql().isEmpty() ? " WHERE " : " AND ";
        StringBuilder flagSums = new StringBuilder();
        for (Flag f : Flag.values()) flagSums.append(", sum((flags >> ").append(f.bit).append(") & 1)");
        return read(c -> {
            StatsBuilder b = new StatsBuilder();
            c.setAutoCommit(false);   // one snapshot for the five statements: the charts agree with each other
            try {
                query(c, "SELECT count(*), sum(" + ExampleRows.ANSWERED + ")" + flagSums + from, w, rs -> b.totals(rs, 1));
                query(c, "SELECT topic, count(*)" + from + " GROUP BY 1", w, rs -> b.topics.put(rs.getString(1), rs.getLong(2)));
                query(c, "SELECT status, count(*)" + from + " GROUP BY 1", w, rs -> b.status.put(ExampleStatus.fromDb(rs.getString(1)), rs.getLong(2)));
                query(c, "SELECT source, count(*)" + from + " GROUP BY 1", w, rs -> b.source.put(ExampleSource.fromDb(rs.getString(1)), rs.getLong(2)));
                query(c, "SELECT min(response_words / " + DatasetStats.BUCKET_WORDS + ", " + (DatasetStats.BUCKETS - 1) + "), count(*)"
                        + from + and + ExampleRows.ANSWERED + " = 1 GROUP BY 1", w, rs -> b.hist[rs.getInt(1)] = rs.getLong(2));
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
            return b.build();
        });
    }

    @FunctionalInterface
    private interface RowSink { void accept(ResultSet rs) throws SQLException; }

    private static void query(Connection c, String sql, ExampleRows.Where w, RowSink sink) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            w.bind(ps, 1);
            try (ResultSet rs = ps.executeQuery()) { while (rs.next()) sink.accept(rs); }
        }
    }

    /** Collects the charts' counts; topics come out in alphabetical order. */
    private static final class StatsBuilder {
        final Map<String, Long> topics = new java.util.TreeMap<>();
        final Map<ExampleStatus, Long> status = new EnumMap<>(ExampleStatus.class);
        final Map<ExampleSource, Long> source = new EnumMap<>(ExampleSource.class);
        final Map<Flag, Long> flags = new EnumMap<>(Flag.class);
        final long[] hist = new long[DatasetStats.BUCKETS];
        long total, answered;

        /** count(*), sum(answered), then one sum per flag, starting at column {@code first}. */
        void totals(ResultSet rs, int first) throws SQLException {
            total = rs.getLong(first);
            answered = rs.getLong(first + 1);
            for (Flag f : Flag.values()) flags.put(f, rs.getLong(first + 2 + f.ordinal()));
        }

        DatasetStats build() { return new DatasetStats(total, answered, new LinkedHashMap<>(topics), status, source, flags, hist); }
    }

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
        Example e = getOn(c, id).orElse(null);
        if (e == null || e.version() != expectedVersion) throw new VersionConflictException(expectedVersion, e);
        return e;
    }

    private static Optional<Example> getOn(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + ExampleRows.COLUMNS + " FROM examples WHERE id = ?")) {
            ps.setLong(1, id);
            List<Example> l = list(ps);
            return l.isEmpty() ? Optional.empty() : Optional.of(l.getFirst());
        }
    }

    /**
     * Ids of the matching rows, ascending. They come back as ONE group_concat string rather than one
     * JDBC row each: a ResultSet.next() is a JNI call (~1-4 us), which made 100k ids cost 0.4-1.6 s;
     * the string is built in C and parsed here in a few milliseconds.
     *
     * <p>Why the statements look like this (EXPLAIN QUERY PLAN, 100k rows, docs/benchmarks.md "Dataset"):
     * <ul>
     *   <li>No {@code ORDER BY} inside SQLite: the covering index is in (topic, status, ...) order, and
     *       {@code group_concat(id ORDER BY id)} made SQLite sort through a temp B-tree, ~60 ms of the
     *       ~70 ms for 100k ids. Java sorts a long[] of 100k in a few ms (and FTS5 already yields rowids
     *       in ascending order, so search results are only checked).</li>
     *   <li>The full-text part is not a {@code id IN (SELECT rowid ... MATCH)} subquery: that built an
     *       ephemeral table of every match (66-78k rows for common words) and probed it for every index
     *       entry (~55 ms even without the sort). Instead the MATCH's rowids are read straight from the
     *       FTS index (~17 ms for 78k) and intersected in Java with the other filters' ids; with no other
     *       filter they are the answer.</li>
     * </ul>
     * Both statements run in one read transaction, so they see the same snapshot.
     */
    private static long[] idsOn(Connection c, ExampleFilter filter) throws SQLException {
        String match = FullTextQuery.toMatch(filter.search());
        if (filter.search() != null && match == null) return new long[0];   // only punctuation: matches nothing
        ExampleFilter rest = filter.withSearch(null);
        boolean snapshot = c.getAutoCommit();
        if (snapshot) c.setAutoCommit(false);
        try {
            long[] found = null;
            if (match != null) {
                found = concatenatedIds(c, "SELECT count(*), group_concat(rowid, ',') FROM examples_fts WHERE examples_fts MATCH ?",
                        List.of(match));
                if (rest.equals(ExampleFilter.ALL) || found.length == 0) return found;
            }
            ExampleRows.Where w = ExampleRows.where(rest);
            long[] selected = concatenatedIds(c, "SELECT count(*), group_concat(id, ',') FROM examples INDEXED BY examples_cover"
                    + w.sql(), w.params());
            return found == null ? selected : intersect(selected, found);
        } finally {
            if (snapshot) {
                c.rollback();
                c.setAutoCommit(true);
            }
        }
    }

    /** Runs {@code SELECT count(*), group_concat(id, ',') ...} and parses the list, ascending. */
    private static long[] concatenatedIds(Connection c, String sql, List<Object> params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) ps.setObject(i + 1, params.get(i));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return new long[0];
                int n = rs.getInt(1);
                String all = rs.getString(2);
                long[] out = new long[n];
                if (all == null) return out;
                int k = 0;
                long v = 0;
                boolean ascending = true;
                for (int i = 0, len = all.length(); i < len; i++) {
                    char ch = all.charAt(i);
                    if (ch == ',') {
                        if (k > 0 && out[k - 1] > v) ascending = false;
                        out[k++] = v;
                        v = 0;
                    } else {
                        v = v * 10 + (ch - '0');
                    }
                }
                if (k > 0 && out[k - 1] > v) ascending = false;
                out[k++] = v;
                if (k != n) throw new SQLException("id list of " + k + " for a count of " + n);
                if (!ascending) Arrays.sort(out);
                return out;
            }
        }
    }

    /** Ids present in both ascending arrays (a merge walk). */
    static long[] intersect(long[] a, long[] b) {
        long[] out = new long[Math.min(a.length, b.length)];
        int i = 0, j = 0, k = 0;
        while (i < a.length && j < b.length) {
            if (a[i] < b[j]) i++;
            else if (a[i] > b[j]) j++;
            else { out[k++] = a[i]; i++; j++; }
        }
        return k == out.length ? out : Arrays.copyOf(out, k);
    }

    private static List<Revision> historyOn(Connection c, long id) throws SQLException {
        List<Revision> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT example_id, version, prompt, response, status, action, created_at "
                + "FROM revisions WHERE example_id = ? ORDER BY version")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Revision(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                            ExampleStatus.fromDb(rs.getString(5)), rs.getString(6), rs.getLong(7)));
                }
            }
        }
        return out;
    }

    private static List<Example> list(PreparedStatement ps) throws SQLException {
        List<Example> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.add(ExampleRows.read(rs));
        }
        return out;
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
