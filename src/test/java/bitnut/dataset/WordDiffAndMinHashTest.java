package bitnut.dataset;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** The editor's word diff and the near-duplicate MinHash against their exact references. */
class WordDiffAndMinHashTest {
    @Test void diffMarksReplacedWordsAndReassemblesBothTexts() {
        assertEquals(List.of(new WordDiff.Piece(WordDiff.Kind.SAME, "a "), new WordDiff.Piece(WordDiff.Kind.INSERTED, "small "),
                new WordDiff.Piece(WordDiff.Kind.DELETED, "big "), new WordDiff.Piece(WordDiff.Kind.SAME, "dog barks "),
                new WordDiff.Piece(WordDiff.Kind.INSERTED, "loudly")), WordDiff.diff("a big dog barks", "a small dog barks loudly"));
        SplittableRandom r = new SplittableRandom(1);
        String[] words = {"woof", "squirrel", "tail", "treat", "park", "ball"};
        for (int trial = 0; trial < 200; trial++) {
            StringBuilder a = new StringBuilder(), b = new StringBuilder();
            for (int i = 0; i < r.nextInt(30); i++) a.append(words[r.nextInt(words.length)]).append(' ');
            for (int i = 0; i < r.nextInt(30); i++) b.append(words[r.nextInt(words.length)]).append(' ');
            List<WordDiff.Piece> p = WordDiff.diff(a.toString(), b.toString());
            StringBuilder before = new StringBuilder(), after = new StringBuilder();
            for (WordDiff.Piece x : p) {
                if (x.kind() != WordDiff.Kind.INSERTED) before.append(x.text());
                if (x.kind() != WordDiff.Kind.DELETED) after.append(x.text());
            }
            assertEquals(b.toString(), after.toString());
            assertEquals(a.toString().strip(), before.toString().strip());
        }
        assertTrue(WordDiff.unchanged(WordDiff.diff("same text", "same text")));
    }

    @Test void minHashEstimatesJaccardAndFindsTheNearest() {
        MinHash mh = new MinHash(1, 128, 42);
        String[] qs = {"why is the sky blue", "how do bees make honey", "what is a black hole", "how do magnets work"};
        for (int i = 0; i < qs.length; i++) mh.add(i, mh.signature(qs[i]));
        String near = "why is the sky so blue";
        double exact = mh.jaccard(qs[0], near);
        double est = MinHash.similarity(mh.signature(qs[0]), mh.signature(near));
        assertEquals(exact, est, 0.15, "estimate within ~2 standard errors of the exact Jaccard");
        var m = mh.nearest(mh.signature(near), 0.7);
        assertTrue(m.isPresent());
        assertEquals(0, m.get().id());
        assertTrue(mh.nearest(mh.signature("how do volcanoes form"), 0.7).isEmpty());
        assertEquals(1.0, MinHash.similarity(mh.signature("What is a black hole?"), mh.signature("what is a black hole")), "normalized first");
    }
}
