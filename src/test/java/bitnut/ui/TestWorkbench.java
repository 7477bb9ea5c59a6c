package bitnut.ui;

import org.testfx.api.FxToolkit;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The whole workbench started by TestFX (Monocle headless) on a test workspace and a fresh settings
 * folder: what WorkbenchAppTest and the Pretrain and Finetune tab tests start once per class.
 */
public final class TestWorkbench {
    private TestWorkbench() { }

    public static WorkbenchApp start(Path workspace) throws Exception {
        System.setProperty("bitnut.workspace", workspace.toString());
        System.setProperty("bitnut.config.dir", Files.createTempDirectory("bitnut-test-config").toString());
        FxToolkit.toolkitContext().setSetupTimeoutInMillis(180_000);   // a loaded 2-core machine starts slowly
        FxToolkit.registerPrimaryStage();
        return (WorkbenchApp) FxToolkit.setupApplication(WorkbenchApp::new);
    }

    public static void stop(WorkbenchApp app) throws Exception {
        FxToolkit.cleanupApplication(app);
        FxToolkit.cleanupStages();
    }
}
