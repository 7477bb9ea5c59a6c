package bitnut.dataset;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns what a user types into the search box into a safe FTS5 MATCH expression: every word (a run of
 * letters and digits, so each is one FTS token: the index keeps no positions, detail=none) is
 * quoted (so FTS5 operators and punctuation in the text cannot break the query), words are AND-ed,
 * and the last word is a prefix so results update while typing.
 * Example: {@code squirrel nu} -> {@code "squirrel" "nu"*}.
 */
public final class FullTextQuery {
    private FullTextQuery() { }

    /** The words of a query, lower-cased: also what the UI highlights. */
    public static List<String> terms(String userText) {
        List<String> out = new ArrayList<>();
        if (userText == null) return out;
        StringBuilder w = new StringBuilder();
        for (int i = 0; i <= userText.length(); i++) {
            char ch = i < userText.length() ? userText.charAt(i) : ' ';
            if (Character.isLetterOrDigit(ch)) {
                w.append(ch);
            } else if (!w.isEmpty()) {
                out.add(w.toString().toLowerCase(Locale.ROOT));
                w.setLength(0);
            }
        }
        return out;
    }

    /** FTS5 MATCH expression, or null when the text has no words. */
    public static String toMatch(String userText) {
        List<String> t = terms(userText);
        if (t.isEmpty()) return null;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < t.size(); i++) {
            if (i > 0) sb.append(' ');
            sb.append('"').append(t.get(i).replace("\"", "\"\"")).append('"');
            if (i == t.size() - 1) sb.append('*');
        }
        return sb.toString();
    }
}
