package bitnut.dataset;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Word-level diff between the generated original and the edited text, for the Dataset tab's diff
 * view: longest common subsequence over words-with-trailing-space (classic dynamic programming, as
 * in Hunt–McIlroy; inputs are answers of a few hundred words, so O(n*m) is fine). Texts longer than
 * {@link #MAX_TOKENS} words are shown as one deletion and one insertion.
 *
 * <p>Example: {@code diff("a big dog", "a small dog")} -> SAME "a ", INSERTED "small ", DELETED "big ", SAME "dog".
 */
public final class WordDiff {
    public enum Kind { SAME, DELETED, INSERTED }

    public record Piece(Kind kind, String text) { }

    static final int MAX_TOKENS = 3000;
    private static final Pattern TOKEN = Pattern.compile("\\S+\\s*|\\s+");

    private WordDiff() { }

    public static List<Piece> diff(String before, String after) {
        List<String> a = tokens(before == null ? "" : before), b = tokens(after == null ? "" : after);
        List<Piece> out = new ArrayList<>();
        if (a.size() > MAX_TOKENS || b.size() > MAX_TOKENS) {
            add(out, Kind.DELETED, String.join("", a));
            add(out, Kind.INSERTED, String.join("", b));
            return out;
        }
        int n = a.size(), m = b.size();
        int[][] lcs = new int[n + 1][m + 1];
        for (int i = n - 1; i >= 0; i--) {
            for (int j = m - 1; j >= 0; j--) {
                lcs[i][j] = same(a.get(i), b.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        int i = 0, j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && same(a.get(i), b.get(j))) { add(out, Kind.SAME, b.get(j)); i++; j++; }
            else if (j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j])) { add(out, Kind.INSERTED, b.get(j)); j++; }
            else { add(out, Kind.DELETED, a.get(i)); i++; }
        }
        return out;
    }

    /** True when nothing changed. */
    public static boolean unchanged(List<Piece> d) { return d.stream().allMatch(p -> p.kind() == Kind.SAME); }

    private static boolean same(String x, String y) { return x.strip().equals(y.strip()); }

    private static void add(List<Piece> out, Kind k, String text) {
        if (text.isEmpty()) return;
        if (!out.isEmpty() && out.getLast().kind() == k) {
            out.set(out.size() - 1, new Piece(k, out.getLast().text() + text));
        } else {
            out.add(new Piece(k, text));
        }
    }

    private static List<String> tokens(String s) {
        List<String> t = new ArrayList<>();
        Matcher m = TOKEN.matcher(s);
        while (m.find()) t.add(m.group());
        return t;
    }
}
