package bitnut.workspace;

import bitnut.common.AtomicFiles;
import bitnut.common.Json;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A workspace is a folder with a manifest ({@code workspace.json}: format + version) and one
 * sub-folder per pipeline stage. Everything a stage makes lives in its folder, so a workspace can be
 * copied, archived or opened on another machine. Layout: docs/formats.md.
 */
public final class Workspace {
    public static final String MANIFEST = "workspace.json";
    public static final String FORMAT = "bitnut-workspace";
    /** Bump when the layout changes incompatibly; older code refuses newer workspaces. */
    public static final int VERSION = 1;
    /** One folder per stage, in pipeline order. */
    public static final List<String> STAGES =
            List.of("tokenizer", "corpus", "pretrain", "synth", "dataset", "finetune", "chat", "tasks");

    private final Path root;

    private Workspace(Path root) { this.root = root; }

    /** Opens an existing workspace; a folder without a manifest or a newer format is a clear error. */
    public static Workspace open(Path dir) throws WorkspaceException {
        Path root = dir.toAbsolutePath().normalize();
        Path manifest = root.resolve(MANIFEST);
        if (!Files.isDirectory(root)) throw new WorkspaceException("Not a folder: " + root);
        if (!Files.isRegularFile(manifest)) {
            throw new WorkspaceException(root + " is not a BitNut workspace (no " + MANIFEST + "). "
                    + "HINT: create one with File > New workspace, or 'bitnut workspace init " + root + "'.");
        }
        JsonNode m;
        try {
            m = Json.MAPPER.readTree(manifest.toFile());
        } catch (IOException e) {
            throw new WorkspaceException("Unreadable " + manifest + ": " + e.getMessage());
        }
        if (m == null || !FORMAT.equals(m.path("format").asText())) {
            throw new WorkspaceException(manifest + " is not a BitNut workspace manifest (format must be \"" + FORMAT + "\").");
        }
        int version = m.path("version").asInt(-1);
        if (version > VERSION) {
            throw new WorkspaceException(root + " uses workspace format " + version + ", newer than this BitNut ("
                    + VERSION + "). HINT: update BitNut Workbench to open it.");
        }
        if (version < 1) throw new WorkspaceException(manifest + " has no valid version.");
        Workspace ws = new Workspace(root);
        ws.ensureStageFolders();
        return ws;
    }

    /** Creates (or adopts an empty) folder as a workspace; opening an existing workspace returns it. */
    public static Workspace create(Path dir) throws WorkspaceException {
        Path root = dir.toAbsolutePath().normalize();
        if (Files.isRegularFile(root.resolve(MANIFEST))) return open(root);
        try {
            Files.createDirectories(root);
            AtomicFiles.writeJson(root.resolve(MANIFEST), Map.of("format", FORMAT, "version", VERSION));
        } catch (IOException e) {
            throw new WorkspaceException("Cannot create workspace in " + root + ": " + e.getMessage());
        }
        Workspace ws = new Workspace(root);
        ws.ensureStageFolders();
        return ws;
    }

    private void ensureStageFolders() throws WorkspaceException {
        try {
            for (String s : STAGES) Files.createDirectories(root.resolve(s));
        } catch (IOException e) {
            throw new WorkspaceException("Cannot create stage folders in " + root + ": " + e.getMessage());
        }
    }

    /**
     * The bundled default workspace: {@code -Dbitnut.workspace} when set, else
     * {@code $bitnut.home/workspace} (the launcher sets bitnut.home to the checkout).
     */
    public static Path defaultDir() {
        String explicit = System.getProperty("bitnut.workspace");
        if (explicit != null && !explicit.isBlank()) return Path.of(explicit);
        return Path.of(System.getProperty("bitnut.home", ".")).resolve("workspace");
    }

    /** True when {@code dir} holds a workspace manifest (readable or not). */
    public static boolean looksLikeWorkspace(Path dir) { return Files.isRegularFile(dir.resolve(MANIFEST)); }

    public Path root() { return root; }
    public Path tokenizerDir() { return root.resolve("tokenizer"); }
    public Path corpusDir() { return root.resolve("corpus"); }
    public Path pretrainDir() { return root.resolve("pretrain"); }
    public Path synthDir() { return root.resolve("synth"); }
    public Path datasetDir() { return root.resolve("dataset"); }
    public Path finetuneDir() { return root.resolve("finetune"); }
    public Path chatDir() { return root.resolve("chat"); }
    public Path tasksDir() { return root.resolve("tasks"); }

    @Override public String toString() { return root.toString(); }
}
