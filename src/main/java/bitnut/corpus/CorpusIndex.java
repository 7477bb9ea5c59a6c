package bitnut.corpus;

import bitnut.common.Json;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code index.json} of a shard folder: what went in (sources, documents, bytes, skipped files),
 * what came out (tokens and shards per split) and with which tokenizer. Written last, atomically,
 * when a build completes; its presence means the folder is complete. Layout: docs/formats.md.
 */
public record CorpusIndex(
        String format,                 // "bitnut-corpus"
        int version,                   // 1
        TokenizerInfo tokenizer,
        Map<String, Object> settings,  // CorpusBuildConfig.contentKey()
        List<SourceStats> sources,
        long documents,                // documents read (including empty ones)
        long emptyDocuments,           // blank documents skipped (no tokens)
        long textBytes,                // UTF-8 bytes of all documents
        long[] lengthHistogram,        // documents by UTF-8 length: bucket k counts lengths in [2^k, 2^(k+1)); bucket 0 also holds 0
        SplitInfo train,
        SplitInfo val,
        List<SkippedFile> skipped,     // inputs that could not be read (or not to the end)
        long badLines,                 // malformed JSONL lines / oversize rows skipped
        List<String> badLineExamples,  // "file:line: reason", at most 200
        long nullValues,
        long invalidUtf8,
        String builtAt) {              // ISO-8601 UTC

    public static final String FILE = "index.json";
    public static final String FORMAT = "bitnut-corpus";
    public static final int VERSION = 1;
    public static final String TRAIN = "train";
    public static final String VAL = "val";
    private static final Pattern SHARD = Pattern.compile("(train|val)_(\\d{6})\\.bin");

    public record TokenizerInfo(String file, String sha256, int vocabSize, int eosId) { }
    public record SourceStats(String path, long documents, long bytes) { }
    public record SplitInfo(long documents, long tokens, List<ShardInfo> shards) { }
    public record ShardInfo(String file, long tokens, long documents) { }
    public record SkippedFile(String path, String reason) { }

    /** Reads a folder's index.json; a clear error when the build is not complete. */
    public static CorpusIndex read(Path dir) throws IOException {
        Path f = dir.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            throw new IOException(dir + " has no " + FILE + " (no complete shard build there). "
                    + "HINT: run 'bitnut corpus build --out " + dir + " ...' (it resumes an interrupted build).");
        }
        CorpusIndex idx = Json.MAPPER.readValue(f.toFile(), CorpusIndex.class);
        if (!FORMAT.equals(idx.format())) throw new IOException(f + " is not a BitNut corpus index (format " + idx.format() + ")");
        if (idx.version() > VERSION) throw new IOException(f + " has index version " + idx.version() + ", newer than this BitNut. HINT: update.");
        return idx;
    }

    /** The file name of shard {@code index} of a split: {@code train_000003.bin}. */
    public static String shardName(String split, int index) { return String.format("%s_%06d.bin", split, index); }

    /** The shard files of a split in order (what {@link TokenWindows} takes). */
    public static List<Path> shardFiles(Path dir, String split) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, split + "_*.bin")) {
            for (Path p : ds) {
                Matcher m = SHARD.matcher(p.getFileName().toString());
                if (m.matches()) out.add(p);
            }
        }
        out.sort(null);
        return out;
    }
}
