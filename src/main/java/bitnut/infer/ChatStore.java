package bitnut.infer;

import bitnut.common.AtomicFiles;
import bitnut.common.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/*
 * Saved conversations: one JSON file per conversation in workspace/chat/ ({id}.json, written
 * atomically after every turn), listed newest first. Format in docs/formats.md ("Chat").
 * A file that does not parse is skipped by list() (and named in the returned problems), never lost.
 */
public final class ChatStore {
    public static final int FORMAT = 1;

    /** One saved turn: what was asked, what BitNut said, and how fast. */
    public record SavedTurn(String human, String bitnut, int newTokens, double decodeTokPerSec) { }

    /** A conversation file. */
    public record Conversation(int format, String id, String title, String checkpoint, long createdMillis, long updatedMillis,
                               List<SavedTurn> turns) {
        public Conversation {
            turns = turns == null ? List.of() : List.copyOf(turns);
        }

        public static Conversation create(String checkpoint) {
            long now = System.currentTimeMillis();
            String id = Instant.ofEpochMilli(now).toString().replace(":", "").replace("-", "").replace(".", "") + "-"
                    + UUID.randomUUID().toString().substring(0, 6);
            return new Conversation(FORMAT, id, "", checkpoint, now, now, List.of());
        }

        /** Same conversation with the session's turns; the title is the first question. */
        public Conversation withTurns(List<ChatSession.Turn> session) {
            List<SavedTurn> t = new ArrayList<>();
            for (ChatSession.Turn turn : session) {
                t.add(new SavedTurn(turn.human(), turn.bitnut(), turn.stats() == null ? 0 : turn.stats().newTokens(),
                        turn.stats() == null ? 0 : turn.stats().decodeTokPerSec()));
            }
            String newTitle = t.isEmpty() ? title : abbreviate(t.get(0).human());
            return new Conversation(format, id, newTitle, checkpoint, createdMillis, System.currentTimeMillis(), t);
        }

        /** Turns as ChatSession turns (stats not kept), to continue a saved conversation. */
        public List<ChatSession.Turn> sessionTurns() {
            List<ChatSession.Turn> out = new ArrayList<>();
            for (SavedTurn s : turns) out.add(new ChatSession.Turn(s.human(), s.bitnut(), null));
            return out;
        }

        private static String abbreviate(String s) {
            String one = s.strip().replace('\n', ' ');
            return one.length() <= 60 ? one : one.substring(0, 57) + "...";
        }
    }

    private final Path dir;

    public ChatStore(Path dir) { this.dir = dir; }

    public Path dir() { return dir; }

    public Path file(String id) {
        if (!id.matches("[A-Za-z0-9_-]{1,80}")) throw new IllegalArgumentException("bad conversation id '" + id + "'");
        return dir.resolve(id + ".json");
    }

    public void save(Conversation c) throws IOException {
        Files.createDirectories(dir);
        AtomicFiles.writeJson(file(c.id()), c);
    }

    public Conversation load(String id) throws IOException {
        Path f = file(id);
        try {
            Conversation c = Json.MAPPER.readValue(f.toFile(), Conversation.class);
            if (c.format() > FORMAT) throw new IOException(f + ": conversation format " + c.format() + " is newer than this BitNut (" + FORMAT + ")");
            return c;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(f + ": not a conversation file: " + e.getOriginalMessage(), e);
        }
    }

    public void delete(String id) throws IOException { Files.deleteIfExists(file(id)); }

    /** All readable conversations, most recently updated first; unreadable files are reported in problems. */
    public List<Conversation> list(List<String> problems) {
        List<Conversation> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String n = p.getFileName().toString();
                if (!n.endsWith(".json")) continue;
                try {
                    out.add(load(n.substring(0, n.length() - 5)));
                } catch (IOException | IllegalArgumentException e) {
                    if (problems != null) problems.add(e.getMessage());
                }
            }
        } catch (IOException e) {
            if (problems != null) problems.add(dir + ": " + e.getMessage());
        }
        out.sort(Comparator.comparingLong(Conversation::updatedMillis).reversed());
        return out;
    }
}
