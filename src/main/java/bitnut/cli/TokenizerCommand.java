package bitnut.cli;

import bitnut.text.SequenceUnit;
import bitnut.tokenizer.TokenizerConfig;
import bitnut.tokenizer.TrainTokenizerJob;
import bitnut.tokenizer.WorkspaceTokenizer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code bitnut tokenizer train|encode}: the Tokenizer stage on the command line. Training writes an
 * HF-format tokenizer folder (default {@code workspace/tokenizer/<name>}); encode prints ids and
 * pieces through DJL's HuggingFaceTokenizer, the same path every other stage uses.
 */
@Command(name = "tokenizer", mixinStandardHelpOptions = true,
        description = "Train a byte-level BPE tokenizer (HF-identical) or encode text with one.",
        subcommands = {TokenizerCommand.Train.class, TokenizerCommand.Encode.class})
public final class TokenizerCommand implements Runnable {
    @ParentCommand BitnutCommand root;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override public void run() { spec.commandLine().usage(System.out); }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Train a tokenizer on .txt/.jsonl/.parquet files, folders or globs (optionally .gz).")
    static final class Train implements Callable<Integer> {
        @ParentCommand TokenizerCommand parent;

        @Option(names = "--input", required = true, arity = "1..*", paramLabel = "PATH",
                description = "Files, folders or globs (quote globs).")
        List<String> inputs;
        @Option(names = "--vocab-size", required = true, description = "Final vocab size including special tokens, e.g. 32768.")
        int vocabSize;
        @Option(names = "--min-frequency", defaultValue = "2", description = "Stop when the best pair is rarer than this (default ${DEFAULT-VALUE}).")
        int minFrequency;
        @Option(names = "--sequences", defaultValue = "documents",
                description = "lines (one per line with its newline, as HF train(files)) or documents (as HF train_from_iterator). Default ${DEFAULT-VALUE}.")
        SequenceUnit sequences;
        @Option(names = "--field", defaultValue = "text", description = "JSONL field / Parquet column (default ${DEFAULT-VALUE}).")
        String field;
        @Option(names = "--max-documents", defaultValue = "0", description = "Read at most N documents (0 = all).")
        long maxDocuments;
        @Option(names = "--special-tokens", split = ",", paramLabel = "TOKENS",
                description = "Comma-separated special tokens, ids 0..k-1 (default <pad>,<unk>,<bos>,<eos>,<mask>; '' for none).")
        List<String> specials;
        @Option(names = "--hf-alphabet", description = "Only the bytes seen in training form the alphabet (HF's default) instead of all 256.")
        boolean hfAlphabet;
        @Option(names = "--held-out", defaultValue = "100", paramLabel = "N",
                description = "Keep every N-th sequence out of training to measure bytes/token (0 = train on all, measure in-sample).")
        int heldOutEvery;
        @Option(names = "--threads", defaultValue = "0", description = "Word-counting threads (0 = all cores).")
        int threads;
        @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: workspace/tokenizer/<name>).")
        Path out;

        @Override
        public Integer call() {
            List<String> sp = specials == null ? TokenizerConfig.DEFAULT_SPECIALS
                    : specials.stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
            TokenizerConfig cfg;
            try {
                cfg = new TokenizerConfig(vocabSize, minFrequency, sp, !hfAlphabet, sequences, field, maxDocuments, threads, heldOutEvery);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(parent.spec.commandLine(), e.getMessage());
            }
            Path dir = out != null ? out : parent.root.workspace().tokenizerDir().resolve(defaultName(inputs, vocabSize));
            return CliJobRunner.run(new TrainTokenizerJob(inputs, cfg, dir));
        }

        /** "bpe-32768-corpus": vocab size + the first input's base name. */
        static String defaultName(List<String> inputs, int vocab) {
            String first = inputs.isEmpty() ? "corpus" : Path.of(inputs.get(0).replace("*", "x")).getFileName().toString();
            String base = first.replaceAll("\\.(gz|txt|jsonl|ndjson|parquet|md|text)$", "").replaceAll("\\.(txt|jsonl|ndjson)$", "");
            return "bpe-" + vocab + "-" + base.replaceAll("[^A-Za-z0-9._-]", "_");
        }
    }

    @Command(name = "encode", mixinStandardHelpOptions = true, description = "Print the token ids and pieces of TEXT.")
    static final class Encode implements Callable<Integer> {
        @ParentCommand TokenizerCommand parent;

        @Option(names = "--tokenizer", required = true, paramLabel = "DIR",
                description = "Tokenizer folder (or its tokenizer.json); a bare name is looked up in workspace/tokenizer/.")
        Path tokenizer;
        @Parameters(arity = "1..*", paramLabel = "TEXT", description = "Text to encode (several words are joined by spaces).")
        List<String> text;

        @Override
        public Integer call() throws Exception {
            Path p = tokenizer;
            if (!Files.exists(p) && !p.isAbsolute()) p = parent.root.workspace().tokenizerDir().resolve(tokenizer);
            String s = String.join(" ", text);
            try (WorkspaceTokenizer tok = WorkspaceTokenizer.load(p)) {
                int[] ids = tok.encode(s);
                System.out.println("ids: " + Arrays.toString(ids));
                List<String> pieces = new ArrayList<>();
                for (int id : ids) pieces.add(TokenizerCommand.display(tok.reference().tokenBytes(id)));
                System.out.println("pieces: " + String.join(" | ", pieces));
                System.out.printf("%d tokens, %d bytes, %.2f bytes/token%n", ids.length,
                        s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length,
                        ids.length == 0 ? 0.0 : s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length / (double) ids.length);
            }
            return 0;
        }
    }

    /** A token's bytes for a terminal: UTF-8 text, with whitespace and broken sequences made visible. */
    static String display(byte[] bytes) {
        String s = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        return s.replace(" ", "␣").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r");
    }
}
