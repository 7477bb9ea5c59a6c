package bitnut.ui;

import bitnut.common.AtomicFiles;
import bitnut.common.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * Loads and saves {@link Settings} as {@code settings.json} in the user config folder:
 * {@code -Dbitnut.config.dir} when set (tests), else {@code $XDG_CONFIG_HOME/bitnut}, else
 * {@code ~/.config/bitnut}. Writes are atomic; an unreadable file falls back to defaults (and is
 * left in place until the next save replaces it).
 */
public final class SettingsStore {
    private final Path file;
    private volatile Settings current;
    private String loadProblem;

    public SettingsStore(Path configDir) {
        this.file = configDir.resolve("settings.json");
        Settings s = Settings.defaults();
        if (Files.isRegularFile(file)) {
            try {
                s = Json.MAPPER.readValue(file.toFile(), Settings.class);
            } catch (IOException e) {
                loadProblem = file + " is unreadable (" + e.getMessage() + "); using default settings.";
            }
        }
        current = s;
    }

    public static Path defaultConfigDir() {
        String explicit = System.getProperty("bitnut.config.dir");
        if (explicit != null && !explicit.isBlank()) return Path.of(explicit);
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return base.resolve("bitnut");
    }

    public Path file() { return file; }

    public Settings get() { return current; }

    /** Why the file could not be read at start, or null. */
    public String loadProblem() { return loadProblem; }

    /** Applies a change and saves it at once. */
    public synchronized Settings update(UnaryOperator<Settings> change) {
        current = change.apply(current);
        try {
            AtomicFiles.writeJson(file, current);
        } catch (IOException e) {
            System.err.println("bitnut: cannot save settings to " + file + ": " + e.getMessage());
        }
        return current;
    }
}
