package bitnut.workspace;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Workspace layout, and the clear errors for folders that are not (usable) workspaces. */
class WorkspaceTest {
    @Test
    void createMakesTheManifestAndOneFolderPerStage(@TempDir Path tmp) throws Exception {
        Workspace ws = Workspace.create(tmp.resolve("ws"));
        assertTrue(Files.isRegularFile(ws.root().resolve("workspace.json")));
        for (String s : Workspace.STAGES) assertTrue(Files.isDirectory(ws.root().resolve(s)), s);
        assertEquals(ws.root().resolve("tasks"), ws.tasksDir());
        assertEquals(ws.root(), Workspace.open(ws.root()).root());
    }

    @Test
    void aFolderWithoutManifestIsAClearError(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("notes.txt"), "hello");
        WorkspaceException e = assertThrows(WorkspaceException.class, () -> Workspace.open(tmp));
        assertTrue(e.getMessage().contains("is not a BitNut workspace (no workspace.json)"), e.getMessage());
        assertTrue(e.getMessage().contains("HINT"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("tasks")), "nothing is created in a foreign folder");
    }

    @Test
    void aNewerFormatVersionIsAClearError(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("workspace.json"), "{\"format\":\"bitnut-workspace\",\"version\":99}");
        WorkspaceException e = assertThrows(WorkspaceException.class, () -> Workspace.open(tmp));
        assertTrue(e.getMessage().contains("format 99, newer than this BitNut (" + Workspace.VERSION + ")"), e.getMessage());
        assertThrows(WorkspaceException.class, () -> Workspace.create(tmp), "create does not overwrite it either");
    }

    @Test
    void aForeignManifestIsAClearError(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("workspace.json"), "{\"folders\":[]}");
        WorkspaceException e = assertThrows(WorkspaceException.class, () -> Workspace.open(tmp));
        assertTrue(e.getMessage().contains("is not a BitNut workspace manifest"), e.getMessage());
    }

    @Test
    void theBundledWorkspaceInTheRepoOpens() throws Exception {
        Path bundled = Path.of("workspace");
        assertTrue(Files.isRegularFile(bundled.resolve("workspace.json")), "run from the repository root");
        assertEquals(Workspace.VERSION, bitnut.common.Json.MAPPER.readTree(bundled.resolve("workspace.json").toFile())
                .path("version").asInt());
    }
}
