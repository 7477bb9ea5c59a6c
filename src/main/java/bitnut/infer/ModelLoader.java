package bitnut.infer;

import bitnut.infer.kernel.DenseMatrix;
import bitnut.infer.kernel.TernaryMatrix;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/*
 * ModelLoader: turns a checkpoint on disk into a BitNetModel. The engine only ever sees
 * BitNetModel, so another format (GGUF, for instance) is one more implementation in LOADERS.
 */
public interface ModelLoader {

    /** How to hold the full-precision parts, and how to pack the ternary ones (default: this CPU's best). */
    record Options(DenseMatrix.Precision headPrecision, TernaryMatrix.Layout layout) {
        public static final Options DEFAULT = new Options(DenseMatrix.Precision.F32);

        public Options(DenseMatrix.Precision headPrecision) { this(headPrecision, TernaryMatrix.Layout.best()); }
    }

    /** Short format name for messages ("safetensors"). */
    String format();

    /** True when this loader recognizes the folder (cheap: looks at file names only). */
    boolean accepts(Path dir);

    BitNetModel load(Path dir, Options options) throws IOException;

    /** The loaders tried in order by {@link #loadAny}. */
    List<ModelLoader> LOADERS = List.of(new SafeTensorsLoader());

    /** Loads a checkpoint folder with the first loader that accepts it. */
    static BitNetModel loadAny(Path dir, Options options) throws IOException {
        for (ModelLoader l : LOADERS) if (l.accepts(dir)) return l.load(dir, options);
        throw new IOException(dir + " is not a checkpoint this engine can read (expected config.json + model.safetensors, or HF shards with model.safetensors.index.json). "
                + "HINT: point --checkpoint at a folder written by 'bitnut pretrain' / 'bitnut finetune' or an HF BitNet download.");
    }
}
