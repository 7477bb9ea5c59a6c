package bitnut.ui;

import bitnut.common.ComputeDevice;
import bitnut.workspace.Workspace;
import bitnut.workspace.WorkspaceException;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.geometry.Insets;
import javafx.geometry.Rectangle2D;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.image.Image;
import javafx.scene.image.ImageView;
import javafx.scene.layout.GridPane;
import javafx.stage.DirectoryChooser;
import javafx.stage.Screen;
import javafx.stage.Stage;

import java.io.File;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The JavaFX application: one window showing one workspace at a time. Chooses the workspace to open
 * ({@code -Dbitnut.workspace}, else the last one, else the bundled {@code workspace/}), restores
 * theme and window geometry from {@link SettingsStore}, and rebuilds {@link MainWindow} when the
 * user opens another workspace. Launched by {@link bitnut.Main} when there are no arguments.
 */
public final class WorkbenchApp extends Application implements MainWindow.Shell {
    private Stage stage;
    private SettingsStore settings;
    private AppServices services;
    private MainWindow window;
    private Scene scene;

    public static void launchApp(String[] args) { Application.launch(WorkbenchApp.class, args); }

    @Override public void start(Stage primary) {
        this.stage = primary;
        bitnut.ResumableJobs.registerAll(); // before the history is read: Resume must know every kind
        settings = new SettingsStore(SettingsStore.defaultConfigDir());
        stage.setTitle("BitNut Workbench");
        Image icon = icon();
        if (icon != null) stage.getIcons().add(icon);
        Workspace ws = initialWorkspace();
        services = new AppServices(ws, settings);
        window = new MainWindow(services, this);
        scene = new Scene(window.root(), 1200, 760);
        Theme.apply(scene, settings.get().dark());
        stage.setScene(scene);
        restoreGeometry();
        stage.setOnCloseRequest(e -> { if (!confirmStopJobs("quit")) e.consume(); else saveGeometry(); });
        services.setWindow(stage);
        settings.update(s -> s.withOpened(ws.root().toString()));
        updateTitle();
        stage.show();
        if (settings.loadProblem() != null) error("Settings", settings.loadProblem());
    }

    @Override public void stop() {
        if (window != null) window.dispose();
        if (services != null) services.close();
    }

    // ---- for tests and tabs ----
    public AppServices services() { return services; }
    public MainWindow mainWindow() { return window; }
    public Stage stage() { return stage; }

    /** The window icon: the project's own bitnut.png (drawn by IconGenerator in the test sources). */
    public static Image icon() {
        try (InputStream in = WorkbenchApp.class.getResourceAsStream("bitnut.png")) {
            return in == null ? null : new Image(in);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    // ---- workspace switching ----

    private Workspace initialWorkspace() {
        String explicit = System.getProperty("bitnut.workspace");
        String last = settings.get().lastWorkspace();
        if ((explicit == null || explicit.isBlank()) && last != null && Workspace.looksLikeWorkspace(Path.of(last))) {
            try {
                return Workspace.open(Path.of(last));
            } catch (WorkspaceException e) {
                Platform.runLater(() -> error("Cannot open the last workspace", e.getMessage()));
            }
        }
        try {
            return Workspace.create(Workspace.defaultDir());
        } catch (WorkspaceException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * Opens {@code dir} as the workspace, replacing the current one. Not a workspace, or a newer
     * format: a clear error dialog, and the current workspace stays open. Returns true when switched.
     */
    public boolean switchTo(Path dir, boolean create) {
        Workspace ws;
        try {
            ws = create ? Workspace.create(dir) : Workspace.open(dir);
        } catch (WorkspaceException e) {
            error("Cannot open workspace", e.getMessage());
            return false;
        }
        if (ws.root().equals(services.workspace().root())) return true;
        if (!confirmStopJobs("switch workspace")) return false;
        window.dispose();
        services.close();
        services = new AppServices(ws, settings);
        services.setWindow(stage);
        settings.update(s -> s.withOpened(ws.root().toString()));
        window = new MainWindow(services, this);
        scene.setRoot(window.root());
        updateTitle();
        return true;
    }

    @Override public void newWorkspace() {
        DirectoryChooser dc = new DirectoryChooser();
        dc.setTitle("New workspace: choose an empty folder");
        File f = dc.showDialog(stage);
        if (f == null) return;
        Path dir = f.toPath();
        try (var s = Files.list(dir)) {
            if (s.findAny().isPresent() && !Workspace.looksLikeWorkspace(dir)) {
                error("Cannot create workspace", dir + " is not empty. HINT: choose or make an empty folder.");
                return;
            }
        } catch (java.io.IOException e) {
            error("Cannot create workspace", e.getMessage());
            return;
        }
        switchTo(dir, true);
    }

    @Override public void openWorkspace() {
        DirectoryChooser dc = new DirectoryChooser();
        dc.setTitle("Open workspace");
        dc.setInitialDirectory(services.workspace().root().getParent().toFile());
        File f = dc.showDialog(stage);
        if (f != null) switchTo(f.toPath(), false);
    }

    @Override public void openRecent(String dir) { switchTo(Path.of(dir), false); }

    @Override public void setDark(boolean dark) {
        settings.update(s -> s.withTheme(dark ? "dark" : "light"));
        Theme.apply(scene, dark);
    }

    @Override public void quit() {
        if (confirmStopJobs("quit")) {
            saveGeometry();
            stage.close();
            Platform.exit();
        }
    }

    @Override public void showSettings() {
        Dialog<ButtonType> d = new Dialog<>();
        d.initOwner(stage);
        d.setTitle("Settings");
        ChoiceBox<String> theme = new ChoiceBox<>();
        theme.getItems().addAll("light", "dark");
        theme.setValue(settings.get().theme());
        Button clearRecent = new Button("Clear recent workspaces");
        clearRecent.setOnAction(e -> settings.update(s -> new Settings(s.theme(), s.lastWorkspace(),
                java.util.List.of(), s.window(), s.values())));
        GridPane g = new GridPane(10, 8);
        g.setPadding(new Insets(12));
        g.addRow(0, new Label("Theme"), theme);
        g.addRow(1, new Label("Recent workspaces"), clearRecent);
        g.addRow(2, new Label("Settings file"), new Label(settings.file().toString()));
        g.addRow(3, new Label("Workspace"), new Label(services.workspace().root().toString()));
        d.getDialogPane().setContent(g);
        d.getDialogPane().getButtonTypes().addAll(ButtonType.OK, ButtonType.CANCEL);
        d.showAndWait().filter(b -> b == ButtonType.OK).ifPresent(b -> setDark("dark".equals(theme.getValue())));
    }

    @Override public void showAbout() {
        ComputeDevice.Info dev = services.deviceProperty().get();
        String v = WorkbenchApp.class.getPackage().getImplementationVersion();
        Alert a = new Alert(Alert.AlertType.INFORMATION);
        a.initOwner(stage);
        a.setTitle("About BitNut Workbench");
        a.setHeaderText("BitNut Workbench " + (v == null ? "dev" : v));
        a.setContentText("From raw text to a chatting BitNet b1.58 model.\n\n"
                + "Java " + Runtime.version() + "\nJavaFX " + System.getProperty("javafx.runtime.version") + "\n"
                + "Compute: " + (dev == null ? "DJL still loading" : dev.describe()) + "\n"
                + "Workspace: " + services.workspace().root() + "\nSettings: " + settings.file());
        Image icon = icon();
        if (icon != null) {
            ImageView iv = new ImageView(icon);
            iv.setFitWidth(72);
            iv.setFitHeight(72);
            a.setGraphic(iv);
        }
        a.show();
    }

    // ---- helpers ----

    /** True when nothing runs, or the user agreed to cancel the running jobs. */
    private boolean confirmStopJobs(String action) {
        long active = services.executor().jobs().stream().filter(j -> !j.state().finished()).count();
        if (active == 0) return true;
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, active + " job(s) are running or queued. "
                + "They will be cancelled (running ones clean up first). " + capitalize(action) + " anyway?",
                ButtonType.YES, ButtonType.NO);
        a.initOwner(stage);
        a.setHeaderText(null);
        Optional<ButtonType> r = a.showAndWait();
        return r.isPresent() && r.get() == ButtonType.YES;
    }

    private void error(String title, String message) {
        Alert a = new Alert(Alert.AlertType.ERROR, message, ButtonType.OK);
        if (stage != null && stage.getScene() != null) a.initOwner(stage);
        a.setTitle(title);
        a.setHeaderText(title);
        a.getDialogPane().setId("error-dialog");
        a.show();
    }

    private void updateTitle() { stage.setTitle("BitNut Workbench — " + services.workspace().root()); }

    private void restoreGeometry() {
        Settings.WindowGeometry g = settings.get().window();
        if (g == null) return;
        boolean visible = Screen.getScreensForRectangle(new Rectangle2D(g.x(), g.y(), Math.max(1, g.width()),
                Math.max(1, g.height()))).size() > 0;
        if (visible && g.width() >= 400 && g.height() >= 300) {
            stage.setX(g.x());
            stage.setY(g.y());
            stage.setWidth(g.width());
            stage.setHeight(g.height());
        }
        stage.setMaximized(g.maximized());
    }

    private void saveGeometry() {
        if (stage.isIconified()) return;
        settings.update(s -> s.withWindow(new Settings.WindowGeometry(stage.getX(), stage.getY(),
                stage.getWidth(), stage.getHeight(), stage.isMaximized())));
    }

    private static String capitalize(String s) { return Character.toUpperCase(s.charAt(0)) + s.substring(1); }
}
