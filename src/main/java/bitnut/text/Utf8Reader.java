package bitnut.text;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A UTF-8 reader that replaces every malformed sequence by U+FFFD <em>and counts them</em>
 * (InputStreamReader replaces silently). Reads with large buffers; callers pass char arrays of at
 * least 2 chars so a surrogate pair always fits.
 */
final class Utf8Reader extends Reader {
    private final InputStream in;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteBuffer bytes = ByteBuffer.allocate(1 << 16).flip();
    private boolean eof;
    private boolean flushed;
    private long invalid;

    Utf8Reader(InputStream in) { this.in = in; }

    /** Malformed sequences replaced so far. */
    long invalid() { return invalid; }

    @Override
    public int read(char[] cbuf, int off, int len) throws IOException {
        if (len == 0) return 0;
        CharBuffer out = CharBuffer.wrap(cbuf, off, len);
        while (true) {
            CoderResult r = decoder.decode(bytes, out, eof);
            if (r.isError()) {
                if (!out.hasRemaining()) break;
                invalid++;
                bytes.position(bytes.position() + r.length());
                out.put('\uFFFD');
                continue;
            }
            if (r.isOverflow()) break;
            if (out.position() > off) break;            // underflow, but we have something to return
            if (eof) {
                if (!flushed) { decoder.flush(out); flushed = true; }
                break;
            }
            fill();
        }
        int n = out.position() - off;
        return n == 0 && eof ? -1 : n;
    }

    private void fill() throws IOException {
        bytes.compact();
        int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
        if (n < 0) eof = true;
        else bytes.position(bytes.position() + n);
        bytes.flip();
    }

    @Override public void close() throws IOException { in.close(); }
}
