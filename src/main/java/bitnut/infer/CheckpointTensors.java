package bitnut.infer;

import bitnut.common.Json;
import bitnut.model.SafeTensors;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/*
 * The tensors of one checkpoint folder, in one file (model.safetensors) or sharded the way HF writes
 * checkpoints over its shard size: model.safetensors.index.json maps each tensor name to one of the
 * folder's shard files, {"metadata": {...}, "weight_map": {"model.embed_tokens.weight":
 * "model-00001-of-00002.safetensors", ...}}. The loader reads tensors by name and never sees which
 * file holds them.
 * The index is untrusted input: it is size-capped, every shard name must be a plain file name in the
 * folder (no separators, no "..": an index cannot point outside the checkpoint), every shard must exist,
 * and a tensor the index names must be in its shard.
 */
final class CheckpointTensors implements AutoCloseable {
    static final String SINGLE = "model.safetensors";
    static final String INDEX = "model.safetensors.index.json";
    static final long MAX_INDEX_BYTES = 64L << 20;

    private final List<SafeTensors.Reader> readers = new ArrayList<>();
    private final Map<String, SafeTensors.Reader> byName = new HashMap<>();

    /** Whether the folder holds weights this class can open. */
    static boolean present(Path dir) {
        return Files.isRegularFile(dir.resolve(SINGLE)) || Files.isRegularFile(dir.resolve(INDEX));
    }

    /** Opens model.safetensors if present, else the shards model.safetensors.index.json names. */
    static CheckpointTensors open(Path dir) throws IOException {
        CheckpointTensors t = new CheckpointTensors();
        try {
            if (Files.isRegularFile(dir.resolve(SINGLE))) t.add(SafeTensors.open(dir.resolve(SINGLE)));
            else t.openShards(dir);
            return t;
        } catch (IOException | RuntimeException e) {
            t.close();
            throw e;
        }
    }

    private void openShards(Path dir) throws IOException {
        Path index = dir.resolve(INDEX);
        if (!Files.isRegularFile(index)) throw new IOException("no " + SINGLE + " or " + INDEX + " in " + dir);
        long size = Files.size(index);
        if (size > MAX_INDEX_BYTES) throw new IOException(index + ": " + size + " bytes, more than an index can need (" + MAX_INDEX_BYTES + ")");
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(Files.readAllBytes(index));
        } catch (IOException e) {
            throw new IOException(index + ": not valid JSON: " + e.getMessage(), e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject() || map.isEmpty()) throw new IOException(index + ": no \"weight_map\" object of tensor -> shard file");
        Map<String, SafeTensors.Reader> shards = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) throw new IOException(index + ": weight_map[\"" + e.getKey() + "\"] is not a file name");
            String file = e.getValue().asText();
            if (file.isEmpty() || file.contains("/") || file.contains("\\") || file.equals(".") || file.equals("..") || !file.endsWith(".safetensors")) {
                throw new IOException(index + ": weight_map[\"" + e.getKey() + "\"] = \"" + file + "\" is not a .safetensors file name in the checkpoint folder");
            }
            SafeTensors.Reader r = shards.get(file);
            if (r == null) {
                Path shard = dir.resolve(file);
                if (!Files.isRegularFile(shard)) throw new IOException(index + ": shard " + file + " (holding " + e.getKey() + ") is missing from " + dir);
                r = SafeTensors.open(shard);
                shards.put(file, r);
                readers.add(r);
            }
            if (!r.has(e.getKey())) throw new IOException(index + ": " + e.getKey() + " should be in " + file + ", which has no such tensor");
            byName.put(e.getKey(), r);
        }
    }

    private void add(SafeTensors.Reader r) {
        readers.add(r);
        for (String name : r.tensors().keySet()) byName.put(name, r);
    }

    boolean has(String name) { return byName.containsKey(name); }

    /** The file a tensor lives in, for messages (the first file when no such tensor). */
    Path file(String name) {
        SafeTensors.Reader r = byName.get(name);
        return (r != null ? r : readers.getFirst()).file();
    }

    SafeTensors.TensorInfo info(String name) throws IOException { return reader(name).info(name); }

    ByteBuffer bytes(String name) throws IOException { return reader(name).bytes(name); }

    float[] floats(String name) throws IOException { return reader(name).floats(name); }

    private SafeTensors.Reader reader(String name) throws IOException {
        SafeTensors.Reader r = byName.get(name);
        if (r == null) throw new IOException(readers.getFirst().file().getParent() + ": no tensor named '" + name + "' in " + fileNames());
        return r;
    }

    private String fileNames() {
        List<String> names = new ArrayList<>();
        for (SafeTensors.Reader r : readers) names.add(r.file().getFileName().toString());
        return String.join(", ", names);
    }

    @Override public void close() throws IOException {
        IOException first = null;
        for (SafeTensors.Reader r : readers) {
            try {
                r.close();
            } catch (IOException e) {
                if (first == null) first = e;
            }
        }
        if (first != null) throw first;
    }
}
