package bitnut.ui.sample;

import bitnut.infer.TinyCheckpoint;
import bitnut.model.BitNetConfig;
import bitnut.ui.TabStage;
import bitnut.workspace.Workspace;
import javafx.scene.control.TextArea;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Sample tab in a real JavaFX stage: newest checkpoint preselected, two samples stream side by side. */
class SampleViewTest {
    static final FxRobot robot = new FxRobot();
    static TabStage<SampleView> tab;
    static SampleView view;
    static Path newest;

    @BeforeAll static void start() throws Exception {
        Path ws = Files.createTempDirectory("bitnut-sample-ui");
        Workspace workspace = Workspace.create(ws);
        BitNetConfig c = TinyCheckpoint.config(true);
        TinyCheckpoint.writeLatent(workspace.pretrainDir().resolve("run-a/checkpoints/step-0000010"), c, TinyCheckpoint.latents(c, 1));
        Thread.sleep(20);
        newest = TinyCheckpoint.writeLatent(workspace.pretrainDir().resolve("run-a/checkpoints/step-0000020"), c, TinyCheckpoint.latents(c, 2));
        Files.setLastModifiedTime(newest.resolve("model.safetensors"), java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        tab = TabStage.show(workspace, s -> new SampleView(new SampleViewModel(s)), 1000, 700);
        view = tab.view();
    }

    @AfterAll static void stop() throws Exception { tab.close(); }

    @Test void generatesTwoSamplesSideBySide() throws Exception {
        SampleViewModel m = view.model();
        assertEquals(2, m.checkpoints().size());
        assertEquals(newest, m.checkpointProperty().get(), "newest checkpoint is the default");
        robot.interact(() -> {
            m.promptProperty().set("Squirrels");
            m.maxTokensProperty().set(12);
            m.temperatureProperty().set("50");   // the tiny random model is very peaked
            m.samplesProperty().set(2);
        });
        robot.clickOn("#sample-generate");
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !m.runningProperty().get() && m.outputs().size() == 2
                && !m.outputs().get(1).stats.get().isEmpty());
        WaitForAsyncUtils.waitForFxEvents();
        TextArea a = robot.lookup("#sample-output-0").queryAs(TextArea.class);
        TextArea b = robot.lookup("#sample-output-1").queryAs(TextArea.class);
        assertTrue(!a.getText().isEmpty() && !b.getText().isEmpty(), "both columns streamed text");
        assertNotEquals(a.getText(), b.getText(), "different seeds give different samples");
        assertTrue(m.outputs().get(0).stats.get().contains("tok/s"), m.outputs().get(0).stats.get());
        assertTrue(m.statusProperty().get().startsWith("SUCCEEDED") || m.statusProperty().get().contains("tok/s"), m.statusProperty().get());
    }

    @Test void theHeadPrecisionPickerChoosesTheEngine() throws Exception {
        SampleViewModel m = view.model();
        assertEquals(bitnut.infer.kernel.DenseMatrix.Precision.INT8, m.headProperty().get(), "int8 head by default");
        robot.interact(() -> {
            m.promptProperty().set("Squirrels");
            m.maxTokensProperty().set(6);
            m.samplesProperty().set(1);
        });
        robot.clickOn("#sample-head");
        robot.clickOn("f32");
        assertEquals(bitnut.infer.kernel.DenseMatrix.Precision.F32, m.headProperty().get());
        robot.clickOn("#sample-generate");
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !m.runningProperty().get() && m.outputs().size() == 1
                && !m.outputs().get(0).stats.get().isEmpty());
        assertTrue(m.outputs().get(0).stats.get().endsWith("f32 head"), m.outputs().get(0).stats.get());
    }
}
