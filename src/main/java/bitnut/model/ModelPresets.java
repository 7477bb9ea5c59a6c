/*
 * ModelPresets — the architecture presets in the repository's models/ folder (bitnut-133m, bitnut-tiny),
 * packaged into the jar under bitnut/models/ by the pom. A preset is an ordinary config.json.
 */
package bitnut.model;

import bitnut.common.Json;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

public final class ModelPresets {
    /** Presets shipped with the workbench, smallest first. */
    public static final List<String> NAMES = List.of("bitnut-tiny", "bitnut-133m");

    private ModelPresets() { }

    /** A shipped preset by name, or any config.json given as a path. */
    public static BitNetConfig load(String nameOrPath) throws IOException {
        if (NAMES.contains(nameOrPath)) {
            try (InputStream in = ModelPresets.class.getResourceAsStream("/bitnut/models/" + nameOrPath + ".json")) {
                if (in == null) throw new IOException("preset " + nameOrPath + " missing from the jar. HINT: rebuild with ./mvnw package");
                return BitNetConfig.fromJson(Json.MAPPER.readTree(in), "preset " + nameOrPath);
            }
        }
        Path p = Path.of(nameOrPath);
        if (Files.isDirectory(p)) p = p.resolve("config.json");
        if (!Files.isRegularFile(p)) {
            throw new IOException("unknown preset '" + nameOrPath + "'. HINT: use one of " + NAMES + " or a path to a config.json");
        }
        return BitNetConfig.read(p);
    }
}
