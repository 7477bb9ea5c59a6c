package bitnut.text;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;

/**
 * Opens in-memory DuckDB connections for reading corpora (data.md): result streaming ON, so a
 * 2 GB Parquet scan stays at a few hundred MB instead of materialising; spill files go to a
 * folder of ours; stale copies of DuckDB's 72 MB native library that killed JVMs left in the
 * temp folder are deleted once per process.
 */
public final class DuckDb {
    private static volatile boolean cleaned;

    private DuckDb() { }

    /**
     * A new in-memory connection.
     *
     * @param threads     DuckDB worker threads (typical: 2)
     * @param memoryLimit DuckDB memory limit, e.g. "1GB"
     */
    public static Connection open(int threads, String memoryLimit) throws SQLException {
        cleanStaleNativeLibraries();
        Properties p = new Properties();
        p.setProperty("jdbc_stream_results", "true");
        p.setProperty("threads", Integer.toString(Math.max(1, threads)));
        p.setProperty("memory_limit", memoryLimit);
        Path spill = Path.of(System.getProperty("java.io.tmpdir"), "bitnut-duckdb-" + ProcessHandle.current().pid());
        p.setProperty("temp_directory", spill.toString());
        return DriverManager.getConnection("jdbc:duckdb:", p);
    }

    /** SQL string literal for a path: single quotes doubled. */
    static String literal(String s) { return "'" + s.replace("'", "''") + "'"; }

    /** SQL identifier: double quotes doubled. */
    static String identifier(String s) { return "\"" + s.replace("\"", "\"\"") + "\""; }

    /**
     * DuckDB unpacks {@code libduckdb_java*.so} into java.io.tmpdir at every start and deletes it
     * only on a clean exit. Files older than a day belong to dead JVMs (a running JVM keeps its
     * mapping even if the file goes away on Linux).
     */
    static void cleanStaleNativeLibraries() {
        if (cleaned) return;
        cleaned = true;
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Instant cutoff = Instant.now().minus(Duration.ofDays(1));
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tmp, "libduckdb_java*")) {
            for (Path f : ds) {
                try {
                    if (Files.getLastModifiedTime(f).toInstant().isBefore(cutoff)) Files.deleteIfExists(f);
                } catch (IOException ignored) {
                    // someone else's file or already gone: not ours to worry about
                }
            }
        } catch (IOException ignored) {
            // an unreadable temp folder only means we cannot tidy it
        }
    }
}
