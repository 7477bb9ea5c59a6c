package bitnut.ui;

/** Text for one-line table cells (the Dataset table, the Prompts / Voice tab's recent answers). */
public final class CellText {
    private CellText() { }

    /**
     * The text on one line (runs of whitespace become one space), cut at {@code max} characters. Runs for
     * every visible cell on every scroll step on the FX thread, so it reads only as far as it needs to
     * (answers run to thousands of characters; a regex over the whole text cost more than the cell).
     */
    public static String oneLine(String s, int max) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), max + 3));
        boolean space = false;
        for (int i = 0, n = s.length(); i < n; i++) {
            char ch = s.charAt(i);
            if (Character.isWhitespace(ch)) {
                space = true;
                continue;
            }
            if (space) sb.append(' ');
            space = false;
            if (sb.length() >= max) return sb.substring(0, max) + "...";
            sb.append(ch);
        }
        if (space) sb.append(' ');
        return sb.length() > max ? sb.substring(0, max) + "..." : sb.toString();
    }
}
