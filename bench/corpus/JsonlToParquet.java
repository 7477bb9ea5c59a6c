// Benchmark helper (run as a single-file program, not part of the app): converts a JSONL corpus file
// ({"text": ...} per line) to Parquet with DuckDB, with row groups of ~1,000 rows and snappy pages
// like the Hub's cosmopedia-v2 files (notes/data.md), DuckDB itself capped at 1 thread / 512 MB.
//   java -cp target/lib/duckdb_jdbc-2.0.0.1.jar bench/corpus/JsonlToParquet.java IN.jsonl OUT.parquet [ROWS_PER_GROUP]
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Properties;

public class JsonlToParquet {
    public static void main(String[] args) throws Exception {
        String in = args[0].replace("'", "''");
        String out = args[1].replace("'", "''");
        int rowsPerGroup = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        Properties p = new Properties();
        p.setProperty("threads", "1");
        p.setProperty("memory_limit", "512MB");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:", p); Statement st = c.createStatement()) {
            st.execute("COPY (SELECT text FROM read_json('" + in + "', format='newline_delimited', columns={text:'VARCHAR'}, "
                    + "maximum_object_size=67108864)) TO '" + out + "' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE "
                    + rowsPerGroup + ")");
        }
    }
}
