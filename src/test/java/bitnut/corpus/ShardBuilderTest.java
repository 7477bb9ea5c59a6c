package bitnut.corpus;

import bitnut.common.DirectJobContext;
import bitnut.common.JobCancelledException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/** Text -> token shards with a real DJL tokenizer: round trip, split, bad input, refusals, kill -9 resume. */
class ShardBuilderTest {
    @TempDir Path tmp;
    Path tokDir;
    List<String> jsonlDocs;
    List<String> parquetDocs;
    List<String> gzDocs;

    @BeforeEach void corpus() throws Exception {
        tokDir = TestCorpora.writeTokenizer(tmp.resolve("tok"), TestCorpora.MERGES);
        Path in = Files.createDirectories(tmp.resolve("in"));
        jsonlDocs = new ArrayList<>(TestCorpora.documents(1, 300));
        jsonlDocs.set(10, "   ");          // a blank document: counted and skipped
        TestCorpora.writeJsonl(in.resolve("a.jsonl"), jsonlDocs);
        gzDocs = TestCorpora.documents(2, 100);
        Path plain = TestCorpora.writeJsonl(tmp.resolve("b.jsonl"), gzDocs);
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(in.resolve("b.jsonl.gz")))) { o.write(Files.readAllBytes(plain)); }
        parquetDocs = TestCorpora.documents(3, 200);
        Path staging = TestCorpora.writeJsonl(tmp.resolve("c.jsonl"), parquetDocs);
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            st.execute("COPY (SELECT text FROM read_json('" + staging + "', format='newline_delimited', columns={text:'VARCHAR'})) TO '"
                    + in.resolve("c.parquet") + "' (FORMAT parquet)");
        }
        // corrupt inputs: reported, skipped, the build goes on
        Files.write(in.resolve("d-broken.parquet"), "PAR1 this is not really parquet PAR1".getBytes());
        byte[] gz = Files.readAllBytes(in.resolve("b.jsonl.gz"));
        Files.write(in.resolve("e-truncated.jsonl.gz"), Arrays.copyOf(gz, gz.length / 2));
    }

    CorpusBuildConfig config(Path out) {
        return CorpusBuildConfig.of(List.of(tmp.resolve("in").toString()), tokDir, out).withShardTokens(4000).withValFraction(0.2).withThreads(2);
    }

    /** Decodes every document (tokens up to each eos) of a split's shards. */
    static List<String> decodeSplit(Path out, String split, CorpusTokenizer tok) throws IOException {
        List<String> docs = new ArrayList<>();
        try (CorpusTokenizer.Encoder enc = tok.newEncoder()) {
            for (Path p : CorpusIndex.shardFiles(out, split)) {
                try (TokenShardReader r = TokenShardReader.open(p)) {
                    List<Integer> cur = new ArrayList<>();
                    for (long i = 0; i < r.tokenCount(); i++) {
                        int t = r.token(i);
                        if (t == tok.eosId()) {
                            docs.add(enc.decode(cur.stream().mapToInt(Integer::intValue).toArray()));
                            cur.clear();
                        } else {
                            cur.add(t);
                        }
                    }
                    assertTrue(cur.isEmpty(), "every shard ends with <eos>");
                }
            }
        }
        return docs;
    }

    @Test void buildsShardsThatDecodeBackToTheDocuments() throws Exception {
        Path out = tmp.resolve("shards");
        CorpusBuildConfig cfg = config(out);
        DirectJobContext ctx = new DirectJobContext();
        String summary = new ShardBuilder(cfg).run(ctx);
        CorpusIndex idx = CorpusIndex.read(out);
        CorpusTokenizer tok = CorpusTokenizer.load(tokDir);

        // stream order: a.jsonl, b.jsonl.gz, c.parquet (folder walk is sorted); the truncated gzip keeps what it read
        List<String> expected = new ArrayList<>(jsonlDocs);
        expected.addAll(gzDocs);
        expected.addAll(parquetDocs);
        assertEquals(1, idx.emptyDocuments());
        assertTrue(idx.documents() >= expected.size(), "documents read: " + idx.documents());
        List<String> train = new ArrayList<>();
        List<String> val = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++) {
            if (expected.get(i).isBlank()) continue;
            (cfg.isValidation(i) ? val : train).add(expected.get(i));
        }
        List<String> gotTrain = decodeSplit(out, CorpusIndex.TRAIN, tok);
        List<String> gotVal = decodeSplit(out, CorpusIndex.VAL, tok);
        assertEquals(train, gotTrain.subList(0, train.size()), "train documents round-trip in order");
        assertEquals(val, gotVal.subList(0, val.size()), "val documents round-trip in order");
        double share = (double) val.size() / (train.size() + val.size());
        assertTrue(share > 0.14 && share < 0.26, "val share " + share);

        assertEquals(idx.train().tokens() + idx.val().tokens(),
                idx.train().shards().stream().mapToLong(CorpusIndex.ShardInfo::tokens).sum()
                        + idx.val().shards().stream().mapToLong(CorpusIndex.ShardInfo::tokens).sum());
        assertTrue(idx.train().shards().size() >= 3, "several shards of ~4000 tokens: " + idx.train().shards());
        for (Path p : CorpusIndex.shardFiles(out, CorpusIndex.TRAIN)) {
            TokenShardHeader h = TokenShardReader.readHeader(p);
            assertEquals(tok.hashHex(), h.tokenizerHashHex());
            assertEquals(3, h.eosId());
            assertFalse(h.wideTokens());
        }
        assertTrue(idx.skipped().stream().anyMatch(s -> s.path().endsWith("d-broken.parquet")), idx.skipped().toString());
        assertTrue(idx.skipped().stream().anyMatch(s -> s.path().endsWith("e-truncated.jsonl.gz")), idx.skipped().toString());
        assertTrue(summary.contains("2 file(s) skipped"), summary);
        assertEquals(tok.hashHex(), idx.tokenizer().sha256());
        assertEquals(idx.documents(), Arrays.stream(idx.lengthHistogram()).sum());
        try (var ds = Files.newDirectoryStream(out, "*.tmp")) { assertFalse(ds.iterator().hasNext()); }

        // a second run finds the build complete
        assertTrue(new ShardBuilder(cfg).run(new DirectJobContext()).startsWith("Already complete"));
        // training windows read straight from the result
        try (TokenWindows w = TokenWindows.random(CorpusIndex.shardFiles(out, CorpusIndex.TRAIN), 2, 16, 1)) {
            int[] b = new int[w.batchLength()];
            w.nextBatch(b);
            assertTrue(Arrays.stream(b).allMatch(t -> t >= 0 && t < tok.vocabSize()));
        }
    }

    @Test void refusesShardsOfAnotherTokenizerAndOtherSettings() throws Exception {
        Path out = tmp.resolve("shards");
        new ShardBuilder(config(out).withMaxDocuments(50)).run(new DirectJobContext());
        Files.delete(out.resolve(CorpusIndex.FILE));   // as if interrupted
        Path other = TestCorpora.writeTokenizer(tmp.resolve("tok2"), TestCorpora.MERGES.subList(0, 4));
        CorpusBuildConfig withOther = new CorpusBuildConfig(List.of(tmp.resolve("in").toString()), other, out, 0.2, 4000, 1337,
                "text", false, 50, 2);
        IOException e = assertThrows(IOException.class, () -> new ShardBuilder(withOther).run(new DirectJobContext()));
        assertTrue(e.getMessage().contains("another tokenizer") && e.getMessage().contains("HINT"), e.getMessage());
        // without build.json the shard headers still tell
        Files.delete(out.resolve(ShardBuilder.BUILD_FILE));
        e = assertThrows(IOException.class, () -> new ShardBuilder(withOther).run(new DirectJobContext()));
        assertTrue(e.getMessage().contains("another tokenizer"), e.getMessage());
    }

    @Test void cancelLeavesNoTempAndTheRerunCompletes() throws Exception {
        Path out = tmp.resolve("shards");
        DirectJobContext ctx = new DirectJobContext() {
            int n;
            @Override public void checkpoint() {
                if (++n == 2) cancel();      // after the first encoded batch is written (the writer checks per batch)
                super.checkpoint();
            }
        };
        assertThrows(JobCancelledException.class, () -> new ShardBuilder(config(out)).run(ctx));
        try (var ds = Files.newDirectoryStream(out, "*.tmp")) { assertFalse(ds.iterator().hasNext(), "no temp shard left"); }
        assertFalse(Files.exists(out.resolve(CorpusIndex.FILE)));
        new ShardBuilder(config(out)).run(new DirectJobContext());
        Path ref = tmp.resolve("ref");
        new ShardBuilder(config(ref)).run(new DirectJobContext());
        assertSameShards(ref, out);
    }

    @Test void killDashNineMidBuildThenResumeGivesTheSameShards() throws Exception {
        // a bigger input so the child is still writing when it dies
        Path big = tmp.resolve("big");
        for (int k = 0; k < 4; k++) TestCorpora.writeJsonl(big.resolve("part" + k + ".jsonl"), TestCorpora.documents(100 + k, 1000));
        Path out = tmp.resolve("killed");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx256m", "--enable-native-access=ALL-UNNAMED", "-Dai.djl.offline=true",
                "-cp", System.getProperty("java.class.path"), ShardBuildChild.class.getName(),
                tokDir.toString(), out.toString(), "20000", big.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (CorpusIndex.shardFiles(out, CorpusIndex.TRAIN).size() < 3 && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(5);
        assertTrue(p.isAlive(), "child finished before it could be killed: " + Files.readString(tmp.resolve("child.log")));
        p.destroyForcibly();      // SIGKILL on Linux: no shutdown hooks, no cleanup
        p.waitFor();
        assertFalse(Files.exists(out.resolve(CorpusIndex.FILE)));
        int survived = CorpusIndex.shardFiles(out, CorpusIndex.TRAIN).size();

        CorpusBuildConfig cfg = CorpusBuildConfig.of(List.of(big.toString()), tokDir, out).withShardTokens(20000).withValFraction(0.1).withThreads(1);
        DirectJobContext ctx = new DirectJobContext();
        new ShardBuilder(cfg).run(ctx);
        assertTrue(ctx.logs().getFirst().startsWith("resuming: " + survived + " train"), ctx.logs().getFirst());

        Path ref = tmp.resolve("uninterrupted");
        new ShardBuilder(CorpusBuildConfig.of(List.of(big.toString()), tokDir, ref).withShardTokens(20000).withValFraction(0.1).withThreads(2))
                .run(new DirectJobContext());
        assertSameShards(ref, out);
    }

    @Test void resumerRecreatesTheBuildFromItsSavedSpec() throws Exception {
        Path out = tmp.resolve("spec");
        ShardBuilder original = new ShardBuilder(config(out).withMaxDocuments(200));
        // the spec goes through the job history as JSON: numbers come back as Integer/Double
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> spec = bitnut.common.Json.MAPPER.readValue(
                bitnut.common.Json.MAPPER.writeValueAsString(original.spec()), java.util.Map.class);
        ShardBuilder.register();
        bitnut.common.Job resumed = bitnut.common.JobKinds.resumer(ShardBuilder.KIND).orElseThrow().apply(tmp, spec);
        assertEquals(original.spec(), resumed.spec());
        resumed.run(new DirectJobContext());
        assertEquals(200, CorpusIndex.read(out).documents());
    }

    static void assertSameShards(Path expected, Path actual) throws IOException {
        for (String split : List.of(CorpusIndex.TRAIN, CorpusIndex.VAL)) {
            List<Path> a = CorpusIndex.shardFiles(expected, split);
            List<Path> b = CorpusIndex.shardFiles(actual, split);
            assertEquals(a.size(), b.size(), split + " shard count");
            for (int i = 0; i < a.size(); i++) {
                assertArrayEquals(Files.readAllBytes(a.get(i)), Files.readAllBytes(b.get(i)), "byte-identical " + b.get(i).getFileName());
            }
        }
    }
}
