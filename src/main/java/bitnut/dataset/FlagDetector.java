package bitnut.dataset;

import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The automatic flags of one example, each with a reason the Dataset tab shows ("role confusion:
 * '..., BitNut!' addresses BitNut"). Pure functions of the text (plus finish_reason in the metadata),
 * so the finetune stage reuses them to score model samples: {@link #rate(Flag, Collection)}.
 * The near-duplicate flag needs the whole dataset and is set by {@link FlagJob} with {@link MinHash}.
 *
 * <p>Measured precision/recall on labelled samples: docs/benchmarks.md "Dataset".
 */
public final class FlagDetector {

    /** Flags and one explanation per flag (keyed by {@link Flag#name()}). */
    public record Result(FlagSet flags, Map<String, String> notes) {
        public static final Result NONE = new Result(FlagSet.NONE, Map.of());
    }

    private final FlagConfig cfg;

    public FlagDetector(FlagConfig cfg) { this.cfg = cfg; }

    public FlagConfig config() { return cfg; }

    /** All text flags of a response (prompt kept for future detectors; metadata may hold finish_reason). */
    public Result detect(String prompt, String response, Map<String, Object> metadata) {
        return detect(prompt, response, metadata, FlagSet.NONE, Map.of());
    }

    /** As {@link #detect(String, String, Map)}, keeping a near-duplicate flag raised earlier by the flag job. */
    public Result detect(String prompt, String response, Map<String, Object> metadata, FlagSet previous,
                         Map<String, String> previousNotes) {
        Map<Flag, String> found = explain(response, metadata);
        if (previous.has(Flag.NEAR_DUPLICATE)) {
            found.put(Flag.NEAR_DUPLICATE, previousNotes.getOrDefault(Flag.NEAR_DUPLICATE.name(), Flag.NEAR_DUPLICATE.meaning));
        }
        Map<String, String> notes = new LinkedHashMap<>();
        found.forEach((f, why) -> notes.put(f.name(), why));
        return new Result(FlagSet.of(found.keySet()), notes);
    }

    /** Every text flag that fires, with its reason. */
    public Map<Flag, String> explain(String response, Map<String, Object> metadata) {
        Map<Flag, String> out = new EnumMap<>(Flag.class);
        String r = strip(response);
        Optional<String> why = empty(r);
        if (why.isPresent()) {
            out.put(Flag.EMPTY, why.get());
            return out;
        }
        roleConfusion(r).ifPresent(s -> out.put(Flag.ROLE_CONFUSION, s));
        personaMissing(r).ifPresent(s -> out.put(Flag.PERSONA_MISSING, s));
        tooLong(r).ifPresent(s -> out.put(Flag.TOO_LONG, s));
        truncated(r, metadata).ifPresent(s -> out.put(Flag.TRUNCATED, s));
        repetition(r).ifPresent(s -> out.put(Flag.REPETITION, s));
        boilerplate(r).ifPresent(s -> out.put(Flag.BOILERPLATE, s));
        return out;
    }

    /** Share of texts on which {@code flag} fires (e.g. role-confusion rate of finetuned samples). */
    public double rate(Flag flag, Collection<String> responses) {
        if (flag == Flag.NEAR_DUPLICATE) throw new IllegalArgumentException("near-duplicate needs MinHash over questions");
        if (responses.isEmpty()) return 0;
        long n = responses.stream().filter(r -> explain(r, Map.of()).containsKey(flag)).count();
        return (double) n / responses.size();
    }

    /** Share of texts that carry at least one persona marker (1 - persona-missing rate over non-empty texts). */
    public double personaMarkerRate(Collection<String> responses) {
        if (responses.isEmpty()) return 0;
        long n = responses.stream().filter(r -> !strip(r).isBlank() && personaMissing(strip(r)).isEmpty()).count();
        return (double) n / responses.size();
    }

    // ------------------------------------------------------------------ detectors

    public Optional<String> empty(String response) {
        String r = strip(response);
        if (r.isBlank()) return Optional.of("No answer text.");
        if (!r.codePoints().anyMatch(Character::isLetterOrDigit)) return Optional.of("The answer has no words, only symbols.");
        return Optional.empty();
    }

    private static final Pattern BITNUT = Pattern.compile("\\bbit\\s?nut\\b");
    /** What may stand right before "BitNut" when BitNut speaks of itself: "I'm BitNut", "me, BitNut". */
    private static final Pattern SELF_BEFORE = Pattern.compile(
            "(?:\\bi\\s*(?:'m|\u2019m|am)\\s+(?:just\\s+|your\\s+(?:friend|pal|buddy),?\\s+)?(?:a\\s+|the\\s+)?"
                    + "|\\b(?:me|i|myself|us),?\\s*|\\bmy\\s+name\\s+is\\s+|\\bcall\\s+me\\s+|\\bit'?s\\s+me,?\\s+|\\bas\\s+|\\bthis\\s+is\\s+|\\(|\\bhere,?\\s+)$");
    private static final Pattern ADDRESS_DOG = Pattern.compile(
            "you(?:'re|\u2019re| are)\\s+(?:such\\s+)?(?:a|an|the)\\s+(?:good\\s+|very\\s+good\\s+|silly\\s+|curious\\s+)?(?:golden\\s+retriever|dog|pup|puppy|doggo|boy)\\b"
                    + "|your\\s+(?:tail|paws?|snout|fur|kibble|leash|squirrel\\s+(?:theory|theories|hunting|surveillance))(?![\\w-])"
                    + "|(?:my|fellow)\\s+(?:dog|doggy|doggo|canine)\\s+(?:friend|pal|buddy)\\b");
    private static final Pattern SPEAKER_TAG = Pattern.compile("(?m)^\\s*(?:human|user|assistant)\\s*:");

    /**
     * Role confusion: the text names BitNut other than in self-reference ("like BitNut", "Remember,
     * BitNut!", "BitNut would sniff"), tells the reader they are the dog ("your tail"), or writes a
     * speaker tag of another role. Quoted speech ("But BitNut, why?") is BitNut quoting the user: fine.
     */
    public Optional<String> roleConfusion(String response) {
        String r = lower(strip(response));
        if (r.indexOf("nut") < 0 && r.indexOf("you") < 0 && r.indexOf(':') < 0) return Optional.empty();
        String unquoted = withoutQuotes(r);
        Matcher m = BITNUT.matcher(unquoted);
        while (m.find()) {
            String before = unquoted.substring(Math.max(0, m.start() - 40), m.start());
            String after = unquoted.substring(m.end(), Math.min(unquoted.length(), m.end() + 30));
            boolean asYou = before.endsWith("as ") && after.matches("(?s)^,?\\s+you\\b.*");   // "As BitNut, you must ..."
            if (SELF_BEFORE.matcher(before).find() && !asYou) continue;
            if (after.matches("(?s)^\\s*(?:here|speaking|at your service)\\b.*")) continue;
            return Optional.of("Names BitNut as someone else: \"" + excerpt(unquoted, m.start(), m.end()) + "\"");
        }
        Matcher a = ADDRESS_DOG.matcher(unquoted);
        while (a.find()) {
            if (a.start() > 0 && Character.isLetterOrDigit(unquoted.charAt(a.start() - 1))) continue;   // word boundary
            return Optional.of("Talks to BitNut as the dog: \"" + excerpt(unquoted, a.start(), a.end()) + "\"");
        }
        Matcher t = SPEAKER_TAG.matcher(r);
        if (t.find()) return Optional.of("Contains another speaker's tag: \"" + excerpt(r, t.start(), t.end()) + "\"");
        return Optional.empty();
    }

    /** Persona markers: whole words, word stems (wag -> wagging) and a few emoji (paw prints, dog, squirrel). */
    private static final java.util.Set<String> PERSONA_WORDS = java.util.Set.of(
            "squirrel", "squirrels", "squirrelly", "tail", "tails", "woof", "woofs", "paw", "paws", "treat", "treats",
            "dog", "dogs", "doggo", "doggos", "doggy", "pup", "pups", "puppy", "puppies", "retriever", "retrievers", "fur",
            "furry", "kibble", "bone", "bones", "leash", "arf", "ruff", "bork", "zoomies", "nose", "snoot", "ball", "frisbee",
            "acorn", "acorns", "nut", "nuts", "belly", "ears", "digger", "diggers", "digging", "vet", "pawsome", "bitnut");
    private static final List<String> PERSONA_STEMS = List.of("wag", "bark", "sniff", "fetch", "howl", "chew");
    private static final List<String> PERSONA_EMOJI = List.of("\ud83d\udc3e", "\ud83d\udc36", "\ud83d\udc15", "\ud83d\udc3f");

    /** Persona missing: not one of BitNut's markers (squirrels, tail, sniffing, barking, treats, ...). */
    public Optional<String> personaMissing(String response) {
        String r = lower(strip(response));
        for (String e : PERSONA_EMOJI) if (r.contains(e)) return Optional.empty();
        int i = 0, n = r.length();
        while (i < n) {
            if (!Character.isLetter(r.charAt(i))) { i++; continue; }
            int j = i;
            while (j < n && Character.isLetter(r.charAt(j))) j++;
            String w = r.substring(i, j);
            if (PERSONA_WORDS.contains(w)) return Optional.empty();
            for (String stem : PERSONA_STEMS) if (w.startsWith(stem)) return Optional.empty();
            i = j;
        }
        return Optional.of("No dog voice: no squirrel, tail, sniff, bark, paw, treat or similar marker.");
    }

    public Optional<String> tooLong(String response) {
        int w = TextStats.words(strip(response));
        return w > cfg.maxWords() ? Optional.of(w + " words, over the limit of " + cfg.maxWords() + ".") : Optional.empty();
    }

    /** Truncated: the generator hit its token limit, or the text stops mid-sentence. */
    public Optional<String> truncated(String response, Map<String, Object> metadata) {
        Object finish = metadata == null ? null : metadata.get("finish_reason");
        if ("length".equals(finish)) return Optional.of("Generation stopped at the max-token limit (finish_reason=length).");
        String r = strip(response).stripTrailing();
        if (r.isEmpty()) return Optional.empty();
        int last = r.codePointBefore(r.length());
        if (".!?)]\"'\u201d\u2019*~\u2026>".indexOf(last) >= 0 || isSymbol(last)) {
            // a list item number or an opening markdown marker is not an ending: "3." or "**Tip**:"
            String lastLine = r.substring(r.lastIndexOf('\n') + 1).strip();
            if (lastLine.matches("\\d{1,2}\\.")) return Optional.of("Ends on an empty list item: \"" + tail(r) + "\"");
            return Optional.empty();
        }
        return Optional.of("Ends mid-sentence: \"" + tail(r) + "\"");
    }

    /**
     * Repetition: a sentence of >= 5 words said twice, a word n-gram repeated (6 words, 3 times), or a
     * word said 8 times in a row. Words are hashed once; n-grams are compared by rolling hash
     * (a collision can only make a false positive, and at 64 bits it does not happen in practice).
     */
    private static final int STUTTER = 8;

    public Optional<String> repetition(String response) {
        String r = lower(strip(response));
        // words (letters, digits, apostrophes) with the sentence index each belongs to
        java.util.ArrayList<String> words = new java.util.ArrayList<>();
        java.util.ArrayList<Integer> sentenceOf = new java.util.ArrayList<>();
        int sentence = 0;
        int i = 0, n = r.length();
        while (i < n) {
            char ch = r.charAt(i);
            if (Character.isLetterOrDigit(ch) || ch == '\'') {
                int j = i;
                while (j < n && (Character.isLetterOrDigit(r.charAt(j)) || r.charAt(j) == '\'')) j++;
                words.add(r.substring(i, j));
                sentenceOf.add(sentence);
                i = j;
            } else {
                if (ch == '.' || ch == '!' || ch == '?' || ch == '\n') sentence++;
                i++;
            }
        }
        // repeated sentences: hash of each sentence's word sequence
        Map<Long, Integer> seen = new HashMap<>();
        int start = 0;
        for (int k = 1; k <= words.size(); k++) {
            if (k == words.size() || !sentenceOf.get(k).equals(sentenceOf.get(start))) {
                if (k - start >= cfg.minRepeatSentenceWords()) {
                    long h = 1469598103934665603L;
                    for (int w = start; w < k; w++) h = (h ^ words.get(w).hashCode()) * 1099511628211L;
                    if (seen.merge(h, 1, Integer::sum) == 2) {
                        return Optional.of("Sentence repeated: \"" + cut(String.join(" ", words.subList(start, k)), 80) + "\"");
                    }
                }
                start = k;
            }
        }
        // "oh, oh, oh, oh!" is BitNut's excitement; a generation loop runs much longer
        int run = 1;
        for (int k = 1; k < words.size(); k++) {
            run = words.get(k).equals(words.get(k - 1)) ? run + 1 : 1;
            if (run == STUTTER) return Optional.of("Word repeated " + STUTTER + " times in a row: \"" + words.get(k) + "\"");
        }
        int g = cfg.repeatNgram();
        Map<Long, Integer> grams = new HashMap<>();
        for (int k = 0; k + g <= words.size(); k++) {
            long h = 1469598103934665603L;
            for (int w = k; w < k + g; w++) h = (h ^ words.get(w).hashCode()) * 1099511628211L;
            if (grams.merge(h, 1, Integer::sum) == cfg.repeatNgramCount()) {
                return Optional.of("Phrase repeated " + cfg.repeatNgramCount() + " times: \"" + String.join(" ", words.subList(k, k + g)) + "\"");
            }
        }
        return Optional.empty();
    }

    /**
     * Assistant phrasing, one pattern per phrase family. Each starts with a literal, which Java's
     * regex engine rejects in one comparison per position: one big alternation was 20x slower.
     */
    private static final List<Pattern> BOILERPLATE = Stream.of(
                    "as an? (?:ai|artificial intelligence|language model|large language model|llm|assistant|chatbot|virtual assistant)\\b",
                    "i(?:'m|\u2019m| am) (?:just |only )?an? (?:ai|artificial intelligence|language model|virtual assistant|chatbot|assistant)\\b",
                    "i(?:'m|\u2019m| am) (?:sorry|afraid),? but i (?:can(?:'|\u2019|no)t|cannot|am unable|'m unable|won't)",
                    "i(?: cannot| can't| can\u2019t| can not| am unable to|'m unable to| won't be able to) (?:help(?! but)|assist|provide|answer|fulfill|comply)",
                    "i (?:don't|don\u2019t|do not) have (?:personal (?:opinions|experiences|feelings|beliefs)|the ability|access to real)",
                    "my (?:training data|knowledge cutoff)\\b",
                    "openai\\b",
                    "i apologi[sz]e,? but\\b",
                    "(?:i )?hope (?:this|that) helps\\b",
                    "feel free to ask if you have any (?:other |more |further )?questions\\b")
            .map(Pattern::compile).toList();
    private static final Pattern SURE_HERE = Pattern.compile("(?:certainly|sure|of course|absolutely)[!,.]? here(?:'s|\u2019s| is| are)\\b");

    /** Assistant boilerplate or refusal: generic assistant phrasing instead of BitNut's voice. */
    public Optional<String> boilerplate(String response) {
        String r = lower(strip(response));
        Matcher s = SURE_HERE.matcher(r);
        if (s.lookingAt()) return Optional.of("Assistant opening: \"" + excerpt(r, s.start(), s.end()) + "\"");
        for (Pattern p : BOILERPLATE) {
            Matcher m = p.matcher(r);
            while (m.find()) {
                if (m.start() > 0 && Character.isLetterOrDigit(r.charAt(m.start() - 1))) continue;   // word boundary
                return Optional.of("Assistant phrasing: \"" + excerpt(r, m.start(), m.end()) + "\"");
            }
        }
        return Optional.empty();
    }

    // ------------------------------------------------------------------ helpers

    /** Drops the original format's "bitnut: " speaker prefix. */
    static String strip(String response) {
        if (response == null) return "";
        String r = response.strip();
        return r.regionMatches(true, 0, "bitnut:", 0, 7) ? r.substring(7).strip() : r;
    }

    private static String lower(String s) { return s.toLowerCase(Locale.ROOT); }

    private static final Pattern QUOTED = Pattern.compile("\"[^\"\\n]{0,300}\"|\u201c[^\u201d\\n]{0,300}\u201d");

    /** Replaces quoted speech with spaces (same length, so offsets stay valid). */
    private static String withoutQuotes(String s) {
        StringBuilder b = new StringBuilder(s);
        if (s.indexOf('"') < 0 && s.indexOf('\u201c') < 0) return s;
        Matcher q = QUOTED.matcher(s);
        while (q.find()) for (int i = q.start(); i < q.end(); i++) b.setCharAt(i, ' ');
        return b.toString();
    }

    private static boolean isSymbol(int cp) {
        int t = Character.getType(cp);
        return t == Character.OTHER_SYMBOL || t == Character.NON_SPACING_MARK || cp == 0xFE0F || t == Character.MATH_SYMBOL;
    }

    private static String excerpt(String s, int start, int end) {
        int a = Math.max(0, start - 25), b = Math.min(s.length(), end + 25);
        return (a > 0 ? "..." : "") + s.substring(a, b).replaceAll("\\s+", " ").strip() + (b < s.length() ? "..." : "");
    }

    private static String tail(String s) {
        String t = s.length() > 40 ? "..." + s.substring(s.length() - 40) : s;
        return t.replaceAll("\\s+", " ");
    }

    private static String cut(String s, int n) { return s.length() > n ? s.substring(0, n) + "..." : s; }
}
