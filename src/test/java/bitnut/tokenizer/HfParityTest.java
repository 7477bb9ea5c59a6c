package bitnut.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import bitnut.common.DirectJobContext;
import bitnut.common.Json;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Parity with HF tokenizers on the shared fixtures (tokenizer-spec.md): skipped when
 * {@code ../shared/data/tokenizer-reference} is absent. Never copies the seed text into the repo:
 * it is regenerated into a temp folder by the fixture's own script.
 */
class HfParityTest {
    static Path ref;

    @BeforeAll
    static void locate() {
        String shared = System.getProperty("bitnut.shared", "../shared");
        ref = Path.of(shared, "data", "tokenizer-reference");
    }

    @Test
    void trainsTheSameTokenizerJsonAsHfOnTheSeedCorpus(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isRegularFile(ref.resolve("expected_tokenizer_8192.json")), "shared tokenizer fixtures absent");
        Path corpus = tmp.resolve("seed_corpus.txt");
        Process p = new ProcessBuilder("python3", ref.resolve("make_seed_corpus.py").toString(), corpus.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assumeTrue(p.waitFor() == 0, "python3 could not build the seed corpus: " + out);
        String expectedSha = Files.readString(ref.resolve("seed_corpus.sha256")).trim().split("\\s+")[0];
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(corpus)));
        assertEquals(expectedSha, sha, "regenerated seed corpus differs from the fixture's");

        Path outDir = tmp.resolve("tok");
        TokenizerConfig cfg = TokenizerConfig.hfParity(8192, 2, TokenizerConfig.DEFAULT_SPECIALS).withThreads(2);
        new TrainTokenizerJob(List.of(corpus.toString()), cfg, outDir).run(new DirectJobContext());
        String expected = Files.readString(ref.resolve("expected_tokenizer_8192.json"));
        String actual = Files.readString(outDir.resolve("tokenizer.json"));
        if (!expected.equals(actual)) {
            JsonNode e = Json.MAPPER.readTree(expected).path("model"), a = Json.MAPPER.readTree(actual).path("model");
            assertEquals(e.path("vocab").size(), a.path("vocab").size(), "vocab size");
            for (int i = 0; i < e.path("merges").size(); i++) {
                assertEquals(e.path("merges").get(i).toString(), a.path("merges").path(i).toString(), "merge " + i);
            }
            assertEquals(e, a, "model");
            fail("same content, different bytes");
        }
    }

    /** The 2,082 HF cases: our scanner's pre-tokens equal HF's; our reference encoder's ids and decode equal DJL's. */
    @Test
    void pretokenizerEncoderAndDjlMatchHfCases() throws Exception {
        Path cases = ref.resolve("pretok_cases.jsonl");
        Path tok = ref.resolve("../bitnut-seed/bitnut-tokenizer/tokenizer.json").normalize();
        assumeTrue(Files.isRegularFile(cases) && Files.isRegularFile(tok), "shared tokenizer fixtures absent");
        BpeEncoder enc = BpeEncoder.load(tok);
        int n = 0;
        try (BufferedReader r = Files.newBufferedReader(cases);
             HuggingFaceTokenizer djl = HuggingFaceTokenizer.newInstance(tok,
                     Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"))) {
            String line;
            while ((line = r.readLine()) != null) {
                JsonNode c = Json.MAPPER.readTree(line);
                String input = c.get("input").asText();
                List<String> pre = new ArrayList<>();
                ByteLevel.split(input, 0, input.length(), (a, b) -> {
                    byte[] u = input.substring(a, b).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    pre.add(ByteLevel.toByteChars(u, 0, u.length));
                });
                List<String> expectedPre = new ArrayList<>();
                c.get("pretokens").forEach(x -> expectedPre.add(x.asText()));
                                assertEquals(expectedPre, pre, "pre-tokens of " + line);
                // The fixture's "ids"/"tokens" come from a different training run than the shared
                // tokenizer.json (fixture: "Ġf ox", "Ġlazy"; the file has "Ġfox" and no "Ġlazy"), so
                // ids are compared between our reference encoder and DJL on the same file.
                int[] ids = enc.encode(input);
                long[] djlIds = djl.encode(input).getIds();
                assertArrayEquals(java.util.Arrays.stream(ids).asLongStream().toArray(), djlIds, "DJL ids of " + line);
                assertEquals(djl.decode(djlIds, false), enc.decode(ids), "decode of " + line);
                n++;
            }
        }
        assertEquals(2082, n);
    }

    /** special_tokens_map.json equals the original project's byte for byte. */
    @Test
    void specialTokensMapMatchesTheOriginalProjects() throws Exception {
        Path orig = ref.resolve("../bitnut-seed/bitnut-tokenizer/special_tokens_map.json").normalize();
        assumeTrue(Files.isRegularFile(orig), "shared tokenizer fixtures absent");
        assertEquals(Files.readString(orig), TokenizerFiles.specialTokensMap(TokenizerConfig.DEFAULT_SPECIALS));
    }

    /** Our hand-compiled scanner's classes equal HF's over every scalar value (hf_pretok_classes.tsv). */
    @Test
    void characterClassesMatchHfForEveryCodePoint() throws Exception {
        Path tsv = ref.resolve("hf_pretok_classes.tsv");
        assumeTrue(Files.isRegularFile(tsv), "shared tokenizer fixtures absent");
        int checked = 0;
        for (String line : Files.readAllLines(tsv)) {
            String[] f = line.split("\t");
            int lo = Integer.parseInt(f[0], 16), hi = Integer.parseInt(f[1], 16);
            int want = switch (f[2]) { case "L" -> ByteLevel.LETTER; case "N" -> ByteLevel.NUMBER; case "W" -> ByteLevel.SPACE; default -> ByteLevel.OTHER; };
            for (int cp = lo; cp <= hi; cp++) {
                assertEquals(want, ByteLevel.classOf(cp), () -> "class of U+" + Integer.toHexString(lo));
                checked++;
            }
        }
        assertEquals(1_112_064, checked);
    }
}
