/*
 * Checkpoints — a run's checkpoint directories. Each one is loadable by HF transformers as is
 * (config.json + model.safetensors with HF names + the tokenizer files) and carries our training state
 * beside it (optimizer.safetensors: AdamW moments; trainer_state.json: step, tokens, data position,
 * RNG seed, train config, losses), so a resumed run continues bit for bit.
 *
 * Atomicity: written into "<name>.tmp", every file fsynced, then renamed to "step-0000120"; a
 * crash (kill -9) leaves either the old set or the new directory complete, and leftover .tmp
 * directories are deleted on the next save. Retention: the last keepLast checkpoints plus the best
 * (lowest validation loss, recorded in best.json).
 */
package bitnut.train;

import bitnut.common.AtomicFiles;
import bitnut.common.Json;
import bitnut.model.BitNetConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

public final class Checkpoints {
    public static final String CONFIG = "config.json";
    public static final String MODEL = "model.safetensors";
    public static final String OPTIMIZER = "optimizer.safetensors";
    public static final String STATE = "trainer_state.json";
    public static final String BEST = "best.json";
    /** Tokenizer files copied into each checkpoint when present (HF layout). */
    public static final List<String> TOKENIZER_FILES =
            List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json");

    /** Training state saved beside the weights. dataState is the train BatchSource's state(). */
    public record State(int format, long step, long tokens, long seed, Map<String, Object> dataState,
                        TrainConfig train, Double valLoss, Double trainLoss, long savedAtMillis) {
        public static final int FORMAT = 1;
    }

    /** A checkpoint on disk. */
    public record Entry(Path dir, long step) { }

    private final Path root;   // <run>/checkpoints

    public Checkpoints(Path runDir) { this.root = runDir.resolve("checkpoints"); }

    public Path root() { return root; }

    public static String name(long step) { return String.format("step-%07d", step); }

    /** Writes a checkpoint atomically and prunes old ones; returns its directory. */
    public Path save(Trainer trainer, BatchSource data, Path tokenizerDir, State state, int keepLast) throws IOException {
        Files.createDirectories(root);
        String name = name(state.step());
        Path tmp = root.resolve(name + ".tmp");
        AtomicFiles.deleteTree(tmp);
        Files.createDirectories(tmp);
        trainer.model().config().write(tmp.resolve(CONFIG));
        trainer.model().save(tmp.resolve(MODEL));
        trainer.optimizer().save(tmp.resolve(OPTIMIZER));
        if (tokenizerDir != null) {
            for (String f : TOKENIZER_FILES) {
                Path src = tokenizerDir.resolve(f);
                if (Files.isRegularFile(src)) Files.copy(src, tmp.resolve(f));
            }
        }
        AtomicFiles.writeJson(tmp.resolve(STATE), state);
        AtomicFiles.fsyncTree(tmp);
        Path dir = root.resolve(name);
        AtomicFiles.deleteTree(dir);
        AtomicFiles.move(tmp, dir);
        if (state.valLoss() != null) {
            Optional<Map<String, Object>> best = best();
            double bestLoss = best.map(b -> ((Number) b.get("val_loss")).doubleValue()).orElse(Double.POSITIVE_INFINITY);
            if (state.valLoss() < bestLoss) {
                AtomicFiles.writeJson(root.resolve(BEST), Map.of("step", state.step(), "val_loss", state.valLoss(), "dir", name));
            }
        }
        prune(keepLast);
        return dir;
    }

    /** Complete checkpoints, oldest first. */
    public List<Entry> list() throws IOException {
        List<Entry> out = new ArrayList<>();
        if (!Files.isDirectory(root)) return out;
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String n = p.getFileName().toString();
                if (Files.isDirectory(p) && n.matches("step-\\d+") && Files.isRegularFile(p.resolve(STATE))) {
                    out.add(new Entry(p, Long.parseLong(n.substring(5))));
                }
            }
        }
        out.sort(Comparator.comparingLong(Entry::step));
        return out;
    }

    public Optional<Entry> latest() throws IOException {
        List<Entry> l = list();
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(l.size() - 1));
    }

    @SuppressWarnings("unchecked")
    public Optional<Map<String, Object>> best() throws IOException {
        Path f = root.resolve(BEST);
        if (!Files.isRegularFile(f)) return Optional.empty();
        return Optional.of(Json.MAPPER.readValue(f.toFile(), Map.class));
    }

    private void prune(int keepLast) throws IOException {
        String bestDir = best().map(b -> (String) b.get("dir")).orElse("");
        List<Entry> all = list();
        for (int i = 0; i < all.size() - keepLast; i++) {
            Entry e = all.get(i);
            if (!e.dir().getFileName().toString().equals(bestDir)) AtomicFiles.deleteTree(e.dir());
        }
        try (Stream<Path> s = Files.list(root)) {   // leftovers of a crash mid-save
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.getFileName().toString().endsWith(".tmp") && Files.isDirectory(p)) AtomicFiles.deleteTree(p);
            }
        }
    }

    public static State readState(Path checkpointDir) throws IOException {
        return Json.MAPPER.readValue(checkpointDir.resolve(STATE).toFile(), State.class);
    }

    public static BitNetConfig readConfig(Path checkpointDir) throws IOException {
        return BitNetConfig.read(checkpointDir.resolve(CONFIG));
    }
}
