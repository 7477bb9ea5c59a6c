package bitnut.dataset;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The SQLite schema of workspace/dataset/dataset.db and its migrations, versioned by
 * {@code PRAGMA user_version} (docs/formats.md, "Dataset"). Each migration runs once, inside one
 * transaction with the version bump, so a crash mid-migration leaves the old version intact.
 *
 * <p>Design follows shared/notes/data.md: FTS5 external-content index over prompt and response,
 * kept in sync by triggers; an append-only revisions table (triggers refuse UPDATE and DELETE);
 * an optimistic {@code version} column on examples.
 */
final class DatasetSchema {
    private DatasetSchema() { }

    /** Newest schema version this code writes; a file with a higher user_version is refused. */
    static final int VERSION = 5;

    private static final List<List<String>> MIGRATIONS = List.of(
            // 0 -> 1: initial schema
            List.of("""
                    CREATE TABLE examples (
                      id                INTEGER PRIMARY KEY,
                      topic             TEXT    NOT NULL,
                      prompt            TEXT    NOT NULL,
                      response          TEXT,
                      status            TEXT    NOT NULL DEFAULT 'new'
                                        CHECK (status IN ('new','approved','rejected','needs_edit')),
                      source            TEXT    NOT NULL CHECK (source IN ('generated','imported','manual')),
                      flags             INTEGER NOT NULL DEFAULT 0,
                      flag_notes        TEXT    NOT NULL DEFAULT '{}',
                      question_key      TEXT    NOT NULL UNIQUE,
                      original_prompt   TEXT    NOT NULL,
                      original_response TEXT,
                      metadata          TEXT    NOT NULL DEFAULT '{}',
                      prompt_words      INTEGER NOT NULL DEFAULT 0,
                      response_words    INTEGER NOT NULL DEFAULT 0,
                      created_at        INTEGER NOT NULL,
                      updated_at        INTEGER NOT NULL,
                      version           INTEGER NOT NULL DEFAULT 1
                    )""",
                    "CREATE INDEX examples_topic ON examples(topic, id)",
                    "CREATE INDEX examples_status ON examples(status, id)",
                    "CREATE INDEX examples_flags ON examples(flags) WHERE flags <> 0",
                    "CREATE INDEX examples_unanswered ON examples(topic, id) WHERE response IS NULL",
                    """
                    CREATE TABLE revisions (
                      id          INTEGER PRIMARY KEY,
                      example_id  INTEGER NOT NULL,
                      version     INTEGER NOT NULL,
                      prompt      TEXT    NOT NULL,
                      response    TEXT,
                      status      TEXT    NOT NULL,
                      action      TEXT    NOT NULL,
                      created_at  INTEGER NOT NULL,
                      UNIQUE (example_id, version)
                    )""",
                    "CREATE TRIGGER revisions_append_only_u BEFORE UPDATE ON revisions BEGIN SELECT RAISE(ABORT, 'revisions are append-only'); END",
                    "CREATE TRIGGER revisions_append_only_d BEFORE DELETE ON revisions BEGIN SELECT RAISE(ABORT, 'revisions are append-only'); END",
                    """
                    CREATE VIRTUAL TABLE examples_fts USING fts5(
                      prompt, response, content='examples', content_rowid='id',
                      tokenize='unicode61 remove_diacritics 2')""",
                    """
                    CREATE TRIGGER examples_fts_ai AFTER INSERT ON examples BEGIN
                      INSERT INTO examples_fts(rowid, prompt, response) VALUES (new.id, new.prompt, coalesce(new.response, ''));
                    END""",
                    """
                    CREATE TRIGGER examples_fts_ad AFTER DELETE ON examples BEGIN
                      INSERT INTO examples_fts(examples_fts, rowid, prompt, response) VALUES ('delete', old.id, old.prompt, coalesce(old.response, ''));
                    END""",
                    // only text changes touch the index: status and flag updates stay cheap
                    """
                    CREATE TRIGGER examples_fts_au AFTER UPDATE OF prompt, response ON examples BEGIN
                      INSERT INTO examples_fts(examples_fts, rowid, prompt, response) VALUES ('delete', old.id, old.prompt, coalesce(old.response, ''));
                      INSERT INTO examples_fts(rowid, prompt, response) VALUES (new.id, new.prompt, coalesce(new.response, ''));
                    END"""),
            // 1 -> 2: the full-text index keeps no positions (detail=none): import indexes ~2x faster and the
            // index is smaller; searches are AND-ed single words and prefixes, which need no positions
            List.of("DROP TRIGGER examples_fts_ai", "DROP TRIGGER examples_fts_ad", "DROP TRIGGER examples_fts_au",
                    "DROP TABLE examples_fts",
                    """
                    CREATE VIRTUAL TABLE examples_fts USING fts5(
                      prompt, response, content='examples', content_rowid='id',
                      tokenize='unicode61 remove_diacritics 2', detail=none)""",
                    """
                    CREATE TRIGGER examples_fts_ai AFTER INSERT ON examples BEGIN
                      INSERT INTO examples_fts(rowid, prompt, response) VALUES (new.id, new.prompt, coalesce(new.response, ''));
                    END""",
                    """
                    CREATE TRIGGER examples_fts_ad AFTER DELETE ON examples BEGIN
                      INSERT INTO examples_fts(examples_fts, rowid, prompt, response) VALUES ('delete', old.id, old.prompt, coalesce(old.response, ''));
                    END""",
                    """
                    CREATE TRIGGER examples_fts_au AFTER UPDATE OF prompt, response ON examples BEGIN
                      INSERT INTO examples_fts(examples_fts, rowid, prompt, response) VALUES ('delete', old.id, old.prompt, coalesce(old.response, ''));
                      INSERT INTO examples_fts(rowid, prompt, response) VALUES (new.id, new.prompt, coalesce(new.response, ''));
                    END""",
                    "INSERT INTO examples_fts(examples_fts) VALUES ('rebuild')"),
            // 2 -> 3: a covering index of every filter column: a filter on flags or length (no prefix index
            // fits) scans this ~40-byte-per-row index instead of the table, whose rows carry the text
            List.of("CREATE INDEX examples_cover ON examples(topic, status, source, flags, response_words)"),
            // 3 -> 4: "answered" (a virtual generated column: no stored bytes, no write-path change) joins the
            // covering index, so the answered/unanswered filter, count(answered) and the length histogram of the
            // charts read the ~40-byte index entries instead of every row's text (stats of 100k rows: 440 ms -> ms)
            List.of("ALTER TABLE examples ADD COLUMN answered INTEGER GENERATED ALWAYS AS (response IS NOT NULL) VIRTUAL",
                    "DROP INDEX examples_cover",
                    "CREATE INDEX examples_cover ON examples(topic, status, source, flags, response_words, answered)"),
            // 4 -> 5: v4 did not do what it meant: SQLite never reads a VIRTUAL generated column from an index
            // (EXPLAIN QUERY PLAN: "USING INDEX", not "USING COVERING INDEX": it computed it from every row's text).
            // An index on the EXPRESSION is covering when queries spell the same expression (SQLite >= 3.41):
            // queries use "(response IS NOT NULL)" literally (ExampleRows.ANSWERED). The column goes again.
            List.of("DROP INDEX examples_cover",
                    "ALTER TABLE examples DROP COLUMN answered",
                    "CREATE INDEX examples_cover ON examples(topic, status, source, flags, response_words, (response IS NOT NULL))"));

    /** Brings a writable connection's schema to {@link #VERSION}. */
    static void migrate(Connection c, java.nio.file.Path file) throws SQLException { migrate(c, file, VERSION); }

    /** Migrates up to {@code target} (tests build old files with it). */
    static void migrate(Connection c, java.nio.file.Path file, int target) throws SQLException {
        if (userVersion(c) == target) return;   // the common case: no write lock needed
        // Two windows (or a tab and a CLI job) may open a fresh file at the same moment: BEGIN IMMEDIATE
        // takes SQLite's write lock first (waiting up to busy_timeout), and the version is read again
        // inside the lock, so exactly one of them creates the schema.
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
            try {
                int have = userVersion(c);
                if (have > VERSION) {
                    throw new SQLException(file + " has dataset schema version " + have + ", newer than this BitNut ("
                            + VERSION + "). HINT: update BitNut Workbench, or export the dataset with the newer version.");
                }
                for (int v = have; v < target; v++) {
                    for (String sql : MIGRATIONS.get(v)) s.execute(sql);
                    s.execute("PRAGMA user_version = " + (v + 1));
                }
                s.execute("COMMIT");
            } catch (SQLException | RuntimeException e) {
                s.execute("ROLLBACK");
                throw e;
            }
        } finally {
            c.setAutoCommit(auto);
        }
    }

    static int userVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA user_version")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }
}
