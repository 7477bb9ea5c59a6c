package bitnut.tokenizer;

import bitnut.common.DirectJobContext;
import bitnut.common.JobCancelledException;
import bitnut.text.SequenceUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The trainer on corpora made here: a hand-computed example, DJL vs our reference encoder,
 * round trips over arbitrary Unicode, errors, cancel, thread-count independence.
 */
class BpeTrainerTest {
    @TempDir static Path dir;
    static Path corpus;
    static Path tokDir;

    /** A small generated corpus: English-like sentences about squirrels, numbers, code, some Unicode. */
    static String generateCorpus(int sentences, long seed) {
        String[] subj = {"The squirrel", "A dog", "BitNut", "My neighbour's cat", "The council of squirrels", "Every acorn"};
        String[] verb = {"runs", "hides", "counts", "believes in", "plans", "guards", "can't find", "won't share"};
        String[] obj = {"the world", "42 acorns", "the park's oak tree", "a secret tunnel", "the mailbox", "café crème", "北京的公园", "🐿️ plans"};
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < sentences; i++) {
            sb.append(subj[r.nextInt(subj.length)]).append(' ').append(verb[r.nextInt(verb.length)]).append(' ')
                    .append(obj[r.nextInt(obj.length)]).append(r.nextInt(5) == 0 ? "!" : ".");
            if (r.nextInt(7) == 0) sb.append("  x = ").append(r.nextInt(1000)).append(";\tif (x > 3) {}");
            sb.append(r.nextInt(4) == 0 ? "\n\n" : r.nextInt(3) == 0 ? "\n" : " ");
        }
        return sb.toString();
    }

    @BeforeAll
    static void train() throws Exception {
        corpus = dir.resolve("corpus.txt");
        Files.writeString(corpus, generateCorpus(3000, 7));
        tokDir = dir.resolve("tok");
        TokenizerConfig cfg = new TokenizerConfig(600, 2, TokenizerConfig.DEFAULT_SPECIALS, true, SequenceUnit.LINES, "text", 0, 2, 50);
        DirectJobContext ctx = new DirectJobContext();
        TrainTokenizerJob job = new TrainTokenizerJob(List.of(corpus.toString()), cfg, tokDir);
        job.run(ctx);
        assertNotNull(job.report());
        assertTrue(job.report().bytesPerToken() > 1.5, "bytes/token " + job.report().bytesPerToken());
    }

    @Test
    void handComputedExample() throws Exception {
        // words {"ab": 3, "abab": 1}: (a,b)=5, (b,a)=1 -> merge a b -> ab, then (ab,ab)=1 -> abab
        WordTable t = new WordTable();
        t.add("ab".getBytes(), 0, 2, 3);
        t.add("abab".getBytes(), 0, 4, 1);
        BpeTrainer.Result r = BpeTrainer.train(t, 100, 0, List.of("<unk>"), false, new DirectJobContext());
        assertEquals(List.of("<unk>", "a", "b", "ab", "abab"), r.vocab());
        assertEquals(2, r.merges().size());
        assertArrayEquals(new String[] {"a", "b"}, r.merges().get(0));
        assertArrayEquals(new String[] {"ab", "ab"}, r.merges().get(1));
        // min_frequency 2 keeps the count-5 merge and stops at the count-1 one
        BpeTrainer.Result r2 = BpeTrainer.train(t, 100, 2, List.of("<unk>"), false, new DirectJobContext());
        assertEquals(1, r2.merges().size());
    }

    @Test
    void overlappingRunsMergeLeftmostFirst() throws Exception {
        // "aaaa" x1: (a,a) counted 3 times -> aa; word becomes "aa aa" -> (aa,aa)
        WordTable t = new WordTable();
        t.add("aaaa".getBytes(), 0, 4, 1);
        BpeTrainer.Result r = BpeTrainer.train(t, 100, 0, List.of(), false, new DirectJobContext());
        assertEquals(List.of("a", "aa", "aaaa"), r.vocab());
    }

    @Test
    void djlAndReferenceEncoderAgreeAndRoundTripArbitraryUnicode() throws Exception {
        BpeEncoder ref = BpeEncoder.load(tokDir);
        List<String> samples = new ArrayList<>(List.of(
                "The squirrel can't find 42 acorns!", "  leading and trailing  ", "\n\n\tTabs\r\nCRLF\n",
                "emoji 🐿️👍🏽 family 👨‍👩‍👧", "中文 日本語 한국어", "e\u0301 combining a\u0308\u0323", "control \u0000\u0001\u001f\u007f",
                "RTL עברית العربية", "math ∑∫√ ½ ²", "<bos> specials <eos> inside", "'s 'll 'RE I'M", "\u00a0nbsp\u2009thin\u3000ideo"));
        Random r = new Random(1);
        for (int i = 0; i < 60; i++) {
            StringBuilder sb = new StringBuilder();
            int n = 1 + r.nextInt(20);
            for (int k = 0; k < n; k++) {
                int cp;
                do { cp = r.nextInt(5) == 0 ? r.nextInt(0x80) : r.nextInt(0x10FFFF); }
                while ((cp >= 0xD800 && cp <= 0xDFFF) || !Character.isDefined(cp) && r.nextBoolean());
                sb.appendCodePoint(cp);
            }
            samples.add(sb.toString());
        }
        try (WorkspaceTokenizer djl = WorkspaceTokenizer.load(tokDir)) {
            assertEquals(ref.vocabSize(), djl.vocabSize());
            assertTrue(djl.vocabSize() > 5 + 256 + 200 && djl.vocabSize() <= 600, "vocab " + djl.vocabSize());
            assertEquals(2, djl.bosId());
            assertEquals(3, djl.eosId());
            assertEquals(0, djl.padId());
            assertEquals(1, djl.unkId());
            for (String s : samples) {
                int[] ids = djl.encode(s);
                assertArrayEquals(ref.encode(s), ids, "ids of " + s);
                assertEquals(s, djl.decode(ids), "DJL round trip");
                assertEquals(s, ref.decode(ids), "reference round trip");
                for (int id : ids) assertNotEquals(1, id, "no <unk> with the full byte alphabet");
            }
            // lone surrogates are replaced by U+FFFD before encoding
            String lone = "a\uD800b\uDC00c";
            assertEquals("a\uFFFDb\uFFFDc", djl.decode(djl.encode(lone)));
            assertArrayEquals(ref.encode(lone), djl.encode(lone));
        }
    }

    @Test
    void resultDoesNotDependOnThreadCount() throws Exception {
        Path one = dir.resolve("one"), two = dir.resolve("two");
        TokenizerConfig c = new TokenizerConfig(500, 2, List.of("<unk>"), false, SequenceUnit.DOCUMENTS, "text", 0, 1, 0);
        new TrainTokenizerJob(List.of(corpus.toString()), c, one).run(new DirectJobContext());
        new TrainTokenizerJob(List.of(corpus.toString()), c.withThreads(3), two).run(new DirectJobContext());
        assertEquals(Files.readString(one.resolve("tokenizer.json")), Files.readString(two.resolve("tokenizer.json")));
    }

    @Test
    void clearErrors() throws Exception {
        Path empty = dir.resolve("empty.txt");
        Files.writeString(empty, "");
        TokenizerConfig c = TokenizerConfig.defaults(1000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TrainTokenizerJob(List.of(empty.toString(), dir.resolve("nope.txt").toString()), c, dir.resolve("e")).run(new DirectJobContext()));
        assertTrue(e.getMessage().contains("corpus is empty"), e.getMessage());
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> new TrainTokenizerJob(List.of(corpus.toString()), TokenizerConfig.defaults(200), dir.resolve("s")).run(new DirectJobContext()));
        assertTrue(small.getMessage().contains("5 special tokens + 256 alphabet"), small.getMessage());
        assertFalse(Files.exists(dir.resolve("s").resolve("tokenizer.json")));
    }

    @Test
    void aHostileTokenizerJsonIsRejectedClearly() throws Exception {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"added_tokens\": [], \"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 2000000000}, \"merges\": []}}");
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> BpeEncoder.load(bad));
        assertTrue(e.getMessage().contains("out of range"), e.getMessage());
        Files.writeString(bad, "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [[\"a\", \"zz\"]]}}");
        e = assertThrows(java.io.IOException.class, () -> BpeEncoder.load(bad));
        assertTrue(e.getMessage().contains("missing from the vocab"), e.getMessage());
    }

    @Test
    void cancelStopsWithoutWritingATokenizer() throws Exception {
        DirectJobContext ctx = new DirectJobContext();
        ctx.cancel();
        Path out = dir.resolve("cancelled");
        assertThrows(JobCancelledException.class,
                () -> new TrainTokenizerJob(List.of(corpus.toString()), TokenizerConfig.defaults(2000), out).run(ctx));
        assertFalse(Files.exists(out.resolve("tokenizer.json")));
    }

    @Test
    void scannerEqualsTheRegexOnRandomText() {
        Random r = new Random(3);
        String alphabet = "ab Z9'\n\t\r .,!?-_\u00a0\u2003é中🐿️\u0301sltmdrevl";
        for (int i = 0; i < 3000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = r.nextInt(24);
            for (int k = 0; k < n; k++) sb.appendCodePoint(alphabet.codePointAt(alphabet.offsetByCodePoints(0, r.nextInt(alphabet.codePointCount(0, alphabet.length())))));
            String s = sb.toString();
            List<String> want = new ArrayList<>();
            var m = ByteLevel.PATTERN.matcher(s);
            while (m.find()) want.add(m.group());
            List<String> got = new ArrayList<>();
            ByteLevel.split(s, 0, s.length(), (a, b) -> got.add(s.substring(a, b)));
            assertEquals(want, got, () -> "split of " + s.replace("\n", "\\n"));
        }
    }
}
