package bitnut.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import bitnut.model.BitNetModel;

import java.util.ArrayList;
import java.util.List;

/**
 * Held-out answers from a DJL {@link BitNetModel} (the weights being trained, or the base checkpoint):
 * {@link GreedyAnswerer} on top of a no-grad forward pass that recomputes the whole window per token
 * (no KV cache; the answers are short and this runs every N steps, not per token of training).
 */
final class ModelAnswers {
    private ModelAnswers() { }

    static GreedyAnswerer.NextToken nextToken(BitNetModel model) {
        return (context, length) -> {
            boolean grad = JniUtils.isGradMode();
            JniUtils.setGradMode(false);
            try (NDScope ignored = new NDScope()) {
                long[] ids = new long[length];
                for (int i = 0; i < length; i++) ids[i] = context[i];
                NDArray javaBacked = model.manager().create(ids, new Shape(1, length));
                NDArray x = javaBacked.duplicate();                       // libtorch-owned (djl.md pitfall 1)
                javaBacked.close();
                return model.forward(x, null, null).get(length - 1).toFloatArray();   // [V] logits of the last position
            } finally {
                JniUtils.setGradMode(grad);
            }
        };
    }

    static List<SampleAnswer> answer(BitNetModel model, ChatTokenizer tokenizer, List<String> prompts, int maxNewTokens)
            throws Exception {
        GreedyAnswerer g = new GreedyAnswerer(tokenizer, nextToken(model), model.config().maxPositionEmbeddings());
        List<SampleAnswer> out = new ArrayList<>(prompts.size());
        for (String p : prompts) out.add(g.answer(p, maxNewTokens));
        return out;
    }
}
