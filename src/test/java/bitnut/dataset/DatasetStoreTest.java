package bitnut.dataset;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.*;

/** The store on a real SQLite file: synth API, edits, conflicts, history, search, stats. */
class DatasetStoreTest {
    @TempDir Path dir;
    DatasetStore store;

    @BeforeEach void open() throws Exception { store = DatasetStore.open(dir.resolve("dataset.db")); }

    @AfterEach void close() { store.close(); }

    @Test void addQuestionsIsIdempotentOnTheNormalizedKey() {
        List<Long> first = store.addQuestions(List.of(
                NewQuestion.of("space", "What is a quasar?", Map.of("teacher", "test")),
                NewQuestion.of("space", "1. what is a   QUASAR", Map.of()),          // same key
                NewQuestion.of("space", "\"What is a quasar?\"", Map.of()),          // same key, quoted
                NewQuestion.of("space", "Why do stars twinkle?", Map.of()))).join();
        assertEquals(2, first.size());
        List<Long> again = store.addQuestions(List.of(NewQuestion.of("space", "What is a quasar?", Map.of()))).join();
        assertTrue(again.isEmpty(), "a re-run inserts nothing twice");
        assertTrue(store.containsQuestionKey("what is a quasar"));
        assertFalse(store.containsQuestionKey("what is a pulsar"));
        assertEquals(List.of("what is a quasar", "why do stars twinkle"), store.allQuestionKeys());
        assertEquals(2, store.questionsWithoutAnswer(10).size());
        assertEquals(0, store.questionsWithoutAnswer("cooking", 10).size());
        assertEquals("test", store.get(first.get(0)).orElseThrow().metadata().get("teacher"));
    }

    @Test void generatedAnswerIsStoredWithMetadataFlagsAndRevision() {
        long id = store.addQuestions(List.of(NewQuestion.of("space", "What is a quasar?", Map.of("job_id", "q1")))).join().getFirst();
        store.setGeneratedAnswer(id, "Woof! A quasar is a super bright galaxy core, brighter than my squirrel alarm",
                Map.of("model", "m", "finish_reason", "length", "tokens_per_s", 12.5)).join();
        Example e = store.get(id).orElseThrow();
        assertEquals(e.response(), e.originalResponse());
        assertEquals("q1", e.metadata().get("job_id"));
        assertEquals("m", e.metadata().get("model"));
        assertTrue(e.flags().has(Flag.TRUNCATED), e.flags().toString());
        assertTrue(e.flagNotes().get("TRUNCATED").contains("max-token"));
        assertEquals(2, e.version());
        assertTrue(store.questionsWithoutAnswer(10).isEmpty());
        assertEquals(List.of("insert", "answer"), store.history(id).stream().map(Revision::action).toList());
    }

    @Test void staleEditFailsWithVersionConflictAndLosesNothing() {
        long id = store.addExamples(List.of(new NewExample("dogs", "Do dogs dream?", "Woof, I dream of squirrels!",
                ExampleSource.IMPORTED, Map.of()))).join().getFirst();
        Example v1 = store.get(id).orElseThrow();
        Example v2 = store.edit(id, v1.version(), v1.prompt(), "Yes! I dream of chasing squirrels, tail wagging.").join();
        assertEquals(v1.version() + 1, v2.version());
        CompletionException ex = assertThrows(CompletionException.class,
                () -> store.edit(id, v1.version(), v1.prompt(), "an edit based on the old text").join());
        VersionConflictException vc = assertInstanceOf(VersionConflictException.class, ex.getCause());
        assertEquals(v2.response(), vc.current().response());
        assertEquals(v2.response(), store.get(id).orElseThrow().response());
        assertEquals("Woof, I dream of squirrels!", store.get(id).orElseThrow().originalResponse(), "original kept for the diff");
    }

    @Test void restoreMakesANewVersionAndHistoryIsAppendOnly() throws Exception {
        long id = store.addExamples(List.of(new NewExample("dogs", "Do dogs dream?", "first", ExampleSource.MANUAL, Map.of()))).join().getFirst();
        Example v2 = store.edit(id, 1, "Do dogs dream?", "second").join();
        Example v3 = store.setStatus(id, v2.version(), ExampleStatus.APPROVED).join();
        Example v4 = store.restore(id, v3.version(), 1).join();
        assertEquals("first", v4.response());
        assertEquals(ExampleStatus.NEW, v4.status());
        assertEquals(List.of(1L, 2L, 3L, 4L), store.history(id).stream().map(Revision::version).toList());
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + store.file()); Statement s = c.createStatement()) {
            assertThrows(java.sql.SQLException.class, () -> s.execute("DELETE FROM revisions"));
            assertThrows(java.sql.SQLException.class, () -> s.execute("UPDATE revisions SET prompt = 'x'"));
        }
    }

    @Test void bulkStatusReturnsPreviousStatusesForUndo() {
        List<NewExample> xs = new ArrayList<>();
        for (int i = 0; i < 10; i++) xs.add(new NewExample(i % 2 == 0 ? "a" : "b", "question " + i + "?", "answer " + i, ExampleSource.IMPORTED, Map.of()));
        List<Long> ids = store.addExamples(xs).join();
        store.setStatus(ids.get(0), 1, ExampleStatus.APPROVED).join();
        Map<Long, ExampleStatus> before = store.setStatusWhere(ExampleFilter.ALL.withTopic("a"), ExampleStatus.REJECTED).join();
        assertEquals(5, before.size());
        assertEquals(ExampleStatus.APPROVED, before.get(ids.get(0)));
        assertEquals(5, store.count(ExampleFilter.ALL.withStatus(ExampleStatus.REJECTED)));
        store.setStatuses(before).join();   // undo
        assertEquals(0, store.count(ExampleFilter.ALL.withStatus(ExampleStatus.REJECTED)));
        assertEquals(ExampleStatus.APPROVED, store.get(ids.get(0)).orElseThrow().status());
    }

    @Test void fullTextSearchFollowsEditsAndIgnoresDiacriticsAndOperators() {
        List<Long> ids = store.addExamples(List.of(
                new NewExample("food", "How do I make crème brûlée?", "Sniff sniff, caramel!", ExampleSource.IMPORTED, Map.of()),
                new NewExample("space", "What is a quasar?", "A bright galaxy core, woof.", ExampleSource.IMPORTED, Map.of()))).join();
        assertArrayEquals(new long[] {ids.get(0)}, store.ids(ExampleFilter.ALL.withSearch("creme brulee")));
        assertArrayEquals(new long[] {ids.get(1)}, store.ids(ExampleFilter.ALL.withSearch("gal")), "last word is a prefix");
        assertEquals(0, store.ids(ExampleFilter.ALL.withSearch("\"AND OR NEAR(")).length, "operators are quoted, not parsed");
        store.edit(ids.get(1), 1, "What is a quasar?", "A squirrel telescope question!").join();
        assertEquals(0, store.ids(ExampleFilter.ALL.withSearch("galaxy")).length, "index follows the edit");
        assertEquals(1, store.ids(ExampleFilter.ALL.withSearch("telescope")).length);
    }

    @Test void filtersStatsAndPagedLoadsAgree() {
        List<NewExample> xs = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String resp = i % 3 == 0 ? null : "Woof! " + "word ".repeat(i * 10) + "squirrel.";
            xs.add(new NewExample("t" + (i % 3), "q" + i + "?", resp, ExampleSource.IMPORTED, Map.of()));
        }
        store.addExamples(xs).join();
        DatasetStats st = store.stats(ExampleFilter.ALL);
        assertEquals(30, st.total());
        assertEquals(20, st.answered());
        assertEquals(Map.of("t0", 10L, "t1", 10L, "t2", 10L), st.perTopic());
        assertEquals(20, java.util.Arrays.stream(st.lengthHistogram()).sum());
        long tooLong = store.count(ExampleFilter.ALL.withFlag(Flag.TOO_LONG));
        assertEquals(st.perFlag().get(Flag.TOO_LONG), tooLong);
        assertEquals(store.count(ExampleFilter.ALL.withWords(201, null)), tooLong);
        assertEquals(10, store.count(ExampleFilter.ALL.withHasResponse(false)));
        long[] ids = store.ids(ExampleFilter.ALL.withTopic("t1"));
        assertEquals(10, ids.length);
        List<Example> page = store.load(ids, 2, 5);
        assertEquals(List.of(ids[2], ids[3], ids[4]), page.stream().map(Example::id).toList());
    }

    /**
     * ids() reads the full-text matches straight from FTS5 and intersects them in Java with the other
     * filters' ids (sorted in Java); the previous single SQL statement (IN subquery, ORDER BY in SQLite)
     * is the reference: every combination must give the same ids in the same ascending order.
     */
    @Test void fastIdsAgreeWithTheSingleStatementForEveryFilterCombination() {
        String[] words = {"squirrel", "quasar", "bread", "garden", "tail", "wag", "park", "coffee"};
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        List<NewExample> xs = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            StringBuilder resp = new StringBuilder("Woof!");
            for (int w = 0, n = 3 + r.nextInt(60); w < n; w++) resp.append(' ').append(words[r.nextInt(words.length)]);
            xs.add(new NewExample("t" + (i % 7), "Question " + i + " about " + words[i % words.length] + "?",
                    i % 9 == 0 ? null : resp.toString(), ExampleSource.values()[i % 3], Map.of()));
        }
        store.addExamples(xs).join();
        // statuses out of id order, so the covering index order differs from id order within a topic
        Map<Long, ExampleStatus> st = new java.util.HashMap<>();
        long[] all = store.ids(ExampleFilter.ALL);
        for (int i = 0; i < all.length; i += 2) st.put(all[i], ExampleStatus.values()[(i / 2) % 4]);
        store.setStatuses(st).join();
        List<ExampleFilter> bases = List.of(ExampleFilter.ALL, ExampleFilter.ALL.withTopic("t3"),
                ExampleFilter.ALL.withStatus(ExampleStatus.APPROVED), ExampleFilter.ALL.withFlag(Flag.TOO_LONG),
                ExampleFilter.ALL.withWords(20, 40), ExampleFilter.ALL.withHasResponse(false),
                ExampleFilter.ALL.withSource(ExampleSource.MANUAL).withStatus(ExampleStatus.NEW),
                ExampleFilter.ALL.withTopic("t1").withUnflagged(true));
        List<String> searches = java.util.Arrays.asList(null, "squirrel", "qua", "bread garden", "question 1", "nosuchword", "!!", "t");
        int nonEmpty = 0;
        for (ExampleFilter b : bases) {
            for (String q : searches) {
                ExampleFilter f = q == null ? b : b.withSearch(q);
                long[] fast = store.ids(f);
                assertArrayEquals(store.idsSortedInSqlForBench(f), fast, f.toString());
                for (int i = 1; i < fast.length; i++) assertTrue(fast[i - 1] < fast[i], "ascending: " + f);
                assertEquals(store.count(f), fast.length, f.toString());
                if (fast.length > 0) nonEmpty++;
                // the charts' counts agree with plain counts of the same selection, and both ways of reading them agree
                DatasetStats chart = store.stats(f);
                DatasetStats five = store.statsInFiveStatements(f), one = store.statsInOneStatement(f);
                assertEquals(five.total(), one.total(), f.toString());
                assertEquals(five.answered(), one.answered(), f.toString());
                assertEquals(five.perTopic(), one.perTopic(), f.toString());
                assertEquals(List.copyOf(five.perTopic().keySet()), List.copyOf(one.perTopic().keySet()), "topic order: " + f);
                assertEquals(five.perStatus(), one.perStatus(), f.toString());
                assertEquals(five.perSource(), one.perSource(), f.toString());
                assertEquals(five.perFlag(), one.perFlag(), f.toString());
                assertArrayEquals(five.lengthHistogram(), one.lengthHistogram(), f.toString());
                assertEquals(fast.length, chart.total(), f.toString());
                if (f.hasResponse() == null) assertEquals(store.count(f.withHasResponse(true)), chart.answered(), f.toString());
                else assertEquals(f.hasResponse() ? fast.length : 0, chart.answered(), f.toString());
                assertEquals(chart.answered(), java.util.Arrays.stream(chart.lengthHistogram()).sum(), f.toString());
                assertEquals(fast.length, chart.perTopic().values().stream().mapToLong(Long::longValue).sum(), f.toString());
                if (f.status() == null) {
                    for (ExampleStatus s2 : ExampleStatus.values()) {
                        assertEquals(store.count(f.withStatus(s2)), chart.perStatus().getOrDefault(s2, 0L), f + " " + s2);
                    }
                }
                if (f.flag() == null && f.unflagged() == null) {
                    assertEquals(store.count(f.withFlag(Flag.TOO_LONG)), chart.perFlag().get(Flag.TOO_LONG), f.toString());
                }
            }
        }
        assertTrue(nonEmpty >= 35, "the combinations select something (" + nonEmpty + " of 64 non-empty; 16 search for nothing)");
        assertEquals(0, store.ids(ExampleFilter.ALL.withSearch("!!")).length, "punctuation only matches nothing");
        assertArrayEquals(new long[] {2, 5}, ExampleQueries.intersect(new long[] {1, 2, 5, 9}, new long[] {2, 3, 5, 8}));
    }

    /** The filter and chart statements must be answered from examples_cover alone (never the rows with their text). */
    @Test void filterAndChartCountsReadOnlyTheCoveringIndex() throws Exception {
        store.addExamples(List.of(new NewExample("t", "q?", "Woof.", ExampleSource.IMPORTED, Map.of()))).join();
        List<ExampleFilter> filters = List.of(ExampleFilter.ALL, ExampleFilter.ALL.withHasResponse(true),
                ExampleFilter.ALL.withHasResponse(false).withTopic("t"), ExampleFilter.ALL.withStatus(ExampleStatus.NEW).withWords(1, 5),
                ExampleFilter.ALL.withFlag(Flag.TOO_LONG).withSource(ExampleSource.IMPORTED));
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + store.file())) {
            for (ExampleFilter f : filters) {
                ExampleRows.Where w = ExampleRows.where(f);
                String and = w.sql().isEmpty() ? " WHERE " : w.sql() + " AND ";
                for (String sql : List.of(
                        "SELECT count(*), sum(" + ExampleRows.ANSWERED + "), sum(flags & 1) FROM examples INDEXED BY examples_cover" + w.sql(),
                        "SELECT min(response_words / 20, 9), count(*) FROM examples INDEXED BY examples_cover" + and + ExampleRows.ANSWERED + " = 1 GROUP BY 1",
                        "SELECT count(*), group_concat(id, ',') FROM examples INDEXED BY examples_cover" + w.sql(),
                        // the materialized selection of stats()
                        "SELECT topic, status, source, flags, response_words, " + ExampleRows.ANSWERED + " FROM examples INDEXED BY examples_cover" + w.sql())) {
                    try (var ps = c.prepareStatement("EXPLAIN QUERY PLAN " + sql)) {
                        w.bind(ps, 1);
                        StringBuilder plan = new StringBuilder();
                        try (ResultSet rs = ps.executeQuery()) { while (rs.next()) plan.append(rs.getString(4)).append('\n'); }
                        assertTrue(plan.toString().contains("COVERING INDEX examples_cover"), sql + "\n" + plan);
                    }
                }
            }
        }
    }

    @Test void concurrentWritersAreSerializedAndAllAcknowledged() throws Exception {
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int tt = t;
            ts.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 50; i++) {
                    store.addQuestions(List.of(NewQuestion.of("t" + tt, "question " + tt + "-" + i + "?", Map.of()))).join();
                }
            }));
        }
        for (Thread t : ts) t.join();
        assertEquals(200, store.count(ExampleFilter.ALL));
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + store.file()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
            rs.next();
            assertEquals("wal", rs.getString(1));
        }
    }

    @Test void aVersion1FileIsMigratedAndItsIndexRebuilt() throws Exception {
        Path old = dir.resolve("v1.db");
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + old)) {
            DatasetSchema.migrate(c, old, 1);
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO examples (topic, prompt, response, source, question_key, original_prompt, created_at, updated_at) "
                        + "VALUES ('t', 'Why do owls hoot?', 'To talk, woof.', 'imported', 'why do owls hoot', 'Why do owls hoot?', 0, 0)");
            }
        }
        try (DatasetStore s = DatasetStore.open(old); var c = DriverManager.getConnection("jdbc:sqlite:" + old)) {
            assertEquals(DatasetSchema.VERSION, DatasetSchema.userVersion(c));
            assertEquals(1, s.ids(ExampleFilter.ALL.withSearch("owls")).length);
        }
    }

    @Test void aNewerSchemaIsRefusedWithAHint() throws Exception {
        store.close();
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("dataset.db")); Statement s = c.createStatement()) {
            s.execute("PRAGMA user_version = 99");
        }
        var e = assertThrows(java.sql.SQLException.class, () -> DatasetStore.open(dir.resolve("dataset.db")));
        assertTrue(e.getMessage().contains("HINT"), e.getMessage());
        store = DatasetStore.open(dir.resolve("other.db"));
    }
}
