package bitnut.finetune;

import bitnut.common.ChatTemplate;

import java.util.Arrays;

/**
 * Answers a held-out prompt the way the chat would, but deterministically: the prompt goes through
 * {@link ChatTemplate#promptText}, then greedy (arg-max) decoding until {@code <eos>}, the start of a
 * new "human:" turn, or the token limit. Greedy makes the before/after table comparable between
 * evaluations: the only thing that changed is the weights.
 *
 * <p>The model is any {@link NextToken} function (the DJL training model during a run, the pure-Java
 * engine for a saved checkpoint), so this class has no engine dependency.
 */
public final class GreedyAnswerer {

    /** Logits over the vocabulary for the token after {@code context} (context[0..length-1]). */
    public interface NextToken {
        float[] logits(int[] context, int length) throws Exception;
    }

    private final ChatTokenizer tokenizer;
    private final NextToken model;
    private final int maxContext;

    /** @param maxContext the model's longest context; the prompt's head is cut to fit */
    public GreedyAnswerer(ChatTokenizer tokenizer, NextToken model, int maxContext) {
        this.tokenizer = tokenizer;
        this.model = model;
        this.maxContext = maxContext;
    }

    public SampleAnswer answer(String prompt, int maxNewTokens) throws Exception {
        int[] promptIds = tokenizer.encode(ChatTemplate.promptText(prompt));
        int keep = Math.min(promptIds.length, Math.max(1, maxContext - maxNewTokens));
        int[] ctx = Arrays.copyOf(Arrays.copyOfRange(promptIds, promptIds.length - keep, promptIds.length), keep + maxNewTokens);
        int len = keep;
        int generated = 0;
        boolean eos = false;
        while (generated < maxNewTokens) {
            int next = argmax(model.logits(ctx, len));
            if (next == tokenizer.eosId()) { eos = true; break; }
            ctx[len++] = next;
            generated++;
            String text = tokenizer.decode(Arrays.copyOfRange(ctx, keep, len));
            if (startsNewTurn(text)) break;
        }
        String text = tokenizer.decode(Arrays.copyOfRange(ctx, keep, len));
        return new SampleAnswer(prompt, cutAtNewTurn(text).strip(), generated, eos);
    }

    static boolean startsNewTurn(String text) {
        for (String stop : ChatTemplate.STOP_STRINGS) if (text.contains(stop)) return true;
        return false;
    }

    static String cutAtNewTurn(String text) {
        int cut = text.length();
        for (String stop : ChatTemplate.STOP_STRINGS) {
            int i = text.indexOf(stop);
            if (i >= 0) cut = Math.min(cut, i);
        }
        return text.substring(0, cut);
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
