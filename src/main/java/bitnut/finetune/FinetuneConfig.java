package bitnut.finetune;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Everything one finetune run needs, shared by the CLI, the Finetune tab's form and the run manifest
 * ({@code finetune.json} in the run folder). Two presets, see {@link Preset}.
 *
 * @param base          pretrain checkpoint folder to start from (config.json, model.safetensors, tokenizer.json)
 * @param data          JSONL with prompt/response per line (the Dataset stage's approved export)
 * @param out           run folder (checkpoints, metrics.jsonl, samples.jsonl, finetune.json)
 * @param preset        the preset these values came from (recorded, informative)
 * @param epochs        passes over the training split (3)
 * @param batchSize     packed rows per micro-batch (2)
 * @param accumulation  micro-batches per optimizer step (4)
 * @param seqLen        positions per packed row = longest example kept, in tokens (512)
 * @param lr            peak learning rate after warm-up (2e-5 original, 2e-4 bitnet)
 * @param minLrRatio    final LR as a fraction of the peak, cosine decay (0.1)
 * @param warmupSteps   linear warm-up, optimizer steps (100)
 * @param weightDecay   AdamW decoupled decay on matrices only (0.01 original, 0 bitnet)
 * @param gradClip      global gradient-norm clip (1.0)
 * @param reduction     MEAN over trained tokens of the whole step, or SUM (2B4T report)
 * @param valFraction   share of examples held out for validation loss and sample answers (0.05)
 * @param evalEvery     optimizer steps between validation + held-out answers (50)
 * @param samplePrompts held-out prompts answered at each evaluation (8)
 * @param maxNewTokens  generation limit for those answers, tokens (64)
 * @param checkpointEvery optimizer steps between atomic checkpoints (100)
 * @param seed          data order, packing, split and init of anything random (1234)
 */
public record FinetuneConfig(
        Path base, Path data, Path out, Preset preset,
        int epochs, int batchSize, int accumulation, int seqLen,
        double lr, double minLrRatio, int warmupSteps, double weightDecay, double gradClip,
        LossReduction reduction, double valFraction, int evalEvery, int samplePrompts, int maxNewTokens,
        int checkpointEvery, long seed) {

    public enum LossReduction {
        /** Mean over the trained (response) tokens of all micro-batches of one optimizer step (HF). */
        MEAN,
        /** Sum over them: long answers weigh more; the BitNet b1.58 2B4T report summed in SFT. */
        SUM;

        public static LossReduction parse(String s) { return valueOf(s.trim().toUpperCase(Locale.ROOT)); }
    }

    /**
     * ORIGINAL reproduces finetune.py (3 epochs, batch 2 × accumulation 4, LR 2e-5, weight decay 0.01,
     * warm-up 100, length 512) but with its bugs fixed (eos trained, loss on the answer only, packing).
     *
     * <p>BITNET follows the BitNet b1.58 2B4T report's SFT advice: a relatively larger LR and more epochs
     * than usual for full-precision models, loss summed. Why a larger LR: the forward pass only sees
     * ternary weights {@code round(W / mean|W|)}; a latent weight must move about {@code 0.5·mean|W|}
     * (≈0.01 at init std 0.02) to flip its ternary value, and AdamW moves it at most ~LR per step, so at
     * 2e-5 most ternary weights cannot change within a few hundred SFT steps. 2e-4 (one order below the
     * 133M pretraining peak of ~1.5e-3) lets them flip; weight decay 0 as in the report's second stage.
     * With the summed loss the gradient grows with the trained tokens of a step (~2,000 at 2 × 4 × 512
     * with ~50% answer tokens), so the global-norm clip at 1.0 is what bounds each update; AdamW's
     * per-parameter normalisation makes the scale itself harmless.
     */
    public enum Preset {
        ORIGINAL, BITNET;

        public static Preset parse(String s) {
            return switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "original" -> ORIGINAL;
                case "bitnet", "bitnet-recommended" -> BITNET;
                default -> throw new IllegalArgumentException("preset must be 'original' or 'bitnet-recommended', got '" + s + "'");
            };
        }

        public String id() { return this == ORIGINAL ? "original" : "bitnet-recommended"; }
    }

    public FinetuneConfig {
        if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1");
        if (batchSize < 1 || accumulation < 1) throw new IllegalArgumentException("batch size and accumulation must be >= 1");
        if (seqLen < 8) throw new IllegalArgumentException("sequence length must be >= 8");
        if (!(lr > 0)) throw new IllegalArgumentException("learning rate must be > 0");
        if (minLrRatio < 0 || minLrRatio > 1) throw new IllegalArgumentException("min LR ratio must be in [0, 1]");
        if (warmupSteps < 0 || weightDecay < 0 || gradClip < 0) throw new IllegalArgumentException("negative warm-up, decay or clip");
        if (valFraction < 0 || valFraction >= 1) throw new IllegalArgumentException("validation fraction must be in [0, 1)");
        if (evalEvery < 1 || checkpointEvery < 1) throw new IllegalArgumentException("eval/checkpoint interval must be >= 1");
        if (samplePrompts < 0 || maxNewTokens < 1) throw new IllegalArgumentException("bad sample settings");
    }

    /** The preset's values for the given files. */
    public static FinetuneConfig preset(Preset p, Path base, Path data, Path out) {
        return switch (p) {
            case ORIGINAL -> new FinetuneConfig(base, data, out, p, 3, 2, 4, 512, 2e-5, 0.1, 100, 0.01, 1.0,
                    LossReduction.MEAN, 0.05, 50, 8, 64, 100, 1234);
            case BITNET -> new FinetuneConfig(base, data, out, p, 5, 2, 4, 512, 2e-4, 0.1, 50, 0.0, 1.0,
                    LossReduction.SUM, 0.05, 50, 8, 64, 100, 1234);
        };
    }

    public FinetuneConfig withOut(Path newOut) {
        return new FinetuneConfig(base, data, newOut, preset, epochs, batchSize, accumulation, seqLen, lr, minLrRatio,
                warmupSteps, weightDecay, gradClip, reduction, valFraction, evalEvery, samplePrompts, maxNewTokens,
                checkpointEvery, seed);
    }

    /** JSON-able map (the job spec and finetune.json). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("base", base.toString());
        m.put("data", data.toString());
        m.put("out", out.toString());
        m.put("preset", preset.id());
        m.put("epochs", epochs);
        m.put("batch_size", batchSize);
        m.put("accumulation", accumulation);
        m.put("seq_len", seqLen);
        m.put("lr", lr);
        m.put("min_lr_ratio", minLrRatio);
        m.put("warmup_steps", warmupSteps);
        m.put("weight_decay", weightDecay);
        m.put("grad_clip", gradClip);
        m.put("reduction", reduction.name().toLowerCase(Locale.ROOT));
        m.put("val_fraction", valFraction);
        m.put("eval_every", evalEvery);
        m.put("sample_prompts", samplePrompts);
        m.put("max_new_tokens", maxNewTokens);
        m.put("checkpoint_every", checkpointEvery);
        m.put("seed", seed);
        return m;
    }

    public static FinetuneConfig fromMap(Map<String, Object> m) {
        return new FinetuneConfig(Path.of(str(m, "base")), Path.of(str(m, "data")), Path.of(str(m, "out")),
                Preset.parse(str(m, "preset")), num(m, "epochs").intValue(), num(m, "batch_size").intValue(),
                num(m, "accumulation").intValue(), num(m, "seq_len").intValue(), num(m, "lr").doubleValue(),
                num(m, "min_lr_ratio").doubleValue(), num(m, "warmup_steps").intValue(), num(m, "weight_decay").doubleValue(),
                num(m, "grad_clip").doubleValue(), LossReduction.parse(str(m, "reduction")),
                num(m, "val_fraction").doubleValue(), num(m, "eval_every").intValue(), num(m, "sample_prompts").intValue(),
                num(m, "max_new_tokens").intValue(), num(m, "checkpoint_every").intValue(), num(m, "seed").longValue());
    }

    private static String str(Map<String, Object> m, String k) {
        Object v = m.get(k);
        if (v == null) throw new IllegalArgumentException("finetune spec lacks '" + k + "'");
        return v.toString();
    }

    private static Number num(Map<String, Object> m, String k) {
        Object v = m.get(k);
        if (v instanceof Number n) return n;
        if (v instanceof String s) return Double.parseDouble(s);
        throw new IllegalArgumentException("finetune spec lacks number '" + k + "'");
    }
}
