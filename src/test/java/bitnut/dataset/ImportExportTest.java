package bitnut.dataset;

import bitnut.common.DirectJobContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Import of the three JSONL layouts (with bad lines), idempotent re-import, deterministic exports, round trip. */
class ImportExportTest {
    @TempDir Path dir;
    DatasetStore store;

    @BeforeEach void open() throws Exception { store = DatasetStore.open(dir.resolve("db/dataset.db")); }

    @AfterEach void close() { store.close(); }

    private Path write(String name, String... lines) throws Exception {
        Path p = dir.resolve("in").resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, String.join("\n", lines) + "\n");
        return p;
    }

    @Test void importsAllLayoutsReportsBadLinesAndIsIdempotent() throws Exception {
        Path original = write("astronomy.jsonl",
                "{\"prompt\": \"human: What is a quasar?\", \"response\": \"bitnut: A very bright galaxy core! Woof.\"}",
                "{\"prompt\": \"human: Why do stars twinkle?\", \"response\": \"bitnut: The air wiggles the light, like my tail.\"}",
                "this is not json",
                "",
                "{\"prompt\": 42, \"response\": \"bitnut: x\"}",
                "{\"response\": \"bitnut: no prompt\"}");
        Path questions = write("questions.jsonl",
                "{\"topic\": \"cooking\", \"prompt\": \"How do I boil an egg?\"}",
                "{\"prompt\": \"How long do I rest a steak?\"}",
                "[1, 2, 3]");
        Path chat = write("chat.jsonl",
                "{\"messages\": [{\"role\": \"system\", \"content\": \"be a dog\"}, {\"role\": \"user\", \"content\": \"Do fish sleep?\"}, {\"role\": \"assistant\", \"content\": \"They rest, sniff sniff!\"}], \"topic\": \"fish\"}",
                "{\"messages\": [{\"role\": \"assistant\", \"content\": \"no user turn\"}]}");
        DatasetImportJob job = new DatasetImportJob(store, List.of(original, questions, chat), DatasetFormat.AUTO);
        DirectJobContext ctx = new DirectJobContext();
        String summary = job.run(ctx);
        DatasetImportJob.Report r = job.report();
        assertEquals(5, r.inserted(), summary);
        assertEquals(5, r.malformed(), r.problems().toString());
        assertTrue(r.problems().contains("astronomy.jsonl:3: not JSON: Unrecognized token 'this': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')")
                || r.problems().getFirst().startsWith("astronomy.jsonl:3: not JSON"), r.problems().toString());
        assertTrue(r.problems().contains("astronomy.jsonl:5: \"prompt\" is not a string"), r.problems().toString());
        assertTrue(r.problems().contains("astronomy.jsonl:6: missing \"prompt\""), r.problems().toString());
        assertTrue(r.problems().contains("questions.jsonl:3: expected a JSON object"), r.problems().toString());
        assertTrue(r.problems().contains("chat.jsonl:2: no \"user\" message"), r.problems().toString());
        assertEquals(List.of("astronomy", "cooking", "fish", "questions"), store.topics());
        Example q = store.load(store.ids(ExampleFilter.ALL.withSearch("quasar")), 0, 1).getFirst();
        assertEquals("What is a quasar?", q.prompt(), "labels are stripped");
        assertEquals("A very bright galaxy core! Woof.", q.response());
        assertEquals("astronomy.jsonl", q.metadata().get("file"));
        assertEquals(2, store.questionsWithoutAnswer(10).size());

        DatasetImportJob again = new DatasetImportJob(store, List.of(original, questions, chat), DatasetFormat.AUTO);
        again.run(new DirectJobContext());
        assertEquals(0, again.report().inserted());
        assertEquals(5, again.report().duplicates());
        assertEquals(5, store.count(ExampleFilter.ALL));
    }

    @Test void aLineOverTheLimitIsSkippedNotLoaded() throws Exception {
        Path big = write("big.jsonl", "{\"prompt\": \"" + "x".repeat(JsonlLines.MAX_LINE_CHARS + 10) + "\"}",
                "{\"prompt\": \"Still read after the long line?\"}");
        DatasetImportJob job = new DatasetImportJob(store, List.of(big), DatasetFormat.QUESTIONS);
        job.run(new DirectJobContext());
        assertEquals(1, job.report().inserted());
        assertTrue(job.report().problems().getFirst().startsWith("big.jsonl:1: line longer than"), job.report().problems().toString());
    }

    @Test void exportsAreDeterministicAndRoundTrip() throws Exception {
        List<Long> ids = store.addExamples(List.of(
                new NewExample("zoo", "Do lions roar?", "Yes, louder than my bark!", ExampleSource.MANUAL, Map.of()),
                new NewExample("art", "What is cubism?", "Pictures made of boxes, like my toy box. Woof!", ExampleSource.MANUAL, Map.of()),
                new NewExample("art", "Who painted the Mona Lisa?", "Leonardo! She never smiles at squirrels.", ExampleSource.MANUAL, Map.of()),
                new NewExample("art", "Unanswered?", null, ExampleSource.MANUAL, Map.of()))).join();
        store.setStatus(ids.get(1), 1, ExampleStatus.APPROVED).join();

        Path folder = dir.resolve("out/original");
        new DatasetExportJob(store, folder, DatasetFormat.ORIGINAL, null).run(new DirectJobContext());
        assertEquals(List.of(
                "{\"prompt\":\"human: What is cubism?\",\"response\":\"bitnut: Pictures made of boxes, like my toy box. Woof!\"}",
                "{\"prompt\":\"human: Who painted the Mona Lisa?\",\"response\":\"bitnut: Leonardo! She never smiles at squirrels.\"}"),
                Files.readAllLines(folder.resolve("art.jsonl")));
        assertEquals(1, Files.readAllLines(folder.resolve("zoo.jsonl")).size());

        Path chat = dir.resolve("out/chat.jsonl");
        new DatasetExportJob(store, chat, DatasetFormat.HF_CHAT, null).run(new DirectJobContext());
        String first = Files.readString(chat);
        new DatasetExportJob(store, chat, DatasetFormat.HF_CHAT, null).run(new DirectJobContext());
        assertEquals(first, Files.readString(chat), "same database, same bytes");
        assertTrue(first.startsWith("{\"messages\":[{\"role\":\"user\",\"content\":\"What is cubism?\"}"), first);

        Path approved = dir.resolve("out/approved.jsonl");
        new DatasetExportJob(store, approved, DatasetFormat.FINETUNE, null).run(new DirectJobContext());
        assertEquals(List.of("{\"prompt\":\"human: What is cubism?\",\"response\":\"bitnut: Pictures made of boxes, like my toy box. Woof!\"}"),
                Files.readAllLines(approved));
        try (var s = Files.list(dir.resolve("out"))) {
            assertTrue(s.noneMatch(p -> p.toString().endsWith(".tmp")), "no temp files left");
        }

        // round trip: the original-format export imports into an empty store with the same pairs and topics
        try (DatasetStore other = DatasetStore.open(dir.resolve("db2/dataset.db"))) {
            List<Path> files;
            try (var s = Files.list(folder)) { files = s.sorted().toList(); }
            new DatasetImportJob(other, files, DatasetFormat.ORIGINAL).run(new DirectJobContext());
            assertEquals(List.of("art", "zoo"), other.topics());
            assertEquals(3, other.count(ExampleFilter.ALL));
        }
    }

    @Test void flagJobMarksNearDuplicateQuestionsAndKeepsVersions() throws Exception {
        List<Long> ids = store.addExamples(List.of(
                new NewExample("space", "Why is the sky blue in summer?", "Scattering! Woof.", ExampleSource.IMPORTED, Map.of()),
                new NewExample("space", "Why is the sky blue in the summer?", "Scattering again, sniff.", ExampleSource.IMPORTED, Map.of()),
                new NewExample("food", "How do I bake bread?", "As an AI language model, I knead dough. Woof.", ExampleSource.IMPORTED, Map.of()))).join();
        FlagJob job = new FlagJob(store, FlagConfig.DEFAULT);
        job.run(new DirectJobContext());
        Example dup = store.get(ids.get(1)).orElseThrow();
        assertTrue(dup.flags().has(Flag.NEAR_DUPLICATE), dup.flags().toString());
        assertTrue(dup.flagNotes().get("NEAR_DUPLICATE").contains("#" + ids.get(0)), dup.flagNotes().toString());
        assertFalse(store.get(ids.get(0)).orElseThrow().flags().has(Flag.NEAR_DUPLICATE), "the first one is the original");
        assertTrue(store.get(ids.get(2)).orElseThrow().flags().has(Flag.BOILERPLATE));
        assertEquals(1, dup.version(), "flags are derived data: no version bump");
        // an edit keeps the near-duplicate flag until the next flag run
        Example edited = store.edit(dup.id(), dup.version(), dup.prompt(), "Scattering, my tail says so.").join();
        assertTrue(edited.flags().has(Flag.NEAR_DUPLICATE));
        assertEquals(1L, job.counts().get(Flag.NEAR_DUPLICATE));
    }
}
