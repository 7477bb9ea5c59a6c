package bitnut.text;

/**
 * How {@link TextSources} turns input files into documents. Shared by the Tokenizer and Corpus stages.
 *
 * @param field         JSONL field / Parquet column holding the text (typical: "text")
 * @param txtDocument   what one document of a plain-text file is: the whole file, or one line
 * @param maxDocuments  stop after this many documents; 0 = no limit. A document split into line
 *                      sequences counts once; a line of a .txt read line by line counts as one
 * @param maxDocumentChars a document longer than this (in UTF-16 chars) is reported and skipped,
 *                      so one runaway line cannot exhaust the heap (typical: 64 Mi)
 * @param parquetMemoryMb DuckDB's memory limit when reading Parquet, in MB (typical: 256; 0 = that).
 *                      Streaming a file needs about one row group; a file whose row groups need more
 *                      is retried with 4x the limit, up to {@link #MAX_PARQUET_MEMORY_MB}
 */
public record TextOptions(String field, TxtDocument txtDocument, long maxDocuments, int maxDocumentChars, int parquetMemoryMb) {
    public static final int DEFAULT_PARQUET_MEMORY_MB = 256;
    public static final int MAX_PARQUET_MEMORY_MB = 4096;

    /** What one document of a {@code .txt} file is. */
    public enum TxtDocument { FILE, LINE }

    public TextOptions {
        if (field == null || field.isBlank()) field = "text";
        if (txtDocument == null) txtDocument = TxtDocument.FILE;
        if (maxDocuments < 0) throw new IllegalArgumentException("maxDocuments must be >= 0, got " + maxDocuments);
        if (maxDocumentChars <= 0) maxDocumentChars = 64 << 20;
        if (parquetMemoryMb <= 0) parquetMemoryMb = DEFAULT_PARQUET_MEMORY_MB;
    }

    /** Field "text", whole-file txt documents, no limits. */
    public static TextOptions defaults() { return new TextOptions("text", TxtDocument.FILE, 0, 0, 0); }

    public TextOptions withField(String f) { return new TextOptions(f, txtDocument, maxDocuments, maxDocumentChars, parquetMemoryMb); }
    public TextOptions withTxtDocument(TxtDocument t) { return new TextOptions(field, t, maxDocuments, maxDocumentChars, parquetMemoryMb); }
    public TextOptions withMaxDocuments(long n) { return new TextOptions(field, txtDocument, n, maxDocumentChars, parquetMemoryMb); }
    public TextOptions withMaxDocumentChars(int n) { return new TextOptions(field, txtDocument, maxDocuments, n, parquetMemoryMb); }
    public TextOptions withParquetMemoryMb(int mb) { return new TextOptions(field, txtDocument, maxDocuments, maxDocumentChars, mb); }
}
