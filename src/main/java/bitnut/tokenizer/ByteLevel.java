package bitnut.tokenizer;

/**
 * GPT-2's byte-level pre-tokenizer, as HF tokenizers' {@code ByteLevel(add_prefix_space=false,
 * use_regex=true)} applies it (tokenizer-spec.md 2.2).
 *
 * <p>The regex {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}
 * is hand-compiled into the scanner {@link #split}: same leftmost-first alternation, same
 * "leave the last whitespace for the next word" rule, about 10x faster than java.util.regex. The
 * regex itself is kept as {@link #PATTERN} so tests compare the two. Character classes: {@code \s}
 * is Unicode White_Space (25 code points), {@code \p{L}} and {@code \p{N}} are Unicode general
 * categories as in JDK 25 (Unicode 16, the same as HF's binary; checked over every code point
 * against {@code hf_pretok_classes.tsv}).
 *
 * <p>Each piece's UTF-8 bytes are then shown as GPT-2's {@code bytes_to_unicode} characters:
 * printable bytes stand for themselves, the other 68 map to U+0100.. in byte order
 * (space = 'Ġ', newline = 'Ċ').
 */
public final class ByteLevel {
    private ByteLevel() { }

    /** The reference regex (java.util.regex needs {@code UNICODE_CHARACTER_CLASS}). */
    public static final java.util.regex.Pattern PATTERN = java.util.regex.Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            java.util.regex.Pattern.UNICODE_CHARACTER_CLASS);

    /** Regex classes of a code point. */
    public static final byte OTHER = 0, SPACE = 1, LETTER = 2, NUMBER = 3;

    private static final byte[] BMP = new byte[0x10000];
    /** byte value -> its byte-level character. */
    private static final char[] BYTE_TO_CHAR = new char[256];
    /** byte-level character (0..0x143) -> byte value, or -1. */
    private static final int[] CHAR_TO_BYTE = new int[0x144];

    static {
        for (int c = 0; c < 0x10000; c++) BMP[c] = classify(c);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            BYTE_TO_CHAR[b] = printable ? (char) b : (char) (0x100 + n++);
        }
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        for (int b = 0; b < 256; b++) CHAR_TO_BYTE[BYTE_TO_CHAR[b]] = b;
    }

    /** Unicode White_Space: what {@code \s} means with UNICODE_CHARACTER_CLASS and in Oniguruma. */
    public static boolean isWhiteSpace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F
                || cp == 0x205F || cp == 0x3000;
    }

    private static byte classify(int cp) {
        if (isWhiteSpace(cp)) return SPACE;
        if (Character.isLetter(cp)) return LETTER;
        int t = Character.getType(cp);
        if (t == Character.DECIMAL_DIGIT_NUMBER || t == Character.LETTER_NUMBER || t == Character.OTHER_NUMBER) return NUMBER;
        return OTHER;
    }

    /** The regex class of a code point. */
    public static int classOf(int cp) { return cp < 0x10000 ? BMP[cp] : classify(cp); }

    /** Receives pre-token boundaries {@code [start, end)} in UTF-16 indices. */
    @FunctionalInterface
    public interface PieceSink { void piece(int start, int end); }

    /**
     * Splits {@code s[from, to)} into pre-tokens exactly as the regex with {@code find_iter}.
     * Example: {@code "I'm  here\n\n"} -> {@code I, 'm, " ", " here", "\n\n"}.
     */
    public static void split(CharSequence s, int from, int to, PieceSink sink) {
        int i = from;
        while (i < to) {
            char c = s.charAt(i);
            if (c == '\'' && i + 1 < to) {                      // 's 't 'm 'd 're 've 'll
                char d = s.charAt(i + 1);
                if (d == 's' || d == 't' || d == 'm' || d == 'd') { sink.piece(i, i + 2); i += 2; continue; }
                if (i + 2 < to) {
                    char e = s.charAt(i + 2);
                    if ((d == 'r' && e == 'e') || (d == 'v' && e == 'e') || (d == 'l' && e == 'l')) {
                        sink.piece(i, i + 3);
                        i += 3;
                        continue;
                    }
                }
            }
            int start = i;
            if (c == ' ' && i + 1 < to) {                       // " ?X+": a space glued to the next run
                int k = classOf(Character.codePointAt(s, i + 1));
                if (k != SPACE) {
                    i = runEnd(s, i + 1, to, k);
                    sink.piece(start, i);
                    continue;
                }
            }
            int k = classOf(Character.codePointAt(s, i));
            if (k == SPACE) {
                int j = i + 1;                                   // every White_Space code point is one char
                while (j < to && isWhiteSpace(s.charAt(j))) j++;
                if (j == to) { sink.piece(i, j); i = j; }        // \s+(?!\S) at the end takes the whole run
                else if (j - i >= 2) { sink.piece(i, j - 1); i = j - 1; }   // leaves the last one for the next word
                else { sink.piece(i, i + 1); i++; }              // \s+ : a lone non-space whitespace char
                continue;
            }
            i = runEnd(s, i, to, k);
            sink.piece(start, i);
        }
    }

    private static int runEnd(CharSequence s, int i, int to, int k) {
        while (i < to) {
            char c = s.charAt(i);
            if (c < 0x80) {                                      // ASCII fast path
                if (BMP[c] != k) break;
                i++;
                continue;
            }
            int cp = Character.codePointAt(s, i);
            if (classOf(cp) != k) break;
            i += Character.charCount(cp);
        }
        return i;
    }

    /** The byte-level character that stands for byte {@code b} (0..255). */
    public static char byteChar(int b) { return BYTE_TO_CHAR[b & 0xFF]; }

    /** The byte a byte-level character stands for, or -1 when it is none. */
    public static int charByte(char c) { return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1; }

    /** UTF-8 bytes shown as byte-level characters ("héllo" -> "hÃ©llo"). */
    public static String toByteChars(byte[] utf8, int off, int len) {
        char[] out = new char[len];
        for (int i = 0; i < len; i++) out[i] = BYTE_TO_CHAR[utf8[off + i] & 0xFF];
        return new String(out);
    }

    /** A string of byte-level characters back to its bytes; null when a character is not byte-level. */
    public static byte[] toBytes(String byteChars) {
        byte[] out = new byte[byteChars.length()];
        for (int i = 0; i < out.length; i++) {
            int b = charByte(byteChars.charAt(i));
            if (b < 0) return null;
            out[i] = (byte) b;
        }
        return out;
    }

    /** Replaces unpaired surrogates by U+FFFD (what any UTF-8 encoder must do first). */
    public static String replaceLoneSurrogates(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean lone = Character.isHighSurrogate(c) ? !(i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)))
                    : Character.isLowSurrogate(c) && !(i > 0 && Character.isHighSurrogate(s.charAt(i - 1)));
            if (lone) {
                if (sb == null) sb = new StringBuilder(s);
                sb.setCharAt(i, '\uFFFD');
            }
        }
        return sb == null ? s : sb.toString();
    }
}
