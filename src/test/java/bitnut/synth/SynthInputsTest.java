package bitnut.synth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The editable inputs: defaults copied once, edits kept, templates checked and filled. */
class SynthInputsTest {
    @TempDir Path dir;

    @Test void copiesDefaultsOnceAndKeepsEdits() throws Exception {
        SynthInputs in = SynthInputs.open(dir);
        for (String f : SynthInputs.FILES) assertTrue(Files.isRegularFile(dir.resolve(f)), f);
        List<String> topics = in.topics();
        assertTrue(topics.size() >= 40 && topics.size() <= 120, "topics: " + topics.size());
        assertTrue(in.persona().contains("BitNut") && in.persona().contains("squirrels"));

        in.write(SynthInputs.TOPICS, "# mine\nmoon\n\nmoon\nsquirrel politics\n");
        SynthInputs again = SynthInputs.open(dir);
        assertEquals(List.of("moon", "squirrel politics"), again.topics());
        assertEquals(SynthInputs.bundled(SynthInputs.PERSONA), again.read(SynthInputs.PERSONA));
    }

    @Test void fillsTemplatesAndCyclesStyles() throws Exception {
        SynthInputs in = SynthInputs.open(dir);
        in.write(SynthInputs.STYLES, "short\nlong\n");
        in.write(SynthInputs.QUESTION_TEMPLATE, "Give {{count}} questions on {{topic}}, {{style}}.");
        assertEquals("Give 7 questions on moon, long.", in.questionRequest("moon", 7, 3).getFirst().content());
        List<ChatMessage> v = in.voiceRequest("moon", "Is the moon cheese?");
        assertEquals("system", v.get(0).role());
        assertTrue(v.get(1).content().contains("Is the moon cheese?") && v.get(1).content().contains("moon"));
    }

    @Test void rejectsBrokenTemplatesWithFileAndLine() throws Exception {
        SynthInputs in = SynthInputs.open(dir);
        var e = assertThrows(IllegalArgumentException.class,
                () -> in.write(SynthInputs.VOICE_TEMPLATE, "Answer this:\n{{questoin}}\n"));
        assertEquals("voice-template.txt:2: unknown placeholder {{questoin}} (allowed: question, topic)", e.getMessage());
        var missing = assertThrows(IllegalArgumentException.class, () -> in.write(SynthInputs.VOICE_TEMPLATE, "Answer!"));
        assertTrue(missing.getMessage().contains("must contain {{question}}"));
        assertThrows(IllegalArgumentException.class, () -> in.write(SynthInputs.TOPICS, "# nothing\n"));
        assertEquals(SynthInputs.bundled(SynthInputs.VOICE_TEMPLATE), in.read(SynthInputs.VOICE_TEMPLATE), "a rejected edit must not be saved");
    }
}
