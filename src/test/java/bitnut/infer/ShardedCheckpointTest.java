package bitnut.infer;

import bitnut.common.Json;
import bitnut.model.BitNetConfig;
import bitnut.model.SafeTensors;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HF-style sharded checkpoints (model.safetensors.index.json + shards) load like the single file, and a bad index is refused. */
class ShardedCheckpointTest {
    private static final int[] IDS = {5, 17, 42, 99, 3, 250, 7};

    /** Splits dir/model.safetensors into two shards + an index (tensors alternate between the shards) in a new folder. */
    static Path shard(Path single, Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String f : List.of("config.json", "tokenizer.json")) Files.copy(single.resolve(f), dir.resolve(f));
        SafeTensors.Writer a = new SafeTensors.Writer(), b = new SafeTensors.Writer();
        ObjectNode index = Json.MAPPER.createObjectNode();
        index.putObject("metadata").put("total_size", Files.size(single.resolve("model.safetensors")));
        ObjectNode map = index.putObject("weight_map");
        try (SafeTensors.Reader r = SafeTensors.open(single.resolve("model.safetensors"))) {
            int i = 0;
            for (var e : r.tensors().entrySet()) {
                SafeTensors.TensorInfo t = e.getValue();
                boolean first = i++ % 2 == 0;
                SafeTensors.Writer to = first ? a : b;
                switch (t.dtype()) {
                    case F32 -> to.addF32(e.getKey(), r.floats(e.getKey()), t.shape());
                    case BF16 -> to.addBF16(e.getKey(), r.floats(e.getKey()), t.shape());
                    case F16 -> to.addF16(e.getKey(), r.floats(e.getKey()), t.shape());
                    case U8, I8 -> {
                        byte[] data = new byte[(int) t.byteLength()];
                        r.bytes(e.getKey()).get(data);
                        to.addBytes(e.getKey(), t.dtype(), data, t.shape());
                    }
                }
                map.put(e.getKey(), first ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
            }
        }
        a.write(dir.resolve("model-00001-of-00002.safetensors"));
        b.write(dir.resolve("model-00002-of-00002.safetensors"));
        Files.writeString(dir.resolve("model.safetensors.index.json"), Json.MAPPER.writeValueAsString(index));
        return dir;
    }

    @Test
    void shardedCheckpointsGiveTheSameLogitsAsTheSingleFile(@TempDir Path tmp) throws IOException {
        for (String kind : List.of("latent", "autobitlinear")) {
            BitNetConfig c = TinyCheckpoint.config(false);
            Map<String, float[]> w = TinyCheckpoint.latents(c, 41);
            Path single = kind.equals("latent") ? TinyCheckpoint.writeLatent(tmp.resolve(kind), c, w)
                    : TinyCheckpoint.writePacked(tmp.resolve(kind), c, w, kind);
            Path sharded = shard(single, tmp.resolve(kind + "-sharded"));
            assertTrue(CheckpointCatalog.isCheckpoint(sharded));
            BitNetModel one = ModelLoader.loadAny(single, ModelLoader.Options.DEFAULT);
            BitNetModel two = ModelLoader.loadAny(sharded, ModelLoader.Options.DEFAULT);
            try (Transformer a = new Transformer(one, 1, 8); Transformer b = new Transformer(two, 1, 8)) {
                // same codes and scales: identical engines, so identical logits (same JIT state for both calls)
                float[] x = a.forward(IDS, IDS.length, a.newCache(16)), y = b.forward(IDS, IDS.length, b.newCache(16));
                for (int i = 0; i < x.length; i++) assertEquals(x[i], y[i], 1e-6f * (1 + Math.abs(x[i])), kind);
            }
            assertArrayEquals(one.layers[0].q().codes(), two.layers[0].q().codes());
        }
    }

    @Test
    void aBadIndexIsRefusedWithTheReason(@TempDir Path tmp) throws IOException {
        BitNetConfig c = TinyCheckpoint.config(true);
        Path single = TinyCheckpoint.writeLatent(tmp.resolve("single"), c, TinyCheckpoint.latents(c, 42));
        Path dir = shard(single, tmp.resolve("sharded"));
        Path index = dir.resolve("model.safetensors.index.json");
        String good = Files.readString(index);

        Files.writeString(index, good.replace("model-00002-of-00002.safetensors", "../single/model.safetensors"));
        assertTrue(assertThrows(IOException.class, () -> ModelLoader.loadAny(dir, ModelLoader.Options.DEFAULT))
                .getMessage().contains("not a .safetensors file name in the checkpoint folder"));

        Files.writeString(index, good.replace("model-00002-of-00002.safetensors", "model-00003-of-00003.safetensors"));
        assertTrue(assertThrows(IOException.class, () -> ModelLoader.loadAny(dir, ModelLoader.Options.DEFAULT))
                .getMessage().contains("is missing"));

        // a tensor the index puts in the wrong shard
        Files.writeString(index, good.replaceFirst("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"));
        assertTrue(assertThrows(IOException.class, () -> ModelLoader.loadAny(dir, ModelLoader.Options.DEFAULT))
                .getMessage().contains("which has no such tensor"));

        Files.writeString(index, "{\"metadata\": {}}");
        assertTrue(assertThrows(IOException.class, () -> ModelLoader.loadAny(dir, ModelLoader.Options.DEFAULT))
                .getMessage().contains("weight_map"));

        Files.writeString(index, good);
        Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
        assertTrue(assertThrows(IOException.class, () -> ModelLoader.loadAny(dir, ModelLoader.Options.DEFAULT))
                .getMessage().contains("is missing"));
    }
}
