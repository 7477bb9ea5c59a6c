package bitnut.infer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/*
 * Finds loadable checkpoints (a folder with config.json + model.safetensors) in a workspace's
 * pretrain/ and finetune/ folders (runs write <run>/checkpoints/step-NNNNNNN/), newest first, and
 * resolves what a user typed: a checkpoint folder, or a run folder (its latest checkpoint).
 * Folders still being written (*.tmp) are skipped.
 */
public final class CheckpointCatalog {
    private CheckpointCatalog() { }

    /** A checkpoint folder and when its weights were written. */
    public record Entry(Path dir, FileTime modified) {
        public String label(Path root) {
            try {
                return root.relativize(dir).toString();
            } catch (IllegalArgumentException e) {
                return dir.toString();
            }
        }
    }

    public static boolean isCheckpoint(Path dir) {
        return Files.isRegularFile(dir.resolve(SafeTensorsLoader.CONFIG)) && CheckpointTensors.present(dir)
                && !dir.getFileName().toString().endsWith(".tmp");
    }

    /** Every checkpoint under the given roots (depth <= 4), newest first. */
    public static List<Entry> list(Path... roots) {
        List<Entry> out = new ArrayList<>();
        for (Path root : roots) {
            if (root == null || !Files.isDirectory(root)) continue;
            try (Stream<Path> s = Files.walk(root, 4)) {
                s.filter(Files::isDirectory).filter(CheckpointCatalog::isCheckpoint).forEach(d -> {
                    try {
                        out.add(new Entry(d, Files.getLastModifiedTime(d.resolve(SafeTensorsLoader.CONFIG))));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (IOException | UncheckedIOException e) {
                // a folder vanishing mid-scan (a run pruning old checkpoints) is not an error
            }
        }
        out.sort(Comparator.comparing(Entry::modified).reversed());
        return out;
    }

    public static Optional<Entry> latest(Path... roots) {
        List<Entry> l = list(roots);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }

    /** A checkpoint folder as given, or the newest checkpoint inside a run folder. */
    public static Path resolve(Path given) throws IOException {
        if (isCheckpoint(given)) return given;
        if (Files.isDirectory(given)) {
            Optional<Entry> e = latest(given);
            if (e.isPresent()) return e.get().dir();
        }
        throw new IOException(given + " holds no checkpoint (config.json + model.safetensors). "
                + "HINT: pass a checkpoint folder such as workspace/pretrain/<run>/checkpoints/step-0001000, or a run folder");
    }
}
