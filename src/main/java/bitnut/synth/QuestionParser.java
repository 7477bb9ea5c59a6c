package bitnut.synth;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns a teacher's free-form reply into clean questions. Teachers answer a "give me N numbered
 * questions" request in many shapes; all of these yield the same questions:
 * <pre>
 *   1. What is a rainbow?        - What is a rainbow?        **Q1:** What is a rainbow?
 *   2) Why do rainbows           * Why do rainbows curve?    Here are 10 questions: 1. What is
 *      curve?                                                a rainbow? 2. Why do they curve?
 * </pre>
 * Kept: items that contain a '?' (text after the last '?' is commentary and is cut), 3-60 words.
 * The original BitNut run kept "lines containing ?", which lost wrapped questions and kept the
 * preamble when it happened to ask something; item-wise parsing fixes both.
 */
public final class QuestionParser {
    /** "1." "1)" "(1)" "#1" "Q1:" "Question 1:" "-" "*" "•" "a)" at the start of a line. */
    private static final Pattern MARKER = Pattern.compile(
            "^\\s*(?:(?:\\(?\\d{1,3}[.):]|#\\d{1,3}[.:]?|q(?:uestion)?\\s*\\d{0,3}\\s*[.:)]|[-*•‣◦–]|[a-h][.)])\\s+)",
            Pattern.CASE_INSENSITIVE);
    /** A numbered item starting in the middle of a line, after a question mark. */
    private static final Pattern INLINE_NUMBER = Pattern.compile("(?<=\\?)[\"'”’)*]*\\s+(?=\\(?\\d{1,3}[.)]\\s)");
    private static final Pattern MARKDOWN = Pattern.compile("\\*\\*|__|`");
    private static final int MIN_WORDS = 3;
    private static final int MAX_WORDS = 60;

    private QuestionParser() { }

    /** The questions in a reply, in order, display-normalized (see {@link #clean}). */
    public static List<String> parse(String reply) {
        List<String> items = new ArrayList<>();
        StringBuilder current = null;
        boolean sawMarker = false;
        boolean currentMarked = false; // only a list item can wrap onto the next line
        for (String raw : reply.replace("\r", "").split("\n")) {
            if (raw.strip().startsWith("```")) continue;
            for (String line : INLINE_NUMBER.split(raw)) {
                String l = MARKDOWN.matcher(line).replaceAll("").strip();
                if (l.isEmpty()) {
                    current = flush(items, current);
                    continue;
                }
                var m = MARKER.matcher(l);
                if (m.find()) {
                    sawMarker = true;
                    current = flush(items, current);
                    current = new StringBuilder(l.substring(m.end()));
                    currentMarked = true;
                } else if (current != null && currentMarked && !current.toString().strip().endsWith("?")) {
                    current.append(' ').append(l); // a wrapped continuation of the item above
                } else {
                    current = flush(items, current);
                    current = new StringBuilder(l);
                    currentMarked = false;
                }
            }
        }
        flush(items, current);
        List<String> out = new ArrayList<>();
        for (String item : items) {
            String q = clean(item);
            if (q != null && !(sawMarker && looksLikePreamble(q))) out.add(q);
        }
        return out;
    }

    private static StringBuilder flush(List<String> items, StringBuilder current) {
        if (current != null && !current.isEmpty()) items.add(current.toString());
        return null;
    }

    /** "Here are 10 questions...:" and the like, which can contain a '?' in chatty teachers. */
    private static boolean looksLikePreamble(String q) {
        String l = q.toLowerCase(Locale.ROOT);
        return l.startsWith("here are") || l.startsWith("sure") || l.startsWith("certainly");
    }

    /**
     * One item to a display question: quotes and markers stripped, whitespace collapsed, cut after
     * the last '?'. Null when it is not a question or has the wrong length.
     */
    public static String clean(String item) {
        String s = Normalizer.normalize(item, Normalizer.Form.NFKC).replaceAll("\\s+", " ").strip();
        var m = MARKER.matcher(s);
        if (m.find()) s = s.substring(m.end()).strip();
        int q = s.lastIndexOf('?');
        if (q < 0) return null;
        s = s.substring(0, q + 1);
        s = s.replaceAll("^[\"'“‘(\\[]+", "").replaceAll("[\"'”’)\\]]+$", "").strip();
        if (!s.endsWith("?")) s = s + "?";
        if (s.startsWith("?")) return null;
        int words = s.split(" ").length;
        if (words < MIN_WORDS || words > MAX_WORDS) return null;
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
