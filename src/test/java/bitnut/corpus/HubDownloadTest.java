package bitnut.corpus;

import bitnut.common.DirectJobContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/** The Hub downloader against a loopback imitation of the Hub and its CDN (FakeHub). */
class HubDownloadTest {
    static final String REPO = "bitnut-test/tiny-corpus";

    @TempDir Path tmp;
    FakeHub hub;

    @BeforeEach void start() throws Exception {
        hub = new FakeHub();
        Path src = Files.createDirectories(tmp.resolve("src"));
        // real parquet files written by DuckDB: 4 train shards, 1 test shard, and a README
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            for (int k = 0; k < 4; k++) {
                Path f = src.resolve("train-" + k + ".parquet");
                st.execute("COPY (SELECT 'Squirrel report ' || i || ': the acorns are moving, shard " + k
                        + ". ' || repeat('Good dog. ', (i % 17)::INTEGER) AS text, i AS token_length FROM range(3000) t(i)) TO '"
                        + f + "' (FORMAT parquet, COMPRESSION uncompressed)");
                hub.addFile(REPO, "cfg/train-0000" + k + "-of-00004.parquet", f);
            }
            Path t = src.resolve("test.parquet");
            st.execute("COPY (SELECT 'held out ' || i AS text FROM range(10) t(i)) TO '" + t + "' (FORMAT parquet)");
            hub.addFile(REPO, "cfg/test-00000-of-00001.parquet", t);
        }
        Files.writeString(src.resolve("README.md"), "# tiny corpus\n");
        hub.addFile(REPO, "README.md", src.resolve("README.md"));
    }

    @AfterEach void stop() { hub.close(); }

    HubClient.Settings settings(Optional<String> token, long stallMs) {
        return new HubClient.Settings(hub.base(), token, Duration.ofMillis(stallMs), 4, Duration.ofMillis(20), Duration.ofSeconds(2));
    }

    HubDownloadJob job(String repo, int maxFiles, Optional<String> token, long stallMs) {
        return new HubDownloadJob(new HubDownloadJob.Config(new HubDataset(repo, "cfg", "train", "main"),
                tmp.resolve("out"), maxFiles, hub.base()), settings(token, stallMs));
    }

    static long rows(Path parquet) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM read_parquet('" + parquet + "')")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test void downloadsPinnedSplitWithTokenOnlyToHubAndReusesFiles() throws Exception {
        hub.gated.add(REPO);
        hub.throttleOnce = true;   // first resolve gets 429 + Retry-After
        DirectJobContext ctx = new DirectJobContext();
        String summary = job(REPO, 0, Optional.of("secret"), 5000).run(ctx);
        assertTrue(summary.contains("Downloaded 4"), summary);
        Path out = tmp.resolve("out");
        for (int k = 0; k < 4; k++) {
            Path f = out.resolve("cfg/train-0000" + k + "-of-00004.parquet");
            assertEquals(3000, rows(f));
            assertFalse(Files.exists(f.resolveSibling(f.getFileName() + ".part")));
        }
        assertFalse(Files.exists(out.resolve("cfg/test-00000-of-00001.parquet")), "other split not downloaded");
        assertFalse(hub.cdnSawAuthorization, "the token must never reach the CDN host");
        // pagination (2 entries a page) and pinning: resolves after the first use the commit sha
        assertTrue(hub.hubRequests.stream().anyMatch(r -> r.contains("cursor=2")), hub.hubRequests.toString());
        assertTrue(hub.hubRequests.stream().anyMatch(r -> r.contains("/resolve/" + FakeHub.COMMIT + "/cfg/train-00003")));
        assertTrue(Files.readString(out.resolve("hub.json")).contains(FakeHub.COMMIT));
        assertEquals(1.0, ctx.fraction(), 1e-9);

        int cdnBefore = hub.cdnRequests.size();
        String again = job(REPO, 0, Optional.of("secret"), 5000).run(new DirectJobContext());
        assertTrue(again.contains("reused 4"), again);
        assertEquals(cdnBefore, hub.cdnRequests.size(), "completed downloads are reused, not fetched again");
    }

    @Test void listingFollowsRedirectsWithTheTokenOnlyOnTheHub() throws Exception {
        // a renamed repo (301 on the Hub, relative Location) whose tree API then redirects to another
        // host (302): the listing follows both; the gated Hub gets the token, the other host never
        hub.gated.add(REPO);
        hub.renamed.put("bitnut-test/old-name", REPO);
        hub.treeOnCdn = true;
        HubDataset old = new HubDataset("bitnut-test/old-name", "cfg", "train", "main");
        var files = new HubClient(settings(Optional.of("secret"), 5000)).listParquet(old);
        assertEquals(4, files.size(), files.toString());
        assertEquals("cfg/train-00000-of-00004.parquet", files.get(0).path());
        assertEquals(Files.size(tmp.resolve("src/train-0.parquet")), files.get(0).size());
        // 5 entries, 2 a page: every page (next links point at the Hub) is redirected to the mirror
        assertTrue(hub.hubRequests.stream().anyMatch(r -> r.contains("cursor=4")), hub.hubRequests.toString());
        assertEquals(3, hub.cdnRequests.stream().filter(r -> r.contains("/tree-mirror/")).count(), hub.cdnRequests.toString());
        assertFalse(hub.cdnSawAuthorization, "the token must never reach the redirect target's host");
        // without the token the Hub refuses before redirecting: a clear error, not a parse failure
        HubException e = assertThrows(HubException.class, () -> new HubClient(settings(Optional.empty(), 5000)).listParquet(old));
        assertTrue(e.getMessage().contains("401"), e.getMessage());

        // the whole download job by the old name: listing and resolves follow the rename
        String summary = new HubDownloadJob(new HubDownloadJob.Config(old, tmp.resolve("out"), 1, hub.base()),
                settings(Optional.of("secret"), 5000)).run(new DirectJobContext());
        assertTrue(summary.contains("Downloaded 1"), summary);
        assertEquals(3000, rows(tmp.resolve("out/cfg/train-00000-of-00004.parquet")));
        assertFalse(hub.cdnSawAuthorization);
    }

    @Test void connectionCutMidFileResumesWithRange() throws Exception {
        hub.cutOnce.add("cfg/train-00001-of-00004.parquet");
        DirectJobContext ctx = new DirectJobContext();
        job(REPO, 2, Optional.empty(), 5000).run(ctx);
        Path f = tmp.resolve("out/cfg/train-00001-of-00004.parquet");
        assertEquals(3000, rows(f));
        assertTrue(hub.cdnRequests.stream().anyMatch(r -> r.contains("train-00001") && r.matches(".* bytes=[1-9][0-9]*-")),
                "resumed with a Range request: " + hub.cdnRequests);
        assertTrue(ctx.logs().stream().anyMatch(l -> l.startsWith("retry:")), ctx.logs().toString());
        assertFalse(Files.exists(tmp.resolve("out/cfg/train-00002-of-00004.parquet")), "maxFiles = 2");
    }

    @Test void stalledBodyIsAbortedAndRetried() throws Exception {
        hub.stallOnce.add("cfg/train-00000-of-00004.parquet");
        DirectJobContext ctx = new DirectJobContext();
        long t0 = System.nanoTime();
        job(REPO, 1, Optional.empty(), 400).run(ctx);
        assertTrue((System.nanoTime() - t0) / 1e9 < 8, "the watchdog, not the server's 10 s, ended the stall");
        assertEquals(3000, rows(tmp.resolve("out/cfg/train-00000-of-00004.parquet")));
        assertTrue(ctx.logs().stream().anyMatch(l -> l.contains("stalled")), ctx.logs().toString());
    }

    @Test void missingRepoAndGatedRepoGiveClearErrors() {
        HubException e = assertThrows(HubException.class, () -> job("nobody/nothing", 0, Optional.empty(), 2000).run(new DirectJobContext()));
        assertTrue(e.getMessage().contains("404") && e.getMessage().contains("HINT"), e.getMessage());

        hub.gated.add(REPO);
        e = assertThrows(HubException.class, () -> job(REPO, 0, Optional.empty(), 2000).run(new DirectJobContext()));
        assertTrue(e.getMessage().contains("401") && e.getMessage().contains("HF_TOKEN"), e.getMessage());
        e = assertThrows(HubException.class, () -> job(REPO, 0, Optional.of("wrong"), 2000).run(new DirectJobContext()));
        assertTrue(e.getMessage().contains("a token was sent"), e.getMessage());
    }

    @Test void wrongChecksumIsRejected() throws Exception {
        hub.wrongEtag.add("cfg/train-00000-of-00004.parquet");
        HubException e = assertThrows(HubException.class, () -> job(REPO, 1, Optional.empty(), 2000).run(new DirectJobContext()));
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
        Path f = tmp.resolve("out/cfg/train-00000-of-00004.parquet");
        assertFalse(Files.exists(f));
        assertFalse(Files.exists(f.resolveSibling(f.getFileName() + ".part")));
    }

    @Test void resumerRecreatesTheDownloadFromItsSavedSpec() throws Exception {
        HubDownloadJob original = job(REPO, 1, Optional.empty(), 5000);
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = bitnut.common.Json.MAPPER.readValue(
                bitnut.common.Json.MAPPER.writeValueAsString(original.spec()), Map.class);
        HubDownloadJob.register();
        bitnut.common.Job resumed = bitnut.common.JobKinds.resumer(HubDownloadJob.KIND).orElseThrow().apply(tmp, spec);
        assertEquals(original.spec(), resumed.spec());
        String summary = resumed.run(new DirectJobContext());
        assertTrue(summary.contains("Downloaded 1"), summary);
        assertEquals(3000, rows(tmp.resolve("out/cfg/train-00000-of-00004.parquet")));
    }

    @Test void tokenLookupOrder() throws Exception {
        Path home = tmp.resolve("home");
        Files.createDirectories(home.resolve(".cache/huggingface"));
        Files.writeString(home.resolve(".cache/huggingface/token"), "from-file\n");
        assertEquals("a", HubToken.from(Map.of("HF_TOKEN", "a", "HUGGING_FACE_HUB_TOKEN", "b"), home).orElseThrow());
        assertEquals("b", HubToken.from(Map.of("HUGGING_FACE_HUB_TOKEN", "b"), home).orElseThrow());
        assertEquals("from-file", HubToken.from(Map.of(), home).orElseThrow());
        assertTrue(HubToken.from(Map.of("HF_HOME", tmp.resolve("none").toString()), home).isEmpty());
    }
}
