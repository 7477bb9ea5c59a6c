package bitnut.finetune;

import java.util.List;
import java.util.function.Predicate;

/**
 * How much a set of answers sounds like BitNut and knows when to stop — the before/after yardstick
 * of finetuning (a base model rambles until the token limit; a good finetune ends with eos).
 *
 * @param answers          how many answers were measured
 * @param eosShare         share that ended with eos by themselves
 * @param meanTokens       mean answer length in tokens
 * @param roleConfusion    share flagged as role confusion (talks to/about BitNut instead of as BitNut)
 * @param personaMarkers   share with at least one of BitNut's persona markers
 */
public record VoiceMetrics(int answers, double eosShare, double meanTokens, double roleConfusion, double personaMarkers) {

    /** The two voice detectors; the Dataset stage's flag detector provides them for real runs. */
    public interface Detectors {
        boolean roleConfused(String prompt, String answer);
        boolean hasPersonaMarker(String answer);
    }

    public static VoiceMetrics of(List<SampleAnswer> list, Detectors detectors) {
        int n = list.size();
        if (n == 0) return new VoiceMetrics(0, 0, 0, 0, 0);
        int eos = 0, role = 0, persona = 0;
        long tokens = 0;
        for (SampleAnswer a : list) {
            if (a.endedWithEos()) eos++;
            tokens += a.tokens();
            if (detectors.roleConfused(a.prompt(), a.answer())) role++;
            if (detectors.hasPersonaMarker(a.answer())) persona++;
        }
        return new VoiceMetrics(n, eos / (double) n, tokens / (double) n, role / (double) n, persona / (double) n);
    }

    /** BitNut's detectors: the Dataset stage's flag rules, so the metrics mean what the dataset flags mean. */
    public static Detectors datasetFlags() {
        bitnut.dataset.FlagDetector d = new bitnut.dataset.FlagDetector(bitnut.dataset.FlagConfig.DEFAULT);
        return new Detectors() {
            @Override public boolean roleConfused(String prompt, String answer) { return d.roleConfusion(answer).isPresent(); }
            @Override public boolean hasPersonaMarker(String answer) {
                return !answer.isBlank() && d.personaMissing(answer).isEmpty();
            }
        };
    }

    /** Detectors from plain predicates (tests, or a stage that only has text rules). */
    public static Detectors detectors(java.util.function.BiPredicate<String, String> role, Predicate<String> persona) {
        return new Detectors() {
            @Override public boolean roleConfused(String prompt, String answer) { return role.test(prompt, answer); }
            @Override public boolean hasPersonaMarker(String answer) { return persona.test(answer); }
        };
    }

    public String describe() {
        return String.format("eos %.0f%% | mean %.1f tokens | role confusion %.0f%% | persona %.0f%%",
                100 * eosShare, meanTokens, 100 * roleConfusion, 100 * personaMarkers);
    }
}
