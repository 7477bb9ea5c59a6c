package bitnut.cli;

import bitnut.corpus.CorpusBuildConfig;
import bitnut.corpus.CorpusStats;
import bitnut.corpus.CorpusTokenizer;
import bitnut.corpus.HubClient;
import bitnut.corpus.HubDataset;
import bitnut.corpus.HubDownloadJob;
import bitnut.corpus.ShardBuilder;
import bitnut.workspace.Workspace;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code bitnut corpus ...}: the Corpus stage on the command line: download a Hub dataset, build
 * token shards, show a shard folder's statistics ({@code bitnut bench corpus} measures it). Defaults live in the
 * workspace: downloads in {@code corpus/hub/}, shards in {@code corpus/shards/}, the tokenizer from
 * {@code tokenizer/}.
 */
@Command(name = "corpus", mixinStandardHelpOptions = true,
        description = "Download text, build token shards for pretraining, inspect them.",
        subcommands = {CorpusCommand.Download.class, CorpusCommand.Build.class, CorpusCommand.Stats.class})
public final class CorpusCommand implements Runnable {
    @ParentCommand BitnutCommand root;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    // picocli builds every command class when the CLI starts: this makes interrupted builds and
    // downloads resumable from 'bitnut tasks resume' too (a plain rerun of the command also resumes)
    static {
        ShardBuilder.register();
        HubDownloadJob.register();
    }

    @Override public void run() { spec.commandLine().usage(System.out); }

    static Path defaultShards(Workspace ws) { return ws.corpusDir().resolve("shards"); }

    @Command(name = "download", mixinStandardHelpOptions = true,
            description = "Download the parquet files of a Hugging Face dataset split, pinned to a commit, resumable. "
                    + "Reads HF_TOKEN / HUGGING_FACE_HUB_TOKEN / $HF_HOME/token for gated datasets.")
    static final class Download implements Callable<Integer> {
        @ParentCommand CorpusCommand parent;
        @Option(names = "--repo", defaultValue = "HuggingFaceTB/smollm-corpus", description = "Dataset repo (default: ${DEFAULT-VALUE}).")
        String repo;
        @Option(names = "--config", defaultValue = "cosmopedia-v2", description = "Config folder (default: ${DEFAULT-VALUE}).")
        String config;
        @Option(names = "--split", defaultValue = "train", description = "Split (default: ${DEFAULT-VALUE}).")
        String split;
        @Option(names = "--revision", defaultValue = "main", description = "Branch, tag or commit (default: ${DEFAULT-VALUE}); pinned to its commit.")
        String revision;
        @Option(names = "--max-files", defaultValue = "0", description = "Download at most N files (0 = all; cosmopedia-v2 has 104 of ~1.1 GB).")
        int maxFiles;
        @Option(names = "--out", paramLabel = "DIR", description = "Target folder (default: workspace corpus/hub/<repo>).")
        Path out;
        @Option(names = "--endpoint", paramLabel = "URL", defaultValue = "${env:HF_ENDPOINT:-https://huggingface.co}",
                description = "Hub base URL (default: $HF_ENDPOINT or https://huggingface.co).")
        URI endpoint;

        @Override public Integer call() {
            HubDataset ds = new HubDataset(repo, config, split, revision);
            Path dir = out != null ? out : HubDownloadJob.Config.defaultOutDir(parent.root.workspace().corpusDir(), ds);
            return CliJobRunner.run(new HubDownloadJob(new HubDownloadJob.Config(ds, dir, maxFiles, endpoint), HubClient.Settings.defaults()));
        }
    }

    @Command(name = "build", mixinStandardHelpOptions = true,
            description = "Encode text into token shards (resumes an interrupted build in the same --out).")
    static final class Build implements Callable<Integer> {
        @ParentCommand CorpusCommand parent;
        @Option(names = "--input", required = true, arity = "1..*", paramLabel = "PATH",
                description = "Files, folders or globs: .txt .jsonl .parquet (optionally .gz).")
        List<String> inputs;
        @Option(names = "--tokenizer", paramLabel = "DIR", description = "Folder with tokenizer.json (default: the workspace's newest).")
        Path tokenizer;
        @Option(names = "--out", paramLabel = "DIR", description = "Shard folder (default: workspace corpus/shards).")
        Path out;
        @Option(names = "--val-fraction", defaultValue = "0.005", description = "Share of documents held out for validation (default: ${DEFAULT-VALUE}).")
        double valFraction;
        @Option(names = "--shard-tokens", defaultValue = "100000000", description = "Tokens per shard (default: ${DEFAULT-VALUE}).")
        long shardTokens;
        @Option(names = "--seed", defaultValue = "1337", description = "Seed of the validation split (default: ${DEFAULT-VALUE}).")
        long seed;
        @Option(names = "--field", defaultValue = "text", description = "JSONL field / Parquet column (default: ${DEFAULT-VALUE}).")
        String field;
        @Option(names = "--txt-lines", description = "Plain text: one document per line (default: one per file).")
        boolean txtLines;
        @Option(names = "--max-documents", defaultValue = "0", description = "Stop after N documents (0 = all).")
        long maxDocuments;
        @Option(names = "--threads", defaultValue = "0", description = "Encoder threads (0 = all cores).")
        int threads;

        @Override public Integer call() throws Exception {
            Workspace ws = parent.root.workspace();
            Path tok = tokenizer != null ? tokenizer : CorpusTokenizer.findIn(ws.tokenizerDir());
            Path dir = out != null ? out : defaultShards(ws);
            CorpusBuildConfig c = new CorpusBuildConfig(inputs, tok.toAbsolutePath(), dir.toAbsolutePath(), valFraction, shardTokens,
                    seed, field, txtLines, maxDocuments, threads);
            return CliJobRunner.run(new ShardBuilder(c));
        }
    }

    @Command(name = "stats", mixinStandardHelpOptions = true, description = "Show a shard folder's documents, tokens, histogram and checks.")
    static final class Stats implements Callable<Integer> {
        @ParentCommand CorpusCommand parent;
        @Parameters(arity = "0..1", paramLabel = "DIR", description = "Shard folder (default: workspace corpus/shards).")
        Path dir;

        @Override public Integer call() throws Exception {
            Path d = dir != null ? dir : defaultShards(parent.root.workspace());
            try {
                System.out.print(CorpusStats.describe(d));
                return 0;
            } catch (java.io.IOException e) {
                System.err.println("error: " + e.getMessage());
                return 1;
            }
        }
    }
}
