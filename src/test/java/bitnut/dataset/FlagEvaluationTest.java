package bitnut.dataset;

import bitnut.common.Json;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Precision and recall of every automatic flag on hand-labelled examples: our own fixtures
 * (flag-fixtures.jsonl, written for this project by make_flag_fixtures.py) and, when the shared seed
 * data is present, a labelled sample of its pairs (seed-labels.tsv keeps only file:line, a hash and
 * labels). Prints a markdown table (copied into docs/benchmarks.md "Dataset") and writes it to
 * target/flag-evaluation.md. The floors below are what the detectors reached when the figures were
 * recorded, minus a margin: a regression in a detector fails here.
 */
class FlagEvaluationTest {
    private final FlagDetector detector = new FlagDetector(FlagConfig.DEFAULT);

    record Labelled(String id, String prompt, String response, Map<String, Object> metadata, Set<Flag> labels) { }

    /** Confusion counts per flag. */
    static final class Score {
        final Map<Flag, int[]> tpFpFn = new EnumMap<>(Flag.class);
        final List<String> misses = new ArrayList<>();

        void add(String id, Set<Flag> truth, Set<Flag> predicted, Set<Flag> scope) {
            for (Flag f : scope) {
                int[] c = tpFpFn.computeIfAbsent(f, k -> new int[3]);
                boolean t = truth.contains(f), p = predicted.contains(f);
                if (t && p) c[0]++;
                else if (p) { c[1]++; misses.add(id + " false positive " + f); }
                else if (t) { c[2]++; misses.add(id + " missed " + f); }
            }
        }

        double precision(Flag f) { int[] c = tpFpFn.get(f); return c[0] + c[1] == 0 ? Double.NaN : (double) c[0] / (c[0] + c[1]); }

        double recall(Flag f) { int[] c = tpFpFn.get(f); return c[0] + c[2] == 0 ? Double.NaN : (double) c[0] / (c[0] + c[2]); }

        String table(String title, int n) {
            StringBuilder sb = new StringBuilder("\n" + title + " (" + n + " examples)\n\n| flag | positives | TP | FP | FN | precision | recall |\n| --- | --- | --- | --- | --- | --- | --- |\n");
            for (var e : tpFpFn.entrySet()) {
                int[] c = e.getValue();
                sb.append(String.format(java.util.Locale.ROOT, "| %s | %d | %d | %d | %d | %s | %s |%n", e.getKey().label, c[0] + c[2],
                        c[0], c[1], c[2], fmt(precision(e.getKey())), fmt(recall(e.getKey()))));
            }
            return sb.toString();
        }

        private static String fmt(double v) { return Double.isNaN(v) ? "n/a" : String.format(java.util.Locale.ROOT, "%.2f", v); }
    }

    static List<Labelled> fixtures() throws Exception {
        List<Labelled> out = new ArrayList<>();
        try (var in = FlagEvaluationTest.class.getResourceAsStream("flag-fixtures.jsonl");
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                JsonNode n = Json.MAPPER.readTree(line);
                Set<Flag> labels = EnumSet.noneOf(Flag.class);
                n.get("labels").forEach(l -> labels.add(Flag.valueOf(l.asText())));
                @SuppressWarnings("unchecked")
                Map<String, Object> meta = Json.MAPPER.convertValue(n.get("metadata"), Map.class);
                out.add(new Labelled(n.get("id").asText(), n.get("prompt").asText(),
                        n.get("response").isNull() ? null : n.get("response").asText(), meta, labels));
            }
        }
        return out;
    }

    private Set<Flag> textFlags(String response, Map<String, Object> meta) {
        return EnumSet.copyOf(detector.explain(response, meta).keySet().isEmpty()
                ? EnumSet.noneOf(Flag.class) : detector.explain(response, meta).keySet());
    }

    @Test void ownFixtures() throws Exception {
        List<Labelled> fx = fixtures();
        assertTrue(fx.size() >= 200, "need >= 200 labelled examples, have " + fx.size());
        Set<Flag> text = EnumSet.complementOf(EnumSet.of(Flag.NEAR_DUPLICATE));
        Score s = new Score();
        for (Labelled l : fx) s.add(l.id(), l.labels(), textFlags(l.response(), l.metadata()), text);
        // near-duplicates, as FlagJob does it: index questions in order, exact repeats are the key's job
        StringBuilder sweep = new StringBuilder("\nnear-duplicate threshold sweep (own fixtures):\n\n| shingles, threshold | TP | FP | FN | precision | recall |\n| --- | --- | --- | --- | --- | --- |\n");
        for (int shingle : new int[] {1, 2}) for (double th : new double[] {0.4, 0.5, 0.6, 0.7, 0.8}) {
            Score nd = nearDuplicates(fx, th, shingle);
            int[] c = nd.tpFpFn.get(Flag.NEAR_DUPLICATE);
            sweep.append(String.format(java.util.Locale.ROOT, "| %d-word shingles, %.1f | %d | %d | %d | %.2f | %.2f |%n", shingle, th, c[0], c[1], c[2],
                    nd.precision(Flag.NEAR_DUPLICATE), nd.recall(Flag.NEAR_DUPLICATE)));
            if (th == FlagConfig.DEFAULT.nearDuplicateThreshold() && shingle == FlagConfig.DEFAULT.shingleWords()) {
                s.tpFpFn.put(Flag.NEAR_DUPLICATE, c);
                s.misses.addAll(nd.misses);
            }
        }
        String report = s.table("own fixtures (src/test/resources/bitnut/dataset/flag-fixtures.jsonl)", fx.size()) + sweep;
        write("flag-evaluation-own.md", report + "\nmisses: " + s.misses + "\n");
        System.out.println(report);
        System.out.println("misses: " + s.misses);
        for (Flag f : Flag.values()) {
            assertTrue(s.precision(f) >= 0.8, f + " precision " + s.precision(f) + " " + s.misses);
            // near-duplicate recall is traded for precision on real questions (threshold 0.8, docs/benchmarks.md)
            assertTrue(s.recall(f) >= (f == Flag.NEAR_DUPLICATE ? 0.5 : 0.75), f + " recall " + s.recall(f) + " " + s.misses);
        }
    }

    private Score nearDuplicates(List<Labelled> fx, double threshold, int shingleWords) {
        MinHash mh = new MinHash(shingleWords, FlagConfig.DEFAULT.minHashes(), 42);
        Set<String> seenKeys = new HashSet<>();
        Score s = new Score();
        long id = 0;
        for (Labelled l : fx) {
            if (!seenKeys.add(QuestionKey.normalize(l.prompt()))) continue;
            int[] sig = mh.signature(l.prompt());
            boolean dup = mh.nearest(sig, threshold).isPresent();
            if (!dup) mh.add(id++, sig);
            s.add(l.id(), l.labels(), dup ? EnumSet.of(Flag.NEAR_DUPLICATE) : EnumSet.noneOf(Flag.class), EnumSet.of(Flag.NEAR_DUPLICATE));
        }
        return s;
    }

    @Test void sharedSeedSample() throws Exception {
        Path dir = Path.of(System.getProperty("bitnut.shared", "../shared"), "data/bitnut-seed/bitnut_finetune");
        Assumptions.assumeTrue(Files.isDirectory(dir), "shared seed data not present: " + dir);
        Map<String, List<String>> files = new HashMap<>();
        Set<Flag> text = EnumSet.complementOf(EnumSet.of(Flag.NEAR_DUPLICATE));
        Score random = new Score(), all = new Score();
        int nRandom = 0, nAll = 0, mismatched = 0;
        try (var in = getClass().getResourceAsStream("seed-labels.tsv");
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("#") || line.isBlank()) continue;
                String[] f = line.split("\t");
                List<String> lines = files.computeIfAbsent(f[0], k -> {
                    try { return Files.readAllLines(dir.resolve(k)); } catch (Exception e) { return List.of(); }
                });
                int ln = Integer.parseInt(f[1]);
                if (ln > lines.size()) { mismatched++; continue; }
                String raw = lines.get(ln - 1);
                String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw.getBytes(StandardCharsets.UTF_8))).substring(0, 16);
                if (!hash.equals(f[2])) { mismatched++; continue; }
                Set<Flag> truth = EnumSet.noneOf(Flag.class);
                if (!f[3].equals("-")) for (String l : f[3].split(",")) truth.add(Flag.valueOf(l));
                String response = Json.MAPPER.readTree(raw).get("response").asText();
                Set<Flag> predicted = textFlags(response, Map.of());
                String id = f[0] + ":" + f[1];
                all.add(id, truth, predicted, text);
                nAll++;
                if (f[4].startsWith("random")) { random.add(id, truth, predicted, text); nRandom++; }   // random or random:2027
            }
        }
        assertEquals(0, mismatched, "shared seed lines changed since labelling");
        String report = random.table("shared seed pairs, random samples (seed 2026: 60 lines, seed 2027: 120 more)", nRandom)
                + all.table("shared seed pairs, random sample + detector-flagged sample (precision is biased up, recall down)", nAll);
        write("flag-evaluation-seed.md", report + "\nmisses: " + all.misses + "\n");
        System.out.println(report);
        System.out.println("misses: " + all.misses);
        for (Flag f : text) {
            if (!Double.isNaN(all.precision(f))) assertTrue(all.precision(f) >= 0.6, f + " precision " + all.precision(f) + " " + all.misses);
        }
    }

    private static void write(String name, String text) throws Exception {
        Path t = Path.of("target");
        if (Files.isDirectory(t)) Files.writeString(t.resolve(name), text);
    }
}
