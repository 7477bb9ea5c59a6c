package bitnut.corpus;

import bitnut.text.TextOptions;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings of one shard build, shared by the CLI ({@code bitnut corpus build}), the Corpus tab and
 * {@code build.json} in the output folder (a resumed build must use the same settings).
 */
public record CorpusBuildConfig(
        List<String> inputs,    // files, folders, globs (.txt .jsonl .parquet, optionally .gz)
        Path tokenizer,         // folder holding tokenizer.json (or the file)
        Path outDir,            // shard folder, e.g. workspace/corpus/shards
        double valFraction,     // share of documents held out for validation (typ. 0.005)
        long shardTokens,       // tokens per shard before it is closed at a document end (typ. 100 M = 200 MB)
        long seed,              // picks the validation documents (hash of document index and seed)
        String field,           // JSONL field / Parquet column with the text (typ. "text")
        boolean txtLines,       // plain .txt: one document per line instead of per file
        long maxDocuments,      // stop after this many documents; 0 = all
        int threads) {          // encoder threads; 0 = all cores

    public static final double DEFAULT_VAL_FRACTION = 0.005;
    public static final long DEFAULT_SHARD_TOKENS = 100_000_000L;

    public CorpusBuildConfig {
        inputs = List.copyOf(inputs);
        if (inputs.isEmpty()) throw new IllegalArgumentException("no input given");
        if (!(valFraction >= 0 && valFraction < 1)) throw new IllegalArgumentException("val fraction must be in [0, 1), got " + valFraction);
        if (shardTokens < 1) throw new IllegalArgumentException("shard tokens must be >= 1, got " + shardTokens);
        if (maxDocuments < 0) throw new IllegalArgumentException("max documents must be >= 0");
        if (threads < 0) throw new IllegalArgumentException("threads must be >= 0");
        if (field == null || field.isBlank()) field = "text";
    }

    public static CorpusBuildConfig of(List<String> inputs, Path tokenizer, Path outDir) {
        return new CorpusBuildConfig(inputs, tokenizer, outDir, DEFAULT_VAL_FRACTION, DEFAULT_SHARD_TOKENS, 1337, "text", false, 0, 0);
    }

    public CorpusBuildConfig withValFraction(double f) { return new CorpusBuildConfig(inputs, tokenizer, outDir, f, shardTokens, seed, field, txtLines, maxDocuments, threads); }
    public CorpusBuildConfig withShardTokens(long n) { return new CorpusBuildConfig(inputs, tokenizer, outDir, valFraction, n, seed, field, txtLines, maxDocuments, threads); }
    public CorpusBuildConfig withThreads(int n) { return new CorpusBuildConfig(inputs, tokenizer, outDir, valFraction, shardTokens, seed, field, txtLines, maxDocuments, n); }
    public CorpusBuildConfig withMaxDocuments(long n) { return new CorpusBuildConfig(inputs, tokenizer, outDir, valFraction, shardTokens, seed, field, txtLines, n, threads); }

    public int effectiveThreads() { return threads > 0 ? threads : Runtime.getRuntime().availableProcessors(); }

    TextOptions textOptions() {
        return TextOptions.defaults().withField(field).withMaxDocuments(maxDocuments)
                .withTxtDocument(txtLines ? TextOptions.TxtDocument.LINE : TextOptions.TxtDocument.FILE);
    }

    /** The settings that decide the shards' content: a resumed build must match them exactly. */
    Map<String, Object> contentKey() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("inputs", inputs);
        m.put("valFraction", valFraction);
        m.put("shardTokens", shardTokens);
        m.put("seed", seed);
        m.put("field", field);
        m.put("txtLines", txtLines);
        m.put("maxDocuments", maxDocuments);
        return m;
    }

    /** Whether document {@code index} of the stream goes to validation: a hash of (index, seed). */
    public boolean isValidation(long index) {
        if (valFraction <= 0) return false;
        long z = (index + 1) * 0x9E3779B97F4A7C15L ^ seed * 0xC2B2AE3D27D4EB4FL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (z >>> 11) * 0x1.0p-53 < valFraction;
    }
}
