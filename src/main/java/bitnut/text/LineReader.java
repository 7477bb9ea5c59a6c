package bitnut.text;

import java.io.IOException;
import java.io.Reader;

/**
 * Splits a character stream on {@code \n} only, like Rust's {@code BufRead::read_line} that HF
 * tokenizers uses: the terminator (and a preceding {@code \r}) can be kept, a last line without
 * {@code \n} is still a line. Lines longer than a limit are consumed and reported as too long.
 */
final class LineReader {
    /** Marker returned for a line longer than the limit (its content is discarded). */
    static final String TOO_LONG = new String("<line too long>");

    private final Reader in;
    private final char[] buf = new char[1 << 16];
    private int pos, limit;
    private boolean eof;
    private final int maxChars;

    LineReader(Reader in, int maxChars) { this.in = in; this.maxChars = maxChars; }

    /** Next line, with its {@code \n} when {@code keepEnd}; null at end of input. */
    String next(boolean keepEnd) throws IOException {
        StringBuilder sb = null;
        boolean tooLong = false;
        while (true) {
            if (pos == limit) {
                if (eof) break;
                int n = in.read(buf, 0, buf.length);
                if (n < 0) { eof = true; break; }
                pos = 0;
                limit = n;
            }
            int start = pos;
            int nl = -1;
            for (int i = pos; i < limit; i++) if (buf[i] == '\n') { nl = i; break; }
            int end = nl >= 0 ? nl + 1 : limit;
            pos = end;
            if (!tooLong) {
                if (sb == null && nl >= 0) {
                    // fast path: the whole line is inside the buffer
                    return keepEnd ? new String(buf, start, end - start) : stripEnd(new String(buf, start, nl - start));
                }
                if (sb == null) sb = new StringBuilder(Math.max(16, end - start) * 2);
                sb.append(buf, start, end - start);
                if (sb.length() > maxChars) { tooLong = true; sb = null; }
            }
            if (nl >= 0) {
                if (tooLong) return TOO_LONG;
                if (!keepEnd) { sb.setLength(sb.length() - 1); return stripEnd(sb.toString()); }
                return sb.toString();
            }
        }
        if (tooLong) return TOO_LONG;
        if (sb == null) return null;
        return keepEnd ? sb.toString() : stripEnd(sb.toString());
    }

    private static String stripEnd(String s) {
        return !s.isEmpty() && s.charAt(s.length() - 1) == '\r' ? s.substring(0, s.length() - 1) : s;
    }
}
