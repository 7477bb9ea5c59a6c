package bitnut.ui;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The workbench's user settings, saved as JSON in the user config folder ({@link SettingsStore}).
 * Unknown keys are ignored when reading, so older and newer versions share one file.
 *
 * @param theme            "light" or "dark" (AtlantaFX Primer)
 * @param lastWorkspace    workspace folder open at the last exit, or null for the bundled one
 * @param recentWorkspaces most recent first, at most {@link #MAX_RECENT}
 * @param window           main window geometry at the last exit, or null
 * @param values           per-stage preferences ("pretrain.preset" -> "tiny"), keys prefixed by stage
 */
public record Settings(String theme, String lastWorkspace, List<String> recentWorkspaces,
                       WindowGeometry window, Map<String, String> values) {
    public static final int MAX_RECENT = 8;

    /** Window position and size in screen pixels. */
    public record WindowGeometry(double x, double y, double width, double height, boolean maximized) { }

    public Settings {
        theme = "dark".equals(theme) ? "dark" : "light";
        recentWorkspaces = recentWorkspaces == null ? List.of() : List.copyOf(recentWorkspaces);
        values = values == null ? Map.of() : Map.copyOf(values);
    }

    public static Settings defaults() { return new Settings("light", null, List.of(), null, Map.of()); }

    public boolean dark() { return "dark".equals(theme); }

    public Settings withTheme(String t) { return new Settings(t, lastWorkspace, recentWorkspaces, window, values); }

    public Settings withWindow(WindowGeometry w) { return new Settings(theme, lastWorkspace, recentWorkspaces, w, values); }

    /** Records {@code dir} as the open workspace and moves it to the top of the recent list. */
    public Settings withOpened(String dir) {
        List<String> recent = new ArrayList<>(recentWorkspaces);
        recent.remove(dir);
        recent.addFirst(dir);
        while (recent.size() > MAX_RECENT) recent.removeLast();
        return new Settings(theme, dir, recent, window, values);
    }

    public Settings withValue(String key, String value) {
        Map<String, String> v = new LinkedHashMap<>(values);
        if (value == null) v.remove(key); else v.put(key, value);
        return new Settings(theme, lastWorkspace, recentWorkspaces, window, v);
    }
}
