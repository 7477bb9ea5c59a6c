package bitnut.ui;

import bitnut.ui.corpus.CorpusView;
import bitnut.ui.corpus.CorpusViewModel;
import bitnut.ui.finetune.FinetuneView;
import bitnut.ui.finetune.FinetuneViewModel;
import bitnut.ui.tasks.TasksView;
import bitnut.ui.tasks.TasksViewModel;
import bitnut.ui.tokenizer.TokenizerView;
import bitnut.ui.tokenizer.TokenizerViewModel;
import javafx.scene.Parent;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.RadioMenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.ToggleGroup;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.BorderPane;

import java.util.ArrayList;
import java.util.List;

/**
 * The main window's content for one open workspace: menu, one tab per pipeline stage, the Tasks tab,
 * status bar. Built again from scratch when the user switches workspace.
 */
public final class MainWindow {
    /** What the menu asks of the application (workspace switching, settings, theme, quit). */
    public interface Shell {
        void newWorkspace();
        void openWorkspace();
        void openRecent(String dir);
        void showSettings();
        void setDark(boolean dark);
        void showAbout();
        void quit();
    }

    private final AppServices services;
    private final BorderPane root = new BorderPane();
    private final TabPane tabPane = new TabPane();
    private final List<WorkbenchTab> tabs;
    private final TasksView tasks;
    private final StatusBar statusBar;

    public MainWindow(AppServices services, Shell shell) {
        this.services = services;
        this.tabs = new ArrayList<>(stageTabs(services));
        this.tasks = new TasksView(new TasksViewModel(services));
        tabs.add(tasks);
        tabPane.setId("main-tabs");
        tabPane.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        for (WorkbenchTab t : tabs) {
            Tab tab = new Tab(t.title(), t.content());
            tab.setId("tab-" + t.title().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-"));   // "Prompts / Voice" -> tab-prompts-voice
            tabPane.getTabs().add(tab);
        }
        wireSampleFromCheckpoint();
        statusBar = new StatusBar(services);
        root.setTop(menu(shell));
        root.setCenter(tabPane);
        root.setBottom(statusBar);
    }

    /**
     * THE list of stage tabs, in pipeline order. Each stage adds one line here:
     * {@code tabs.add(new <Stage>View(new <Stage>ViewModel(services)));}
     * (the Tasks tab is appended after these by the constructor).
     */
    static List<WorkbenchTab> stageTabs(AppServices services) {
        List<WorkbenchTab> tabs = new ArrayList<>();
        tabs.add(new TokenizerView(new TokenizerViewModel(services)));
        tabs.add(new CorpusView(new CorpusViewModel(services)));
        tabs.add(new bitnut.ui.pretrain.PretrainView(new bitnut.ui.pretrain.PretrainViewModel(services)));
        tabs.add(new bitnut.ui.sample.SampleView(new bitnut.ui.sample.SampleViewModel(services)));
        tabs.add(new bitnut.ui.chat.ChatView(new bitnut.ui.chat.ChatViewModel(services)));
        tabs.add(new bitnut.ui.synth.SynthView(new bitnut.ui.synth.SynthViewModel(services)));
        tabs.add(new bitnut.ui.dataset.DatasetView(new bitnut.ui.dataset.DatasetViewModel(services)));
        tabs.add(new FinetuneView(new FinetuneViewModel(services)));
        return tabs;
    }

    /** The Pretrain tab's "Sample from this checkpoint" selects the checkpoint in the Sample tab and shows it. */
    private void wireSampleFromCheckpoint() {
        bitnut.ui.sample.SampleView sample = null;
        for (WorkbenchTab t : tabs) if (t instanceof bitnut.ui.sample.SampleView s) sample = s;
        for (WorkbenchTab t : tabs) {
            if (t instanceof bitnut.ui.pretrain.PretrainView p && sample != null) {
                bitnut.ui.sample.SampleViewModel target = sample.model();
                p.model().setSampleHandler(checkpoint -> {
                    target.refreshCheckpoints();
                    if (!target.checkpoints().contains(checkpoint)) target.checkpoints().add(checkpoint);
                    target.checkpointProperty().set(checkpoint);
                    select("Sample");
                });
            }
        }
    }

    public Parent root() { return root; }

    public TabPane tabPane() { return tabPane; }

    public List<WorkbenchTab> tabs() { return List.copyOf(tabs); }

    public TasksView tasksView() { return tasks; }

    public StatusBar statusBar() { return statusBar; }

    /** Shows the tab with this title; returns false when there is none. */
    public boolean select(String title) {
        for (Tab t : tabPane.getTabs()) {
            if (t.getText().equals(title)) { tabPane.getSelectionModel().select(t); return true; }
        }
        return false;
    }

    public void dispose() {
        statusBar.dispose();
        for (WorkbenchTab t : tabs) t.dispose();
    }

    private MenuBar menu(Shell shell) {
        MenuItem newWs = item("New workspace…", "menu-new-workspace", shell::newWorkspace);
        newWs.setAccelerator(KeyCombination.keyCombination("Shortcut+N"));
        MenuItem openWs = item("Open workspace…", "menu-open-workspace", shell::openWorkspace);
        openWs.setAccelerator(KeyCombination.keyCombination("Shortcut+O"));
        Menu recent = new Menu("Recent workspaces");
        recent.setId("menu-recent");
        List<String> dirs = services.settings().get().recentWorkspaces();
        for (String d : dirs) recent.getItems().add(item(d, null, () -> shell.openRecent(d)));
        recent.setDisable(dirs.isEmpty());
        MenuItem settings = item("Settings…", "menu-settings", shell::showSettings);
        MenuItem quit = item("Quit", "menu-quit", shell::quit);
        quit.setAccelerator(KeyCombination.keyCombination("Shortcut+Q"));
        Menu file = new Menu("File", null, newWs, openWs, recent, new SeparatorMenuItem(), settings,
                new SeparatorMenuItem(), quit);

        ToggleGroup theme = new ToggleGroup();
        RadioMenuItem light = new RadioMenuItem("Light theme");
        RadioMenuItem dark = new RadioMenuItem("Dark theme");
        light.setId("menu-light");
        dark.setId("menu-dark");
        light.setToggleGroup(theme);
        dark.setToggleGroup(theme);
        (services.settings().get().dark() ? dark : light).setSelected(true);
        light.setOnAction(e -> shell.setDark(false));
        dark.setOnAction(e -> shell.setDark(true));
        MenuItem showTasks = item("Tasks", "menu-tasks", () -> select("Tasks"));
        Menu view = new Menu("View", null, light, dark, new SeparatorMenuItem(), showTasks);

        Menu help = new Menu("Help", null, item("About BitNut Workbench", "menu-about", shell::showAbout));
        MenuBar bar = new MenuBar(file, view, help);
        bar.setId("menu-bar");
        return bar;
    }

    private static MenuItem item(String text, String id, Runnable action) {
        MenuItem i = new MenuItem(text);
        if (id != null) i.setId(id);
        i.setMnemonicParsing(false);
        i.setOnAction(e -> action.run());
        return i;
    }
}
