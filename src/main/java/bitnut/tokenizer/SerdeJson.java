package bitnut.tokenizer;

import java.util.List;
import java.util.Map;

/**
 * Writes JSON byte for byte as Rust's {@code serde_json::to_string_pretty} (and Python's
 * {@code json.dumps(indent=2, ensure_ascii=False)}): 2-space indent, {@code "key": value}, one array
 * element per line, {@code {}} / {@code []} when empty, raw UTF-8, only {@code " \\} and control
 * characters escaped. Values: Map (insertion order kept), List, String, Number, Boolean, null,
 * or {@link Raw} for a number literal written as is.
 */
final class SerdeJson {
    /** A pre-formatted literal (e.g. Python's huge {@code model_max_length} integer). */
    record Raw(String text) { }

    /** An object {@code {"token": id, ...}} written straight from a list indexed by id (no map built). */
    record IndexObject(java.util.List<String> keys) { }

    private SerdeJson() { }

    static String write(Object value) {
        StringBuilder sb = new StringBuilder(1 << 16);
        try {
            write(sb, value, 0);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);     // a StringBuilder does not throw
        }
        return sb.toString();
    }

    /** Streams the JSON to {@code out} (a large vocab is never held as one string). */
    static void write(Appendable out, Object value) throws java.io.IOException { write(out, value, 0); }

    private static void write(Appendable sb, Object v, int depth) throws java.io.IOException {
        switch (v) {
            case null -> sb.append("null");
            case String s -> string(sb, s);
            case Boolean b -> sb.append(b.toString());
            case Raw r -> sb.append(r.text());
            case Number n -> sb.append(n.toString());
            case IndexObject o -> {
                if (o.keys().isEmpty()) { sb.append("{}"); return; }
                sb.append("{\n");
                for (int i = 0; i < o.keys().size(); i++) {
                    if (i > 0) sb.append(",\n");
                    indent(sb, depth + 1);
                    string(sb, o.keys().get(i));
                    sb.append(": ").append(Integer.toString(i));
                }
                sb.append('\n');
                indent(sb, depth);
                sb.append('}');
            }
            case Map<?, ?> m -> {
                if (m.isEmpty()) { sb.append("{}"); return; }
                sb.append("{\n");
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) sb.append(",\n");
                    first = false;
                    indent(sb, depth + 1);
                    string(sb, String.valueOf(e.getKey()));
                    sb.append(": ");
                    write(sb, e.getValue(), depth + 1);
                }
                sb.append('\n');
                indent(sb, depth);
                sb.append('}');
            }
            case List<?> l -> {
                if (l.isEmpty()) { sb.append("[]"); return; }
                sb.append("[\n");
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) sb.append(",\n");
                    indent(sb, depth + 1);
                    write(sb, l.get(i), depth + 1);
                }
                sb.append('\n');
                indent(sb, depth);
                sb.append(']');
            }
            case Object[] a -> write(sb, List.of(a), depth);
            default -> throw new IllegalArgumentException("not JSON: " + v.getClass());
        }
    }

    private static void indent(Appendable sb, int depth) throws java.io.IOException {
        for (int i = 0; i < depth; i++) sb.append("  ");
    }

    /** serde_json's escaping: {@code \" \\ \b \f \n \r \t}, other controls as {@code \\u00xx}. */
    static void string(Appendable sb, String s) throws java.io.IOException {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
