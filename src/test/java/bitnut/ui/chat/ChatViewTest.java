package bitnut.ui.chat;

import bitnut.infer.ChatStore;
import bitnut.infer.TinyCheckpoint;
import bitnut.model.BitNetConfig;
import bitnut.ui.TabStage;
import bitnut.workspace.Workspace;
import javafx.scene.layout.VBox;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Chat tab in a real JavaFX stage: send (streamed answer, live tok/s, saved + listed), regenerate,
 * edit-and-resend, compare two checkpoints side by side, reopen a saved conversation.
 */
class ChatViewTest {
    static final FxRobot robot = new FxRobot();
    static TabStage<ChatView> tab;
    static ChatView view;
    static Workspace workspace;

    @BeforeAll static void start() throws Exception {
        Path ws = Files.createTempDirectory("bitnut-chat-ui");
        workspace = Workspace.create(ws);
        BitNetConfig c = TinyCheckpoint.config(true);
        TinyCheckpoint.writeLatent(workspace.pretrainDir().resolve("base/checkpoints/step-0000010"), c, TinyCheckpoint.latents(c, 5));
        TinyCheckpoint.writeLatent(workspace.finetuneDir().resolve("chat/checkpoints/step-0000020"), c, TinyCheckpoint.latents(c, 6));
        tab = TabStage.show(workspace, s -> new ChatView(new ChatViewModel(s)), 1000, 700);
        view = tab.view();
    }

    @AfterAll static void stop() throws Exception { tab.close(); }

    static void waitIdle(ChatViewModel m) throws Exception {
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !m.runningProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test void chatRegenerateEditCompareAndReopen() throws Exception {
        ChatViewModel m = view.model();
        assertEquals(2, m.checkpoints().size());
        robot.interact(() -> {
            m.temperatureProperty().set("40");       // the tiny random model is very peaked
            m.maxTokensProperty().set("10");
        });
        robot.clickOn("#chat-input").write("Who runs the park?");
        robot.clickOn("#chat-send");
        waitIdle(m);
        assertEquals(2, m.messagesA().size());
        String first = m.messagesA().get(1).text.get();
        assertFalse(first.isEmpty(), "BitNut answered");
        assertTrue(m.liveSpeedProperty().get().endsWith("tok/s"), m.liveSpeedProperty().get());
        VBox bubbles = robot.lookup("#chat-messages-a").queryAs(VBox.class);
        assertEquals(2, bubbles.getChildren().size());
        // saved and listed
        assertEquals(1, m.conversations().size());
        assertEquals("Who runs the park?", m.conversations().getFirst().title());

        robot.clickOn("#chat-regenerate");
        waitIdle(m);
        assertEquals(2, m.messagesA().size());
        assertTrue(!m.messagesA().get(1).text.get().equals(first), "a new seed gives a new answer");
        String regenerated = m.messagesA().get(1).stats.get();
        // the engine kept the prompt's KV cache: a regenerate runs only the prompt's last token again
        java.util.regex.Matcher reuse = java.util.regex.Pattern.compile("(\\d+) prompt tokens \\((\\d+) reused\\).*").matcher(regenerated);
        assertTrue(reuse.matches(), regenerated);
        assertEquals(Integer.parseInt(reuse.group(1)) - 1, Integer.parseInt(reuse.group(2)), regenerated);

        robot.interact(() -> m.editAndResend(0, "Who really runs the park?"));
        waitIdle(m);
        assertEquals("Who really runs the park?", m.messagesA().getFirst().text.get());
        assertEquals(2, m.messagesA().size());

        robot.clickOn("#chat-compare");
        robot.clickOn("#chat-input").write("And the trees?");
        robot.clickOn("#chat-send");
        waitIdle(m);
        assertEquals(4, m.messagesA().size());
        assertEquals(2, m.messagesB().size(), "column B answers the compared message");
        assertFalse(m.messagesB().get(1).text.get().isEmpty());
        assertTrue(m.messagesA().get(3).stats.get().contains(" reused)"), "the second turn continues the first's KV cache: " + m.messagesA().get(3).stats.get());
        assertTrue(m.messagesA().get(3).stats.get().endsWith("int8 head"), "the default head precision: " + m.messagesA().get(3).stats.get());

        List<String> problems = new ArrayList<>();
        ChatStore.Conversation saved = new ChatStore(workspace.chatDir()).list(problems).getFirst();
        assertEquals(2, saved.turns().size());
        robot.clickOn("#chat-new");
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(m.messagesA().isEmpty());
        robot.interact(() -> m.open(saved));
        assertEquals(4, m.messagesA().size());
        assertEquals("And the trees?", m.messagesA().get(2).text.get());
    }
}
