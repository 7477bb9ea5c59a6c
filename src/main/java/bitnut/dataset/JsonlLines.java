package bitnut.dataset;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a JSONL file line by line with a bound on line length (an untrusted file with one 2 GB line
 * must not take the heap): a longer line is consumed and returned as {@link #TOO_LONG}. Invalid
 * UTF-8 is replaced (U+FFFD), not fatal. Line numbers start at 1.
 */
final class JsonlLines implements AutoCloseable {
    static final String TOO_LONG = new String("<line too long>");
    static final int MAX_LINE_CHARS = 1 << 20;

    private final Reader in;
    private final char[] buf = new char[1 << 16];
    private int pos, limit;
    private boolean eof;
    private int lineNo;
    private long charsRead;

    JsonlLines(Path file) throws IOException {
        this.in = new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE));
    }

    /** The next line without its terminator, {@link #TOO_LONG}, or null at the end. */
    String next() throws IOException {
        StringBuilder sb = new StringBuilder();
        boolean tooLong = false, any = false;
        while (true) {
            if (pos == limit) {
                if (eof) break;
                int n = in.read(buf, 0, buf.length);
                if (n < 0) { eof = true; break; }
                pos = 0;
                limit = n;
            }
            any = true;
            int nl = -1;
            for (int i = pos; i < limit; i++) if (buf[i] == '\n') { nl = i; break; }
            int end = nl >= 0 ? nl : limit;
            if (!tooLong) {
                if (sb.length() + (end - pos) > MAX_LINE_CHARS) { tooLong = true; sb.setLength(0); }
                else sb.append(buf, pos, end - pos);
            }
            charsRead += (nl >= 0 ? end + 1 : end) - pos;
            pos = nl >= 0 ? end + 1 : end;
            if (nl >= 0) break;
        }
        if (!any) return null;
        lineNo++;
        if (tooLong) return TOO_LONG;
        int n = sb.length();
        if (n > 0 && sb.charAt(n - 1) == '\r') sb.setLength(n - 1);
        return sb.toString();
    }

    int lineNo() { return lineNo; }

    long charsRead() { return charsRead; }

    @Override public void close() throws IOException { in.close(); }
}
