package bitnut.dataset;

/** Cheap text measures shared by the store (length columns), the flag detectors and the charts. */
public final class TextStats {
    private TextStats() { }

    /** Number of white-space separated words; 0 for null or blank text. */
    public static int words(String text) {
        if (text == null) return 0;
        int n = 0;
        boolean in = false;
        for (int i = 0; i < text.length(); i++) {
            boolean ws = Character.isWhitespace(text.charAt(i));
            if (!ws && !in) n++;
            in = !ws;
        }
        return n;
    }
}
