package bitnut.infer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Saved conversations: round trip, newest first, corrupt files reported and skipped, ids checked. */
class ChatStoreTest {
    @Test
    void roundTripsListsNewestFirstAndSkipsCorruptFiles(@TempDir Path dir) throws Exception {
        ChatStore store = new ChatStore(dir);
        ChatStore.Conversation a = ChatStore.Conversation.create("ckpt-a")
                .withTurns(List.of(new ChatSession.Turn("first question", "woof", null)));
        store.save(a);
        Thread.sleep(5);
        ChatStore.Conversation b = ChatStore.Conversation.create("ckpt-b")
                .withTurns(List.of(new ChatSession.Turn("second", "squirrels!", null), new ChatSession.Turn("more", "yes", null)));
        store.save(b);
        Files.writeString(dir.resolve("broken.json"), "{\"turns\": [");
        List<String> problems = new ArrayList<>();
        List<ChatStore.Conversation> all = store.list(problems);
        assertEquals(2, all.size());
        assertEquals(b.id(), all.get(0).id());
        assertEquals("first question", all.get(1).title());
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).contains("broken.json"), problems.get(0));
        assertEquals(b, store.load(b.id()));
        assertEquals("squirrels!", store.load(b.id()).sessionTurns().get(0).bitnut());
        assertThrows(IllegalArgumentException.class, () -> store.file("../etc/passwd"));
    }
}
