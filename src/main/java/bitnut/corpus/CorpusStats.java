package bitnut.corpus;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code bitnut corpus stats DIR} prints and the Corpus tab shows: the build's index plus a
 * check of every shard header (magic, version, size, CRC, tokenizer hash) against it.
 */
public final class CorpusStats {
    private CorpusStats() { }

    /** Problems found by re-reading every shard header (empty when all is well). */
    public static List<String> verify(Path dir, CorpusIndex idx) throws IOException {
        List<String> problems = new ArrayList<>();
        for (String split : List.of(CorpusIndex.TRAIN, CorpusIndex.VAL)) {
            CorpusIndex.SplitInfo info = split.equals(CorpusIndex.TRAIN) ? idx.train() : idx.val();
            List<Path> files = CorpusIndex.shardFiles(dir, split);
            if (files.size() != info.shards().size()) {
                problems.add(split + ": index lists " + info.shards().size() + " shards, the folder has " + files.size());
            }
            for (Path f : files) {
                try {
                    TokenShardHeader h = TokenShardReader.readHeader(f);
                    if (!h.tokenizerHashHex().equals(idx.tokenizer().sha256())) problems.add(f.getFileName() + ": other tokenizer");
                } catch (ShardFormatException e) {
                    problems.add(e.getMessage());
                }
            }
        }
        return problems;
    }

    /** A multi-line human summary of a shard folder. */
    public static String describe(Path dir) throws IOException {
        CorpusIndex idx = CorpusIndex.read(dir);
        StringBuilder sb = new StringBuilder();
        sb.append("corpus ").append(dir).append(" (built ").append(idx.builtAt()).append(")\n");
        sb.append(String.format("  tokenizer   %s (vocab %,d, eos %d, sha256 %s)%n", idx.tokenizer().file(), idx.tokenizer().vocabSize(),
                idx.tokenizer().eosId(), idx.tokenizer().sha256().substring(0, 16)));
        sb.append(String.format("  documents   %,d (%,d empty skipped), %.1f MB of text from %d source file(s)%n",
                idx.documents(), idx.emptyDocuments(), idx.textBytes() / 1e6, idx.sources().size()));
        split(sb, "train", idx.train());
        split(sb, "val", idx.val());
        long tokens = idx.train().tokens() + idx.val().tokens();
        if (tokens > 0) sb.append(String.format("  bytes/token %.2f%n", (double) idx.textBytes() / tokens));
        sb.append("  document length (UTF-8 bytes):\n");
        long max = 1;
        for (long c : idx.lengthHistogram()) max = Math.max(max, c);
        for (int k = 0; k < idx.lengthHistogram().length; k++) {
            long c = idx.lengthHistogram()[k];
            if (c == 0) continue;
            sb.append(String.format("    %9s-%-9s %,10d %s%n", k == 0 ? "0" : String.valueOf(1L << k), String.valueOf((1L << (k + 1)) - 1), c,
                    "#".repeat((int) Math.max(1, 40 * c / max))));
        }
        if (!idx.skipped().isEmpty()) {
            sb.append("  skipped files:\n");
            for (CorpusIndex.SkippedFile s : idx.skipped()) sb.append("    ").append(s.path()).append(": ").append(s.reason()).append('\n');
        }
        if (idx.badLines() > 0) sb.append(String.format("  bad lines skipped: %,d (e.g. %s)%n", idx.badLines(),
                idx.badLineExamples().isEmpty() ? "" : idx.badLineExamples().getFirst()));
        List<String> problems = verify(dir, idx);
        sb.append(problems.isEmpty() ? "  shards      all headers check out\n" : "  PROBLEMS:\n    " + String.join("\n    ", problems) + "\n");
        return sb.toString();
    }

    private static void split(StringBuilder sb, String name, CorpusIndex.SplitInfo s) {
        sb.append(String.format("  %-11s %,d documents, %,d tokens in %d shard(s)%n", name, s.documents(), s.tokens(), s.shards().size()));
    }
}
