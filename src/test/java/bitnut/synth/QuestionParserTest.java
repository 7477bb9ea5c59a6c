package bitnut.synth;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Parsing the shapes teachers really answer in, and the dedupe key. */
class QuestionParserTest {

    @Test void numberedListWithPreambleAndWrappedLines() {
        String reply = """
                Here are 4 questions about rainbows?

                1. What makes a rainbow
                   appear after the rain?
                2) Why are rainbows curved?
                (3) Can a dog see all the colours of a rainbow?
                4. Rainbows are pretty.
                I hope these help!
                """;
        assertEquals(List.of("What makes a rainbow appear after the rain?", "Why are rainbows curved?",
                "Can a dog see all the colours of a rainbow?"), QuestionParser.parse(reply));
    }

    @Test void bulletsMarkdownAndQuestionLabels() {
        String reply = """
                - **Why do squirrels bury acorns?**
                * "How do birds find their way home?"
                • Q3: What is a constellation?
                Question 4: Where does the sun go at night? (asks about rotation)
                """;
        assertEquals(List.of("Why do squirrels bury acorns?", "How do birds find their way home?",
                "What is a constellation?", "Where does the sun go at night?"), QuestionParser.parse(reply));
    }

    @Test void severalNumberedQuestionsOnOneLine() {
        assertEquals(List.of("What is a magnet?", "Why do magnets stick to fridges?", "Can magnets push things away?"),
                QuestionParser.parse("1. What is a magnet? 2. Why do magnets stick to fridges? 3. Can magnets push things away?"));
    }

    @Test void plainLinesWithoutMarkers() {
        String reply = "what is rain made of?\nrain is wet\nhow do clouds float in the sky?\n```\n";
        assertEquals(List.of("What is rain made of?", "How do clouds float in the sky?"), QuestionParser.parse(reply));
    }

    @Test void tooShortOrEmptyIsDropped() {
        assertEquals(List.of(), QuestionParser.parse("1. Why?\n2. \n3. ?\n"));
        assertEquals(List.of(), QuestionParser.parse(""));
    }
}
