package bitnut.tokenizer;

import bitnut.common.Json;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The slow, obvious reference encoder for a byte-level BPE {@code tokenizer.json} (as llm.c keeps
 * a reference beside the fast path): special tokens matched in the raw text first (leftmost,
 * longest), then {@link ByteLevel#split}, then per word the lowest-rank merge is applied again and
 * again (leftmost wins a tie) — HF's {@code BPE::merge_word}. Characters outside the vocab become
 * one {@code <unk>} each ({@code fuse_unk=false}). Tests check it against DJL's HuggingFaceTokenizer
 * and HF's own ids; the rest of the project encodes with DJL ({@link WorkspaceTokenizer}).
 */
public final class BpeEncoder {
    private final Map<String, Integer> vocab = new HashMap<>();
    private final List<String> idToToken = new ArrayList<>();
    private final Map<Long, Integer> mergeRank = new HashMap<>();
    private final List<String> specials = new ArrayList<>();
    private final Map<String, Integer> specialIds = new HashMap<>();
    private final Map<Integer, Integer> rankOfId = new HashMap<>();
    private final int unkId;
    private final Map<String, int[]> cache = new HashMap<>();

    private BpeEncoder(List<String> vocabById, List<String[]> merges, List<String> addedTokens, String unk) throws IOException {
        for (int id = 0; id < vocabById.size(); id++) {
            vocab.put(vocabById.get(id), id);
            idToToken.add(vocabById.get(id));
        }
        for (String c : addedTokens) {
            Integer id = vocab.get(c);
            if (id == null) throw new IOException("added token " + c + " is not in the vocab");
            specials.add(c);
            specialIds.put(c, id);
        }
        int rank = 0;
        for (String[] m : merges) {
            Integer ia = vocab.get(m[0]), ib = vocab.get(m[1]);
            if (ia == null || ib == null) throw new IOException("merge " + rank + " uses a token missing from the vocab: " + m[0] + " " + m[1]);
            Integer made = vocab.get(m[0] + m[1]);
            if (made != null) rankOfId.putIfAbsent(made, rank);
            mergeRank.put(BpeTrainer.pack(ia, ib), rank++);
        }
        unkId = unk != null && vocab.containsKey(unk) ? vocab.get(unk) : -1;
    }

    /** An encoder over a vocab (indexed by id) and merges in rank order, e.g. straight from the trainer. */
    public static BpeEncoder of(List<String> vocabById, List<String[]> merges, List<String> specialTokens) {
        try {
            return new BpeEncoder(vocabById, merges, specialTokens.stream().distinct().toList(),
                    specialTokens.contains("<unk>") ? "<unk>" : null);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static BpeEncoder fromJson(JsonNode root) throws IOException {
        JsonNode model = root.path("model");
        if (!"BPE".equals(model.path("type").asText())) throw new IOException("not a BPE tokenizer.json (model.type = " + model.path("type") + ")");
        List<String> byId = new ArrayList<>();
        int vocabEntries = model.path("vocab").size();
        int maxId = vocabEntries + root.path("added_tokens").size();   // ids must be dense: bound them before allocating
        for (var e : model.path("vocab").properties()) {
            JsonNode v = e.getValue();
            if (!v.canConvertToInt() || v.asInt() < 0 || v.asInt() >= maxId) throw new IOException("vocab id of " + e.getKey() + " out of range: " + v);
            int id = v.asInt();
            while (byId.size() <= id) byId.add(null);
            byId.set(id, e.getKey());
        }
        List<String> added = new ArrayList<>();
        for (JsonNode t : root.path("added_tokens")) {
            String c = t.path("content").asText();
            JsonNode idNode = t.path("id");
            if (!idNode.canConvertToInt() || idNode.asInt() < 0 || idNode.asInt() >= maxId) throw new IOException("added token id of " + c + " out of range: " + idNode);
            int id = idNode.asInt();
            while (byId.size() <= id) byId.add(null);
            if (byId.get(id) == null) byId.set(id, c);
            added.add(c);
        }
        for (int i = 0; i < byId.size(); i++) if (byId.get(i) == null) throw new IOException("vocab has no token with id " + i);
        List<String[]> merges = new ArrayList<>();
        for (JsonNode m : model.path("merges")) {
            if (m.isArray() && m.size() == 2) merges.add(new String[] {m.get(0).asText(), m.get(1).asText()});
            else {                                              // legacy "a b" form
                String t = m.asText();
                int sp = t.indexOf(' ');
                if (sp < 0) throw new IOException("bad merge entry " + m);
                merges.add(new String[] {t.substring(0, sp), t.substring(sp + 1)});
            }
        }
        String unk = model.path("unk_token").isTextual() ? model.path("unk_token").asText() : null;
        return new BpeEncoder(byId, merges, added, unk);
    }

    /** Loads {@code tokenizer.json} (or a folder holding it). */
    public static BpeEncoder load(Path path) throws IOException {
        Path file = Files.isDirectory(path) ? path.resolve(TokenizerFiles.TOKENIZER_JSON) : path;
        return fromJson(Json.MAPPER.readTree(file.toFile()));
    }

    public int vocabSize() { return idToToken.size(); }

    /** Id of a token string (special or vocab), or -1. */
    public int idOf(String token) {
        Integer i = specialIds.get(token);
        if (i == null) i = vocab.get(token);
        return i == null ? -1 : i;
    }

    /** Number of merges (vocab size minus specials and alphabet, when no merge repeats). */
    public int mergeCount() { return mergeRank.size(); }

    /** The token string of an id (byte-level characters, or a special token), or null. */
    public String token(int id) { return id >= 0 && id < idToToken.size() ? idToToken.get(id) : null; }

    /** Merge rank that created this id, or -1 for specials and alphabet characters. */
    public int rankOf(int id) { return rankOfId.getOrDefault(id, -1); }

    /** Ids without special tokens added around (specials in the text are still recognised). */
    public int[] encode(String text) {
        String s = ByteLevel.replaceLoneSurrogates(text);
        IntBuf out = new IntBuf();
        int i = 0;
        while (i < s.length()) {
            int bestAt = -1;
            String best = null;
            for (String sp : specials) {
                int at = s.indexOf(sp, i);
                if (at >= 0 && (bestAt < 0 || at < bestAt || (at == bestAt && sp.length() > best.length()))) { bestAt = at; best = sp; }
            }
            int segEnd = bestAt < 0 ? s.length() : bestAt;
            encodeSegment(s, i, segEnd, out);
            if (best == null) break;
            out.add(specialIds.get(best));
            i = bestAt + best.length();
        }
        return out.toArray();
    }

    private void encodeSegment(String s, int from, int to, IntBuf out) {
        ByteLevel.split(s, from, to, (a, b) -> {
            byte[] utf8 = s.substring(a, b).getBytes(StandardCharsets.UTF_8);
            String word = ByteLevel.toByteChars(utf8, 0, utf8.length);
            int[] ids = cache.get(word);
            if (ids == null) {
                ids = bpe(word);
                if (cache.size() > 200_000) cache.clear();
                cache.put(word, ids);
            }
            for (int id : ids) out.add(id);
        });
    }

    /** BPE of one word of byte-level characters: apply the lowest-rank merge, leftmost first. */
    int[] bpe(String word) {
        List<Integer> sym = new ArrayList<>(word.length());
        for (int i = 0; i < word.length(); i++) {
            Integer id = vocab.get(String.valueOf(word.charAt(i)));
            sym.add(id != null ? id : unkId);
        }
        while (sym.size() > 1) {
            int bestRank = Integer.MAX_VALUE, bestAt = -1;
            for (int i = 0; i + 1 < sym.size(); i++) {
                Integer r = mergeRank.get(BpeTrainer.pack(sym.get(i), sym.get(i + 1)));
                if (r != null && r < bestRank) { bestRank = r; bestAt = i; }
            }
            if (bestAt < 0) break;
            Integer merged = vocab.get(idToToken.get(sym.get(bestAt)) + idToToken.get(sym.get(bestAt + 1)));
            sym.set(bestAt, merged);
            sym.remove(bestAt + 1);
        }
        int[] a = new int[sym.size()];
        for (int i = 0; i < a.length; i++) a[i] = sym.get(i);
        return a;
    }

    /** Token strings of ids. */
    public List<String> tokens(int[] ids) {
        List<String> t = new ArrayList<>(ids.length);
        for (int id : ids) t.add(token(id));
        return t;
    }

    /** The bytes a token stands for (a special token: its own UTF-8). */
    public byte[] tokenBytes(int id) {
        String t = token(id);
        if (t == null) return new byte[0];
        byte[] b = specialIds.containsKey(t) ? null : ByteLevel.toBytes(t);
        return b != null ? b : t.getBytes(StandardCharsets.UTF_8);
    }

    /** HF's ByteLevel decoder: byte-level characters back to bytes, then lossy UTF-8. */
    public String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) bytes.writeBytes(tokenBytes(id));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static final class IntBuf {
        int[] a = new int[64];
        int n;
        void add(int v) { if (n == a.length) a = java.util.Arrays.copyOf(a, n * 2); a[n++] = v; }
        int[] toArray() { return java.util.Arrays.copyOf(a, n); }
    }
}
