package bitnut.ui.dataset;

import bitnut.dataset.WordDiff;
import javafx.scene.text.Text;
import javafx.scene.text.TextFlow;

import java.util.List;
import java.util.Locale;

/** Rich text for the Dataset tab: search hits in table cells, and the word diff of the editor. */
final class Highlighter {
    private Highlighter() { }

    /**
     * {@code text} with every word that starts with one of {@code terms} (case-insensitive, as FTS
     * matched it: the last term is a prefix, the others whole words or prefixes alike) in a "search-hit" Text.
     */
    static TextFlow flow(String text, List<String> terms) {
        TextFlow flow = new TextFlow();
        String lower = text.toLowerCase(Locale.ROOT);
        int i = 0, plain = 0, n = text.length();
        while (i < n) {
            if (!Character.isLetterOrDigit(text.charAt(i))) { i++; continue; }
            int j = i;
            while (j < n && Character.isLetterOrDigit(text.charAt(j))) j++;
            String word = lower.substring(i, j);
            boolean hit = false;
            for (String t : terms) if (word.startsWith(t)) { hit = true; break; }
            if (hit) {
                if (plain < i) flow.getChildren().add(new Text(text.substring(plain, i)));
                Text h = new Text(text.substring(i, j));
                h.getStyleClass().add("search-hit");
                h.setStyle("-fx-font-weight: bold; -fx-fill: #d35400;");
                flow.getChildren().add(h);
                plain = j;
            }
            i = j;
        }
        if (plain < n) flow.getChildren().add(new Text(text.substring(plain)));
        return flow;
    }

    static void showDiff(TextFlow flow, List<WordDiff.Piece> pieces) {
        flow.getChildren().clear();
        for (WordDiff.Piece p : pieces) {
            Text t = new Text(p.text());
            switch (p.kind()) {
                case DELETED -> { t.setStyle("-fx-fill: #c0392b; -fx-strikethrough: true;"); t.getStyleClass().add("diff-deleted"); }
                case INSERTED -> { t.setStyle("-fx-fill: #1e8449; -fx-underline: true;"); t.getStyleClass().add("diff-inserted"); }
                default -> { }
            }
            flow.getChildren().add(t);
        }
    }
}
