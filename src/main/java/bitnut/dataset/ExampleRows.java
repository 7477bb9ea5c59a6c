package bitnut.dataset;

import bitnut.common.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** SQL fragments and row mapping for the examples table (kept out of DatasetStore to keep it readable). */
final class ExampleRows {
    private ExampleRows() { }

    static final String COLUMNS = "id, topic, prompt, response, status, source, flags, flag_notes, question_key, "
            + "original_prompt, original_response, metadata, created_at, updated_at, version";

    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() { };
    private static final TypeReference<LinkedHashMap<String, String>> NOTES = new TypeReference<>() { };

    static Example read(ResultSet rs) throws SQLException {
        return new Example(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                ExampleStatus.fromDb(rs.getString(5)), ExampleSource.fromDb(rs.getString(6)),
                new FlagSet(rs.getInt(7)), parse(rs.getString(8), NOTES), rs.getString(9),
                rs.getString(10), rs.getString(11), parse(rs.getString(12), MAP),
                rs.getLong(13), rs.getLong(14), rs.getLong(15));
    }

    private static <M extends Map<String, ?>> M parse(String json, TypeReference<M> type) {
        try {
            return Json.MAPPER.readValue(json == null || json.isEmpty() ? "{}" : json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt JSON column in dataset: " + e.getOriginalMessage(), e);
        }
    }

    static String json(Map<String, ?> m) {
        try {
            return Json.MAPPER.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(m == null ? Map.of() : m);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("metadata is not JSON-able: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * "Has an answer", spelled exactly as in the examples_cover index (schema v5): only this spelling lets
     * SQLite read it from the index instead of every row's text.
     */
    static final String ANSWERED = "(response IS NOT NULL)";

    /** WHERE clause (starting with " WHERE", or empty) and its parameters for a filter. */
    record Where(String sql, List<Object> params) {
        void bind(PreparedStatement ps, int first) throws SQLException {
            for (int i = 0; i < params.size(); i++) ps.setObject(first + i, params.get(i));
        }
    }

    static Where where(ExampleFilter f) {
        List<String> c = new ArrayList<>();
        List<Object> p = new ArrayList<>();
        if (f.topic() != null) { c.add("topic = ?"); p.add(f.topic()); }
        if (f.status() != null) { c.add("status = ?"); p.add(f.status().dbName()); }
        if (f.source() != null) { c.add("source = ?"); p.add(f.source().dbName()); }
        if (f.flag() != null) { c.add("(flags & ?) <> 0"); p.add(f.flag().mask()); }
        if (Boolean.TRUE.equals(f.unflagged())) c.add("flags = 0");
        if (f.minWords() != null) { c.add("response_words >= ?"); p.add(f.minWords()); }
        if (f.maxWords() != null) { c.add("response_words <= ?"); p.add(f.maxWords()); }
        if (f.hasResponse() != null) c.add(ANSWERED + (f.hasResponse() ? " = 1" : " = 0"));
        String match = FullTextQuery.toMatch(f.search());
        if (f.search() != null && match == null) c.add("0");   // a query of only punctuation matches nothing
        if (match != null) { c.add("id IN (SELECT rowid FROM examples_fts WHERE examples_fts MATCH ?)"); p.add(match); }
        return new Where(c.isEmpty() ? "" : " WHERE " + String.join(" AND ", c), p);
    }
}
