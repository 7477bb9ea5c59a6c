package bitnut.text;

/**
 * One document (or training sequence) read from an input.
 *
 * @param text   the decoded text (invalid UTF-8 already replaced by U+FFFD)
 * @param source the file it came from
 * @param line   1-based line (txt lines, JSONL) or row (Parquet) where it starts; 0 for a whole file
 */
public record Document(String text, String source, long line) {
    /** "file:line", for error messages. */
    public String where() { return line > 0 ? source + ":" + line : source; }
}
