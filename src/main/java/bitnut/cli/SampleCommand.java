package bitnut.cli;

import bitnut.infer.GenerationResult;
import bitnut.infer.InferenceEngine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** {@code bitnut sample}: base-model completion of a prompt, streamed to stdout (as run-pretrain.py). */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = "Continue a prompt with a checkpoint, streaming the text; speed on stderr.")
public final class SampleCommand implements Callable<Integer> {
    @ParentCommand BitnutCommand root;
    @Mixin InferOptions opt;
    @Option(names = "--prompt", required = true, description = "Text to continue.")
    String prompt;
    @Option(names = "--samples", defaultValue = "1", description = "Independent samples (seed, seed+1, ...) (default: ${DEFAULT-VALUE}).")
    int samples;

    @Override public Integer call() throws Exception {
        try (InferenceEngine engine = opt.open(root.workspace())) {
            System.err.println("checkpoint " + engine.checkpoint() + " | " + engine.model().config.summary()
                    + " | " + engine.transformer().threads() + " threads");
            for (int i = 0; i < samples; i++) {
                if (samples > 1) System.out.println("--- sample " + (i + 1) + " (seed " + (opt.seed + i) + ")");
                System.out.print(prompt);
                GenerationResult r = engine.generator().generate(prompt, opt.sampling().withSeed(opt.seed + i),
                        delta -> { System.out.print(delta); System.out.flush(); }, null);
                System.out.println();
                System.err.println(r.speedLine());
            }
            return 0;
        }
    }
}
