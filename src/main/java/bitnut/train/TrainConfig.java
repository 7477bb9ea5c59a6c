/*
 * TrainConfig — every knob of a training run, one record shared by the CLI, the Pretrain tab form, the
 * run manifest (run.json) and every checkpoint. Defaults follow bitnet-spec.md §5.5 (AdamW β 0.9/0.95,
 * eps 1e-8, clip 1.0, two-stage LR with WD 0.1 → 0 at the midpoint).
 */
package bitnut.train;

import java.util.Locale;

/**
 * @param microBatch      B, rows per micro-batch (8)
 * @param seqLen          T, tokens per row (256)
 * @param gradAccum       micro-batches per optimizer step (1); tokens/step = B*T*accum
 * @param maxSteps        optimizer steps of the whole run (the schedule's T)
 * @param schedule        "cosine" (warmup + cosine to minLr) or "two-stage" (BitNet: warmup, linear decay,
 *                        drop to lr2 at the midpoint, weight decay → 0 there)
 * @param lr              peak learning rate (1.5e-3 for ternary)
 * @param lr2             two-stage: peak of the second stage (≈ 2/3 lr)
 * @param minLr           cosine: floor (lr/10)
 * @param warmupSteps     linear warm-up steps
 * @param weightDecay     decoupled weight decay on BitLinear and lm_head weights (0.1)
 * @param beta1           AdamW β1 (0.9)
 * @param beta2           AdamW β2 (0.95)
 * @param eps             AdamW ε (1e-8)
 * @param gradClip        global gradient-norm clip (1.0; 0 = off)
 * @param logEvery        steps between metric lines
 * @param evalEvery       steps between validation losses (0 = never)
 * @param evalBatches     micro-batches per validation
 * @param sampleEvery     steps between text samples (0 = never)
 * @param sampleTokens    tokens per text sample
 * @param checkpointEvery steps between checkpoints (0 = only at the end)
 * @param keepLast        checkpoints kept besides the best
 * @param seed            seeds init, data order and sampling
 */
public record TrainConfig(
        int microBatch, int seqLen, int gradAccum, long maxSteps,
        String schedule, double lr, double lr2, double minLr, long warmupSteps,
        double weightDecay, double beta1, double beta2, double eps, double gradClip,
        int logEvery, int evalEvery, int evalBatches, int sampleEvery, int sampleTokens,
        int checkpointEvery, int keepLast, long seed) {

    public static final String COSINE = "cosine";
    public static final String TWO_STAGE = "two-stage";

    public TrainConfig {
        schedule = schedule == null ? TWO_STAGE : schedule.toLowerCase(Locale.ROOT);
        if (!schedule.equals(COSINE) && !schedule.equals(TWO_STAGE)) {
            throw new IllegalArgumentException("schedule must be 'cosine' or 'two-stage', got '" + schedule + "'");
        }
        if (microBatch < 1 || seqLen < 2 || gradAccum < 1 || maxSteps < 1) {
            throw new IllegalArgumentException("batch, seq_len, grad_accum and steps must be positive");
        }
        if (!(lr > 0) || lr2 < 0 || minLr < 0 || warmupSteps < 0 || weightDecay < 0 || gradClip < 0) {
            throw new IllegalArgumentException("lr must be > 0; lr2, min_lr, warmup, weight_decay, grad_clip >= 0");
        }
        if (beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1 || !(eps > 0)) throw new IllegalArgumentException("bad AdamW betas/eps");
        if (logEvery < 1) logEvery = 1;
        if (keepLast < 1) keepLast = 1;
    }

    /** The defaults for a pretraining run of {@code steps} steps. */
    public static TrainConfig defaults(long steps) {
        return new TrainConfig(8, 256, 1, steps, TWO_STAGE, 1.5e-3, 1.0e-3, 1.5e-4, Math.min(375, Math.max(1, steps / 10)),
                0.1, 0.9, 0.95, 1e-8, 1.0, 10, 100, 20, 200, 48, 500, 3, 1337);
    }

    public long tokensPerStep() { return (long) microBatch * seqLen * gradAccum; }

    /** Copy with one setting changed by its snake_case name (CLI "key=value" overrides, the UI form). */
    public TrainConfig with(String key, String value) {
        var n = bitnut.common.Json.MAPPER.valueToTree(this);
        var obj = (com.fasterxml.jackson.databind.node.ObjectNode) n;
        String field = camel(key.trim());
        if (!obj.has(field)) throw new IllegalArgumentException("unknown training setting '" + key + "'");
        String v = value.trim();
        if (field.equals("schedule")) obj.put(field, v);
        else {
            try {
                obj.put(field, Double.parseDouble(v));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("training setting " + key + " needs a number, got '" + value + "'");
            }
        }
        try {
            return bitnut.common.Json.MAPPER.treeToValue(obj, TrainConfig.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("training setting " + key + ": " + e.getOriginalMessage());
        }
    }

    public static boolean isKey(String key) {
        for (var c : TrainConfig.class.getRecordComponents()) if (c.getName().equals(camel(key))) return true;
        return false;
    }

    private static String camel(String snake) {
        StringBuilder sb = new StringBuilder();
        boolean up = false;
        for (char ch : snake.toCharArray()) {
            if (ch == '_' || ch == '-') { up = true; continue; }
            sb.append(up ? Character.toUpperCase(ch) : ch);
            up = false;
        }
        return sb.toString();
    }
}
