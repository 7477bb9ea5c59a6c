package bitnut.pretrain;

import bitnut.corpus.CorpusIndex;
import bitnut.corpus.TokenShardHeader;
import bitnut.corpus.TokenShardWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A corpus the tests make themselves: documents drawn from a sparse random bigram "language" over a
 * small vocabulary (each token has 3 likely successors), written as real token shards. Its unigram
 * entropy is ~ln V while a model that learns the bigrams gets far below it.
 */
public final class GeneratedCorpus {
    public final int vocab;
    public final double unigramEntropy;   // nats, measured on the train split

    private GeneratedCorpus(int vocab, double h) { this.vocab = vocab; this.unigramEntropy = h; }

    public static GeneratedCorpus write(Path dir, int vocab, int trainTokens, int valTokens, long seed) throws IOException {
        Files.createDirectories(dir);
        SplittableRandom r = new SplittableRandom(seed);
        int[][] next = new int[vocab][3];
        for (int t = 0; t < vocab; t++) for (int j = 0; j < 3; j++) next[t][j] = 5 + r.nextInt(vocab - 5);
        long[] counts = new long[vocab];
        writeSplit(dir.resolve(CorpusIndex.shardName(CorpusIndex.TRAIN, 0)), TokenShardHeader.SPLIT_TRAIN, vocab, trainTokens, next, r, counts);
        writeSplit(dir.resolve(CorpusIndex.shardName(CorpusIndex.VAL, 0)), TokenShardHeader.SPLIT_VAL, vocab, valTokens, next, r, null);
        double h = 0, total = 0;
        for (long c : counts) total += c;
        for (long c : counts) if (c > 0) h -= c / total * Math.log(c / total);
        return new GeneratedCorpus(vocab, h);
    }

    private static void writeSplit(Path file, int split, int vocab, int tokens, int[][] next, SplittableRandom r, long[] counts)
            throws IOException {
        TokenShardHeader template = new TokenShardHeader(false, 0, vocab, 3, 0, new byte[32], split, 0, 0, 0);
        long docs = 0;
        try (TokenShardWriter w = new TokenShardWriter(file, template)) {
            int written = 0;
            while (written < tokens) {
                int len = 20 + r.nextInt(60);
                int[] doc = new int[len];
                int t = 2;   // <bos>-like start
                for (int i = 0; i < len; i++) {
                    int u = r.nextInt(10);
                    t = u < 6 ? next[t][0] : u < 8 ? next[t][1] : u < 9 ? next[t][2] : 5 + r.nextInt(vocab - 5);
                    doc[i] = t;
                    if (counts != null) counts[t]++;
                }
                w.writeDocument(doc, 3);
                if (counts != null) counts[3]++;
                written += len + 1;
                docs++;
            }
            w.commit(docs);
        }
    }
}
