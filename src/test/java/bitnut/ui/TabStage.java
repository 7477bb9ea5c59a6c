package bitnut.ui;

import bitnut.workspace.Workspace;
import javafx.scene.Parent;
import javafx.scene.Scene;
import org.testfx.api.FxToolkit;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * One workbench tab alone in a real JavaFX stage (Monocle headless), with the app's services on a
 * test workspace: what each per-tab TestFX test starts in {@code @BeforeAll} and closes in
 * {@code @AfterAll}. The window has a fixed size inside Monocle's headless screen (a bigger window
 * overflows its framebuffer).
 */
public final class TabStage<V extends WorkbenchTab> implements AutoCloseable {
    private final AppServices services;
    private final V view;

    private TabStage(AppServices services, V view) {
        this.services = services;
        this.view = view;
    }

    /** Builds the services and the view on the FX thread and shows the view at {@code width x height}. */
    public static <V extends WorkbenchTab> TabStage<V> show(Workspace workspace, Function<AppServices, V> makeView,
                                                            int width, int height) throws Exception {
        FxToolkit.registerPrimaryStage();
        AtomicReference<TabStage<V>> made = new AtomicReference<>();
        FxToolkit.setupFixture(() -> {
            AppServices services = new AppServices(workspace, new SettingsStore(workspace.root().resolve("config")));
            made.set(new TabStage<>(services, makeView.apply(services)));
        });
        FxToolkit.setupStage(stage -> {
            stage.setScene(new Scene((Parent) made.get().view.content(), width, height));
            stage.show();
        });
        return made.get();
    }

    public V view() { return view; }

    public AppServices services() { return services; }

    /** Disposes the view and closes the services (executor, stores) on the FX thread, then hides the stage. */
    @Override public void close() throws Exception {
        FxToolkit.setupFixture(() -> { view.dispose(); services.close(); });
        FxToolkit.cleanupStages();
    }
}
