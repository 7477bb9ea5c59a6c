package bitnut.corpus;

import java.io.IOException;
import java.nio.file.Path;

/** Lets tests outside this package (the Corpus tab's) use the generated test data. */
public final class TestCorporaAccess {
    private TestCorporaAccess() { }

    public static Path writeTokenizer(Path dir) throws IOException { return TestCorpora.writeTokenizer(dir, TestCorpora.MERGES); }

    public static Path writeJsonl(Path file, int documents) throws IOException {
        return TestCorpora.writeJsonl(file, TestCorpora.documents(7, documents));
    }
}
