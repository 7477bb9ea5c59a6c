package bitnut.infer;

import bitnut.model.BitNetConfig;

import java.nio.file.Path;

/**
 * The engine on a freshly written tiny checkpoint (TinyCheckpoint's config, its real tokenizer,
 * 2 threads, context 16): what the generation tests open once per class and close at the end.
 */
record TinyEngine(Transformer transformer, HfTokenCodec codec, Generator generator) implements AutoCloseable {

    /** Writes a tiny checkpoint with latents from {@code seed} under {@code dir} and loads it. */
    static TinyEngine open(Path dir, long seed) throws Exception {
        BitNetConfig c = TinyCheckpoint.config(true);
        Path ckpt = TinyCheckpoint.writeLatent(dir.resolve("ckpt"), c, TinyCheckpoint.latents(c, seed));
        Transformer tf = new Transformer(ModelLoader.loadAny(ckpt, ModelLoader.Options.DEFAULT), 2, 16);
        HfTokenCodec codec = HfTokenCodec.load(ckpt);
        return new TinyEngine(tf, codec, new Generator(tf, codec));
    }

    @Override public void close() {
        transformer.close();
        codec.close();
    }
}
