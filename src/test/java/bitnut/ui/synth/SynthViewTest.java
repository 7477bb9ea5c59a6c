package bitnut.ui.synth;

import bitnut.common.JobState;
import bitnut.dataset.DatasetStore;
import bitnut.dataset.ExampleFilter;
import bitnut.synth.SynthInputs;
import bitnut.synth.TeacherServer;
import bitnut.ui.AppServices;
import bitnut.ui.FxJob;
import bitnut.ui.SettingsStore;
import bitnut.workspace.Workspace;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.Spinner;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The real Synth tab in a headless stage against the loopback teacher: configure the teacher,
 * generate questions, answer them as BitNut, cancel mid-way, resume the run, edit the persona and
 * see a broken template refused.
 */
class SynthViewTest {
    static final FxRobot robot = new FxRobot();
    static TeacherServer server;
    static Workspace ws;
    static AppServices services;
    static SynthViewModel vm;
    static SynthView view;

    @BeforeAll static void start() throws Exception {
        server = new TeacherServer();
        ws = Workspace.create(Files.createTempDirectory("bitnut-synth-ui"));
        Path config = Files.createTempDirectory("bitnut-synth-ui-config");
        FxToolkit.registerPrimaryStage();
        FxToolkit.setupStage(stage -> {
            services = new AppServices(ws, new SettingsStore(config));
            vm = new SynthViewModel(services);
            view = new SynthView(vm);
            stage.setScene(new Scene((javafx.scene.Parent) view.content(), 1280, 800));
            // the primary stage is shared with other UI test classes, which may have moved or resized it
            stage.setX(0);
            stage.setY(0);
            stage.setWidth(1280);
            stage.setHeight(800);
            stage.show();
            stage.toFront();
        });
    }

    @AfterAll static void stop() throws Exception {
        FxToolkit.setupFixture(() -> { view.dispose(); services.close(); });
        FxToolkit.cleanupStages();
        server.close();
    }

    /** Looks up inside this test's Synth view only (other tests' windows may hold a Synth tab too). */
    static org.testfx.service.query.NodeQuery in(String query) { return robot.from(view.content()).lookup(query); }

    /** Fires a button that may sit below the scroll pane's visible area (a click would miss it). */
    static void press(String id) {
        javafx.scene.control.Button b = in(id).queryButton();
        assertFalse(b.isDisabled(), id + " is disabled");
        robot.interact(b::fire);
    }

    static FxJob awaitFinished() throws Exception {
        FxJob job = vm.currentJobProperty().get();
        assertNotNull(job, vm.messageProperty().get());
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> job.getJobState() != null && job.getJobState().finished());
        WaitForAsyncUtils.waitForFxEvents();
        return job;
    }

    @SuppressWarnings("unchecked")
    @Test void generatesQuestionsAndAnswersCancelsResumesAndEditsThePersona() throws Exception {
        robot.interact(() -> {
            in("#synth-base-url").queryAs(TextField.class).setText(server.baseUrl());
            in("#synth-model").queryAs(TextField.class).setText("loopback-teacher");
            in("#synth-key-env").queryAs(TextField.class).setText("BITNUT_SYNTH_UI_TEST_NO_SUCH_KEY");
            ((Spinner<Integer>) in("#synth-concurrency").query()).getValueFactory().setValue(2);
            ((Spinner<Integer>) in("#synth-per-topic").query()).getValueFactory().setValue(1);
            ((Spinner<Integer>) in("#synth-per-request").query()).getValueFactory().setValue(4);
            ((Spinner<Integer>) in("#synth-topic-limit").query()).getValueFactory().setValue(3);
        });
        Label keyStatus = in("#synth-key-status").queryAs(Label.class);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> keyStatus.getText().startsWith("No key found in BITNUT_SYNTH_UI_TEST_NO_SUCH_KEY"));

        // questions: 3 topics x 1 request x 4 questions
        robot.clickOn(in("#synth-run-questions").queryButton());
        FxJob q = awaitFinished();
        assertEquals(JobState.SUCCEEDED, q.getJobState(), vm.messageProperty().get());
        assertTrue(vm.messageProperty().get().startsWith("12 new questions"), vm.messageProperty().get());
        assertTrue(Files.readString(ws.synthDir().resolve("teacher.json")).contains(server.baseUrl()), "settings saved for the CLI");
        TableView<SynthViewModel.RecentItem> recent = in("#synth-recent").queryAs(TableView.class);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> recent.getItems().size() == 12);
        assertNull(recent.getItems().getFirst().response());

        // voice, slowed down so Cancel lands mid-run
        server.delayMillis = 700;
        int answeredBeforeVoice = server.answered.get();   // the question job's requests (3, one per topic)
        robot.clickOn(in("#synth-run-voice").queryButton());
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> server.answered.get() >= answeredBeforeVoice + 2);
        server.delayMillis = 5_000; // later requests stall, so the run cannot finish before Cancel lands, however slow the machine
        press("#synth-cancel");
        FxJob v = awaitFinished();
        assertEquals(JobState.CANCELLED, v.getJobState());
        long answeredAtCancel;
        try (DatasetStore store = DatasetStore.open(ws)) {
            answeredAtCancel = store.count(ExampleFilter.ALL.withHasResponse(true));
        }
        assertTrue(answeredAtCancel >= 1 && answeredAtCancel < 12, "answered at cancel: " + answeredAtCancel);

        // resume the voice run (newest run, selected in the list)
        server.delayMillis = 0;
        ListView<SynthViewModel.RunInfo> runs = in("#synth-runs").queryAs(ListView.class);
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> !runs.getItems().isEmpty() && runs.getItems().getFirst().runId().startsWith("v-"));
        robot.interact(() -> runs.getSelectionModel().select(0));
        press("#synth-resume");
        FxJob r = awaitFinished();
        assertEquals(JobState.SUCCEEDED, r.getJobState(), vm.messageProperty().get());
        try (DatasetStore store = DatasetStore.open(ws)) {
            assertEquals(12, store.count(ExampleFilter.ALL.withHasResponse(true)));
        }
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> recent.getItems().stream().allMatch(i -> i.response() != null));
        assertTrue(in("#synth-throughput").queryAs(Label.class).getText().contains("answers/min"));

        // persona edit saved to the workspace; a broken template refused with its line
        robot.interact(() -> in("#synth-editors").queryAs(javafx.scene.control.TabPane.class).getSelectionModel()
                .select(SynthInputs.FILES.indexOf(SynthInputs.PERSONA)));
        robot.interact(() -> in("#synth-text-persona").queryAs(TextArea.class).setText("You are BitNut, a very good dog."));
        robot.clickOn(in("#synth-save-persona").queryButton());
        assertEquals("You are BitNut, a very good dog.", Files.readString(ws.synthDir().resolve(SynthInputs.PERSONA)));
        robot.interact(() -> vm.textProperty(SynthInputs.VOICE_TEMPLATE).set("Answer this:\n{{qestion}}"));
        robot.interact(() -> vm.saveInput(SynthInputs.VOICE_TEMPLATE));
        assertTrue(vm.messageProperty().get().contains("voice-template.txt:2: unknown placeholder {{qestion}}"), vm.messageProperty().get());
        assertEquals(SynthInputs.bundled(SynthInputs.VOICE_TEMPLATE), Files.readString(ws.synthDir().resolve(SynthInputs.VOICE_TEMPLATE)));
    }
}
