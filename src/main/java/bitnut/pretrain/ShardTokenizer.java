/*
 * ShardTokenizer — the tokenizer behind a shard folder, for a new pretrain run (CLI and Pretrain tab): the
 * folder index.json names, and the model's vocab_size and bos/eos/pad ids taken from it so config.json
 * matches the data.
 */
package bitnut.pretrain;

import bitnut.corpus.CorpusIndex;
import bitnut.model.BitNetConfig;
import bitnut.tokenizer.WorkspaceTokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

public final class ShardTokenizer {
    private ShardTokenizer() { }

    /** The tokenizer folder the corpus build recorded in index.json, when it still exists (as the CLI does). */
    public static Path folderOf(Path shards) {
        try {
            Path f = Path.of(CorpusIndex.read(shards).tokenizer().file());
            if (!f.isAbsolute()) f = shards.resolve(f);
            return Files.isRegularFile(f) ? f.getParent() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** vocab_size and special ids from the tokenizer (or the shard index), so config.json matches the data. */
    public static BitNetConfig match(BitNetConfig model, Path shards, Path tokDir) throws IOException {
        if (tokDir != null) {
            try (WorkspaceTokenizer tok = WorkspaceTokenizer.load(tokDir)) {
                BitNetConfig m = model.withVocabSize(tok.vocabSize());
                return m.withTokenIds(tok.bosId() >= 0 ? tok.bosId() : m.bosTokenId(),
                        tok.eosId() >= 0 ? tok.eosId() : m.eosTokenId(), tok.padId() >= 0 ? tok.padId() : null);
            }
        }
        try {
            CorpusIndex.TokenizerInfo info = CorpusIndex.read(shards).tokenizer();
            return model.withVocabSize(info.vocabSize()).withTokenIds(model.bosTokenId(), info.eosId(), model.padTokenId());
        } catch (IOException e) {
            return model;   // no index.json: keep the preset's ids; the trainer refuses ids outside the vocabulary
        }
    }
}
