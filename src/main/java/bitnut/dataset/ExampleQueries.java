package bitnut.dataset;

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
import java.util.function.Consumer;

/**
 * The read side of {@link DatasetStore}: the SQL behind the Dataset tab's ids, pages, counts, charts
 * and history, each a function of one read connection. The store lends the connection (from its
 * read-only pool, never the writer's) and maps SQL errors; what the statements do and why they look
 * the way they do (measured at 100k rows, docs/benchmarks.md "Dataset") is here.
 */
final class ExampleQueries {
    private ExampleQueries() { }

    static long count(Connection c, ExampleFilter filter) throws SQLException {
        ExampleRows.Where w = ExampleRows.where(filter);
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM examples INDEXED BY examples_cover" + w.sql())) {
            w.bind(ps, 1);
            try (ResultSet rs = ps.executeQuery()) { rs.next(); return rs.getLong(1); }
        }
    }

    /** Rows with these ids, in this order (ids that vanished are left out). */
    static List<Example> load(Connection c, long[] ids) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + ExampleRows.COLUMNS + " FROM examples WHERE id IN (");
        for (int i = 0; i < ids.length; i++) sql.append(i == 0 ? "?" : ",?");
        sql.append(')');
        Map<Long, Example> byId = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < ids.length; i++) ps.setLong(i + 1, ids[i]);
            for (Example e : list(ps)) byId.put(e.id(), e);
        }
        List<Example> out = new ArrayList<>(ids.length);
        for (long id : ids) {
            Example e = byId.get(id);
            if (e != null) out.add(e);
        }
        return out;
    }

    /** Every matching row, in topic then id order, on one read transaction (one consistent snapshot). */
    static long scan(Connection c, ExampleFilter filter, Consumer<Example> sink) throws SQLException {
        ExampleRows.Where w = ExampleRows.where(filter);
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
    }

    /** The first implementation of {@link #ids}: one JDBC row per id. Kept only to report the ratio in the benchmark. */
    static long scanIdsRowByRow(Connection c, ExampleFilter filter) throws SQLException {
        ExampleRows.Where w = ExampleRows.where(filter);
        long n = 0;
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM examples" + w.sql() + " ORDER BY id")) {
            w.bind(ps, 1);
            try (ResultSet rs = ps.executeQuery()) { while (rs.next()) n += rs.getLong(1) > 0 ? 1 : 0; }
        }
        return n;
    }

    /**
     * The previous {@link #ids}: one statement, {@code group_concat(id, ',' ORDER BY id)} over the covering
     * index with the full-text part as an {@code id IN (SELECT rowid ... MATCH ?)} subquery. Kept only so the
     * benchmark can report both side by side in one run.
     */
    static long[] idsSortedInSql(Connection c, ExampleFilter filter) throws SQLException {
        ExampleRows.Where w = ExampleRows.where(filter);
        return concatenatedIds(c, "SELECT count(*), group_concat(id, ',' ORDER BY id) FROM examples "
                + "INDEXED BY examples_cover" + w.sql(), w.params());
    }

    /** Topic names in alphabetical order. */
    static List<String> topics(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT DISTINCT topic FROM examples ORDER BY topic")) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    /**
     * Counts for charts, over the rows matching {@code filter}. With any condition set, ONE statement: the
     * matching rows' index entries are materialized once and grouped five ways (UNION ALL), instead of five
     * statements that each re-ran the filter, full-text match included (a search matching 66-78k of 100k
     * rows: 2-5x faster). With no condition, materializing every row costs more than scanning the index five
     * times, so the five statements stay (docs/benchmarks.md "Dataset", both timed in one run).
     */
    static DatasetStats stats(Connection c, ExampleFilter filter) throws SQLException {
        return ExampleRows.where(filter).sql().isEmpty() ? statsInFiveStatements(c, filter) : statsInOneStatement(c, filter);
    }

    static DatasetStats statsInOneStatement(Connection c, ExampleFilter filter) throws SQLException {
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
    }

    static DatasetStats statsInFiveStatements(Connection c, ExampleFilter filter) throws SQLException {
        ExampleRows.Where w = ExampleRows.where(filter);
        String from = " FROM examples INDEXED BY examples_cover" + w.sql();
        String and = w.sql().isEmpty() ? " WHERE " : " AND ";
        StringBuilder flagSums = new StringBuilder();
        for (Flag f : Flag.values()) flagSums.append(", sum((flags >> ").append(f.bit).append(") & 1)");
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

    static Optional<Example> get(Connection c, long id) throws SQLException {
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
    static long[] ids(Connection c, ExampleFilter filter) throws SQLException {
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

    static List<Revision> history(Connection c, long id) throws SQLException {
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

    static List<Example> list(PreparedStatement ps) throws SQLException {
        List<Example> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.add(ExampleRows.read(rs));
        }
        return out;
    }
}
