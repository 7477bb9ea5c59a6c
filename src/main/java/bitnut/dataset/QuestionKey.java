package bitnut.dataset;

import java.text.Normalizer;
import java.util.Locale;

/**
 * The one normalization of a question used for exact dedupe, shared by the synth question job and
 * the import job so that an imported question and a generated one collide.
 *
 * <p>Example: {@code "  1. What's   a Quasar?? "} -> {@code "what's a quasar"}. Steps: NFKC, lower
 * case, strip leading quotes and a leading list marker ("1.", "-", "*", "Q:"), a leading "human:" prefix, collapse
 * white space, drop trailing punctuation, fold curly quotes to straight ones.
 */
public final class QuestionKey {
    private QuestionKey() { }

    public static String normalize(String question) {
        if (question == null) return "";
        String s = Normalizer.normalize(question, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        s = s.replace('\u2019', '\'').replace('\u2018', '\'').replace('\u201c', '"').replace('\u201d', '"');
        s = s.strip();
        s = s.replaceFirst("^human:\\s*", "");
        s = s.replaceFirst("^[\"'\\s]+", "");   // the teacher sometimes quoted the whole question
        s = s.replaceFirst("^(?:\\d{1,3}[.)]|[-*\u2022]|q\\s*\\d*\\s*[:.])\\s+", "");
        s = s.replaceAll("\\s+", " ").strip();
        s = s.replaceFirst("[\\s?!.,;:\"']+$", "");
        return s;
    }
}
