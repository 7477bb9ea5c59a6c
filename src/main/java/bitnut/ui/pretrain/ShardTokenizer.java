/*
 * ShardTokenizer — the tokenizer behind a shard folder, for a run the Pretrain tab creates: the folder
 * index.json names, and the model's vocab_size and bos/eos/pad ids taken from it so config.json matches
 * the data. The same rules as bitnut.cli.PretrainCommand (the UI must not depend on the CLI package).
 */
package bitnut.ui.pretrain;

import bitnut.corpus.CorpusIndex;
import bitnut.model.BitNetConfig;
import bitnut.tokenizer.WorkspaceTokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

final class ShardTokenizer {
    private ShardTokenizer() { }

    /** The tokenizer folder the corpus build recorded in index.json, when it still exists (as the CLI does). */
    static Path folderOf(Path shards) {
        try {
            Path f = Path.of(CorpusIndex.read(shards).tokenizer().file());
            if (!f.isAbsolute()) f = shards.resolve(f);
            return Files.isRegularFile(f) ? f.getParent() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** vocab_size and special ids from the tokenizer (or the shard index), so config.json matches the data. */
    static BitNetConfig match(BitNetConfig model, Path shards, Path tokDir) throws IOException {
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
            return model;
        }
    }
}
