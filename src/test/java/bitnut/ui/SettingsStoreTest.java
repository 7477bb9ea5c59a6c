package bitnut.ui;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Settings survive a restart (new store on the same folder); a broken file falls back to defaults. */
class SettingsStoreTest {
    @Test
    void settingsAndGeometryPersistAcrossInstances(@TempDir Path dir) {
        SettingsStore a = new SettingsStore(dir);
        a.update(s -> s.withTheme("dark").withWindow(new Settings.WindowGeometry(10, 20, 1000, 700, false))
                .withOpened("/ws/one").withOpened("/ws/two").withOpened("/ws/one").withValue("pretrain.preset", "tiny"));
        Settings b = new SettingsStore(dir).get();
        assertTrue(b.dark());
        assertEquals(new Settings.WindowGeometry(10, 20, 1000, 700, false), b.window());
        assertEquals("/ws/one", b.lastWorkspace());
        assertEquals(java.util.List.of("/ws/one", "/ws/two"), b.recentWorkspaces(), "most recent first, no duplicates");
        assertEquals("tiny", b.values().get("pretrain.preset"));
    }

    @Test
    void recentListIsBounded(@TempDir Path dir) {
        SettingsStore s = new SettingsStore(dir);
        for (int i = 0; i < 20; i++) { int n = i; s.update(x -> x.withOpened("/ws/" + n)); }
        assertEquals(Settings.MAX_RECENT, s.get().recentWorkspaces().size());
        assertEquals("/ws/19", s.get().recentWorkspaces().getFirst());
    }

    @Test
    void anUnreadableFileFallsBackToDefaultsAndSaysSo(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("settings.json"), "{ not json");
        SettingsStore s = new SettingsStore(dir);
        assertFalse(s.get().dark());
        assertNotNull(s.loadProblem());
        assertTrue(s.loadProblem().contains("settings.json"), s.loadProblem());
    }
}
