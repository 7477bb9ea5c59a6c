package bitnut.corpus;

import bitnut.common.DirectJobContext;

import java.nio.file.Path;
import java.util.List;

/** Runs a shard build in a separate JVM so a test can kill -9 it mid-build. Args: tokenizer out shardTokens inputs... */
public final class ShardBuildChild {
    public static void main(String[] args) throws Exception {
        CorpusBuildConfig c = CorpusBuildConfig.of(List.of(args).subList(3, args.length), Path.of(args[0]), Path.of(args[1]))
                .withShardTokens(Long.parseLong(args[2])).withValFraction(0.1).withThreads(1);
        System.out.println(new ShardBuilder(c).run(new DirectJobContext()));
    }
}
