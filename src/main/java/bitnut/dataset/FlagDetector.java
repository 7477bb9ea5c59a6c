package bitnut.dataset;

import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    private static final Pattern BITNUT = Pattern.compile("\\bbit\\s?nut\\b", Pattern.CASE_INSENSITIVE);
    /** What may stand right before "BitNut" when BitNut speaks of itself: "I'm BitNut", "me, BitNut". */
    private static final Pattern SELF_BEFORE = Pattern.compile(
            "(?:\\bI\\s*(?:'m|\u2019m|am)\\s+(?:just\\s+|your\\s+(?:friend|pal|buddy),?\\s+)?(?:a\\s+|the\\s+)?"
                    + "|\\b(?:me|I|myself|us),?\\s*|\\bmy\\s+name\\s+is\\s+|\\bcall\\s+me\\s+|\\bit'?s\\s+me,?\\s+|\\bas\\s+|\\bthis\\s+is\\s+|\\(|\\bhere,?\\s+)$",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern ADDRESS_DOG = Pattern.compile(
            "\\byou(?:'re|\u2019re| are)\\s+(?:such\\s+)?(?:a|an|the)\\s+(?:good\\s+|very\\s+good\\s+|silly\\s+|curious\\s+)?(?:golden\\s+retriever|dog|pup|puppy|doggo|boy)\\b"
                    + "|\\byour\\s+(?:tail|paws?|snout|fur|kibble|leash|squirrel\\s+(?:theory|theories|hunting|surveillance))\\b",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern SPEAKER_TAG = Pattern.compile("(?m)^\\s*(?:human|user|assistant)\\s*:");

    /**
     * Role confusion: the text names BitNut other than in self-reference ("like BitNut", "Remember,
     * BitNut!", "BitNut would sniff"), tells the reader they are the dog ("your tail"), or writes a
     * speaker tag of another role. Quoted speech ("But BitNut, why?") is BitNut quoting the user: fine.
     */
    public Optional<String> roleConfusion(String response) {
        String r = strip(response);
        String unquoted = withoutQuotes(r);
        Matcher m = BITNUT.matcher(unquoted);
        while (m.find()) {
            String before = unquoted.substring(Math.max(0, m.start() - 40), m.start());
            String after = unquoted.substring(m.end(), Math.min(unquoted.length(), m.end() + 30));
            if (SELF_BEFORE.matcher(before).find()) continue;
            if (after.matches("(?s)^\\s*(?:here|speaking|at your service)\\b.*")) continue;
            return Optional.of("Names BitNut as someone else: \"" + excerpt(unquoted, m.start(), m.end()) + "\"");
        }
        Matcher a = ADDRESS_DOG.matcher(unquoted);
        if (a.find()) return Optional.of("Talks to BitNut as the dog: \"" + excerpt(unquoted, a.start(), a.end()) + "\"");
        Matcher t = SPEAKER_TAG.matcher(r);
        if (t.find()) return Optional.of("Contains another speaker's tag: \"" + excerpt(r, t.start(), t.end()) + "\"");
        return Optional.empty();
    }

    private static final Pattern PERSONA = Pattern.compile(
            "\\b(?:squirrels?|squirrelly|tails?|wag\\w*|woofs?|bark\\w*|sniff\\w*|paws?|treats?|fetch\\w*|dogs?|doggos?|doggy|"
                    + "pup(?:s|py|pies)?|golden\\s+retrievers?|retrievers?|fur|furry|kibble|belly\\s+rubs?|good\\s+boy|bones?|leash|"
                    + "howl\\w*|arf|ruff|bork|zoomies|nose|snoot|chew\\w*|ball|frisbee|acorns?|nuts?)\\b|\ud83d\udc3e|\ud83d\udc36|\ud83d\udc15|\ud83d\udc3f",
            Pattern.CASE_INSENSITIVE);

    /** Persona missing: not one of BitNut's markers (squirrels, tail, sniffing, barking, treats, ...). */
    public Optional<String> personaMissing(String response) {
        if (PERSONA.matcher(strip(response)).find()) return Optional.empty();
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
            if (r.matches("(?s).*\\n\\s*\\d{1,2}\\.$")) return Optional.of("Ends on an empty list item: \"" + tail(r) + "\"");
            return Optional.empty();
        }
        return Optional.of("Ends mid-sentence: \"" + tail(r) + "\"");
    }

    private static final Pattern SENTENCE = Pattern.compile("[^.!?\\n]+[.!?]*");

    /** Repetition: a sentence of >= 5 words said twice, or one word n-gram repeated, or a word stuttered 4 times. */
    public Optional<String> repetition(String response) {
        String r = strip(response).toLowerCase(Locale.ROOT);
        Map<String, Integer> sentences = new HashMap<>();
        Matcher m = SENTENCE.matcher(r);
        while (m.find()) {
            String s = m.group().replaceAll("[^\\p{L}\\p{N} ]", " ").replaceAll("\\s+", " ").strip();
            if (TextStats.words(s) < cfg.minRepeatSentenceWords()) continue;
            if (sentences.merge(s, 1, Integer::sum) == 2) return Optional.of("Sentence repeated: \"" + cut(s, 80) + "\"");
        }
        String[] w = r.replaceAll("[^\\p{L}\\p{N}' ]", " ").strip().split("\\s+");
        for (int i = 3; i < w.length; i++) {
            if (w[i].equals(w[i - 1]) && w[i].equals(w[i - 2]) && w[i].equals(w[i - 3])) {
                return Optional.of("Word repeated 4 times in a row: \"" + w[i] + "\"");
            }
        }
        int n = cfg.repeatNgram();
        Map<String, Integer> grams = new HashMap<>();
        for (int i = 0; i + n <= w.length; i++) {
            String g = String.join(" ", java.util.Arrays.copyOfRange(w, i, i + n));
            if (grams.merge(g, 1, Integer::sum) == cfg.repeatNgramCount()) {
                return Optional.of("Phrase repeated " + cfg.repeatNgramCount() + " times: \"" + g + "\"");
            }
        }
        return Optional.empty();
    }

    private static final Pattern BOILERPLATE = Pattern.compile(
            "\\bas an? (?:ai|artificial intelligence|language model|large language model|llm|assistant|chatbot|virtual assistant)\\b"
                    + "|\\bI(?:'m| am) (?:just )?an? (?:ai|artificial intelligence|language model|virtual assistant|chatbot|assistant)\\b"
                    + "|\\bI(?:'m| am) (?:sorry|afraid),? but I (?:can(?:'|no)t|cannot|am unable|'m unable|won't)"
                    + "|\\bI (?:cannot|can't|can not|am unable to|'m unable to|won't be able to) (?:help|assist|provide|answer|fulfill|comply)"
                    + "|\\bI (?:don't|do not) have (?:personal (?:opinions|experiences|feelings|beliefs)|the ability|access to real)"
                    + "|\\bmy (?:training data|knowledge cutoff)\\b|\\bopenai\\b|\\bI apologi[sz]e,? but\\b"
                    + "|^(?:certainly|sure|of course|absolutely)[!,.]? here(?:'s| is| are)\\b"
                    + "|\\bI hope this helps\\b|\\bfeel free to ask if you have any (?:other|more|further) questions\\b",
            Pattern.CASE_INSENSITIVE);

    /** Assistant boilerplate or refusal: generic assistant phrasing instead of BitNut's voice. */
    public Optional<String> boilerplate(String response) {
        Matcher m = BOILERPLATE.matcher(strip(response));
        if (m.find()) return Optional.of("Assistant phrasing: \"" + excerpt(strip(response), m.start(), m.end()) + "\"");
        return Optional.empty();
    }

    // ------------------------------------------------------------------ helpers

    /** Drops the original format's "bitnut: " speaker prefix. */
    static String strip(String response) {
        if (response == null) return "";
        String r = response.strip();
        return r.regionMatches(true, 0, "bitnut:", 0, 7) ? r.substring(7).strip() : r;
    }

    /** Replaces quoted speech with spaces (same length, so offsets stay valid). */
    private static String withoutQuotes(String s) {
        StringBuilder b = new StringBuilder(s);
        Matcher q = Pattern.compile("\"[^\"\\n]{0,300}\"|\u201c[^\u201d\\n]{0,300}\u201d").matcher(s);
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
