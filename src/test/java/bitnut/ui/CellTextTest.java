package bitnut.ui;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The table cells' one-line text: the bounded loop gives what the regex version gave, on any mix of whitespace. */
class CellTextTest {
    static String byRegex(String s, int max) {
        String t = s.replaceAll("\\s+", " ");
        return t.length() > max ? t.substring(0, max) + "..." : t;
    }

    @Test void sameAsCollapsingWhitespaceWithARegexThenCutting() {
        SplittableRandom r = new SplittableRandom(5);
        String alphabet = "ab c\t\n\r  xyz.!";
        for (int k = 0; k < 5000; k++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0, n = r.nextInt(40); i < n; i++) sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
            int max = 1 + r.nextInt(20);
            assertEquals(byRegex(sb.toString(), max), CellText.oneLine(sb.toString(), max), "'" + sb + "' max " + max);
        }
        assertEquals("", CellText.oneLine("", 5));
        assertEquals(" a b ", CellText.oneLine("\n a \t\n b  ", 10));
    }
}
