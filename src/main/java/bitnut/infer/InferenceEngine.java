package bitnut.infer;

import bitnut.infer.kernel.DenseMatrix;
import bitnut.infer.kernel.KernelWarmUp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/*
 * One loaded checkpoint ready to generate: model + tokenizer + transformer + generator. The CLI
 * commands, the server and the Sample/Chat tabs all open one of these. Generation is serialized
 * (the transformer owns its scratch buffers): callers use generate/chat under {@link #lock()}.
 */
public final class InferenceEngine implements AutoCloseable {

    /**
     * @param threads        worker threads for the matmuls (1 .. cores)
     * @param headPrecision  embeddings / lm_head precision (F32 exact; BF16, INT8 smaller and faster)
     * @param contextLength  positions per sequence; 0 = the model's max_position_embeddings
     * @param maxBatch       prompt tokens per prefill batch (64)
     */
    public record Options(int threads, DenseMatrix.Precision headPrecision, int contextLength, int maxBatch) {
        /**
         * Up to 2 threads, an INT8 head, the model's context, 64-token prefill batches. Why INT8 by
         * default: on the trained tiny checkpoint it moved held-out perplexity by +0.009% (the same as
         * BF16; top-1 agreement with F32 0.994), and bitnut-133m decodes at ~500 tok/s with it on 2
         * threads against ~210 with F32 (docs/benchmarks.md, "Head precision quality" and the idle
         * re-runs). F32 stays one setting away for exact logits.
         */
        public static Options defaults() {
            return new Options(Math.min(2, Runtime.getRuntime().availableProcessors()), DenseMatrix.Precision.INT8, 0, 64);
        }

        public Options withHeadPrecision(DenseMatrix.Precision p) { return new Options(threads, p, contextLength, maxBatch); }

        public Options {
            if (threads < 1) throw new IllegalArgumentException("threads must be >= 1");
            if (contextLength < 0) throw new IllegalArgumentException("context length must be >= 0");
            if (maxBatch < 1) throw new IllegalArgumentException("batch must be >= 1");
        }
    }

    private final Path checkpoint;
    private final BitNetModel model;
    private final Transformer transformer;
    private final TokenCodec codec;
    private final Generator generator;
    private final Object lock = new Object();

    public InferenceEngine(Path checkpoint, BitNetModel model, TokenCodec codec, Options o) {
        this.checkpoint = checkpoint;
        this.model = model;
        this.codec = codec;
        this.transformer = new Transformer(model, o.threads(), o.maxBatch());
        int ctx = o.contextLength() > 0 ? o.contextLength() : model.config.maxPositionEmbeddings();
        this.generator = new Generator(transformer, codec, ctx);
    }

    /**
     * Opens a checkpoint folder (config.json + model.safetensors + tokenizer.json). The tokenizer is
     * taken from the folder, else from {@code tokenizerFallback} (e.g. the workspace tokenizer).
     */
    public static InferenceEngine open(Path checkpoint, Path tokenizerFallback, Options o) throws IOException {
        BitNetModel model = ModelLoader.loadAny(checkpoint, new ModelLoader.Options(o.headPrecision()));
        Path tok = Files.isRegularFile(checkpoint.resolve(HfTokenCodec.FILE)) || tokenizerFallback == null ? checkpoint : tokenizerFallback;
        TokenCodec codec = HfTokenCodec.load(tok);
        return new InferenceEngine(checkpoint, model, codec, o);
    }

    /**
     * Gets the kernels JIT-compiled before the first request (see KernelWarmUp for why this matters:
     * cold Vector API code is 20-40x slower): the kernels on small shapes, then a short real
     * prefill + decode on a scratch cache, then two short sampled generations (sampler, stop checks and
     * text decode get compiled too). Kernel rounds: system property bitnut.warmup.rounds (3000).
     * Returns the milliseconds it took.
     */
    public double warmUp() {
        long t0 = System.nanoTime();
        KernelWarmUp.run(Integer.getInteger("bitnut.warmup.rounds", 3_000));
        synchronized (lock) {
            int V = model.config.vocabSize();
            int[] prompt = new int[Math.min(8, transformer.maxBatch())];
            for (int i = 0; i < prompt.length; i++) prompt[i] = (5 + 31 * i) % V;
            for (int rep = 0; rep < 2; rep++) {
                KvCache cache = transformer.newCache(prompt.length + 17);
                transformer.forward(prompt, prompt.length, cache);
                int[] tok = new int[1];
                for (int i = 0; i < 16; i++) {
                    tok[0] = (7 + 13 * i) % V;
                    transformer.forward(tok, 1, cache);
                }
            }
            // and the generation loop around it (sampler filters, stop checks, text decode)
            SamplingSettings s = new SamplingSettings(32, 0.8f, 40, 0.95f, 0.05f, 1.1f, 1, java.util.List.of("\nhuman:"), false, java.util.List.of());
            for (int rep = 0; rep < 2; rep++) generator.generate(prompt, s, null, null);   // the second reuses the first's prefix
            generator.forgetPrefixes();                                                   // warm-up ids are no one's prefix
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    public Path checkpoint() { return checkpoint; }
    public BitNetModel model() { return model; }
    public TokenCodec codec() { return codec; }
    public Generator generator() { return generator; }
    public Transformer transformer() { return transformer; }
    /** Hold while generating: one generation at a time per engine. */
    public Object lock() { return lock; }

    /** A display name: "<run>/<step>" from the folder names. */
    public String name() {
        Path p = checkpoint.toAbsolutePath().normalize();
        Path parent = p.getParent();
        if (parent != null && parent.getFileName() != null && parent.getFileName().toString().equals("checkpoints") && parent.getParent() != null) {
            return parent.getParent().getFileName() + "/" + p.getFileName();
        }
        return p.getFileName() == null ? p.toString() : p.getFileName().toString();
    }

    @Override public void close() {
        transformer.close();
        codec.close();
    }
}
