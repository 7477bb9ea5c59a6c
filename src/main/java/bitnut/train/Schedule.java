/*
 * Schedule — learning rate and weight decay as functions of the optimizer step (0-based).
 *  cosine:    linear warm-up to lr, cosine decay to minLr at maxSteps (nanoGPT get_lr); wd constant.
 *  two-stage: BitNet b1.58 (FAQ PDF Fig.1, bitnet-spec.md §5.1): warm-up, then lr·(1 − t/T) until the
 *             midpoint, where it drops onto lr2·(1 − t/T); weight decay 0.1 in stage 1 and 0 in stage 2
 *             (so latent weights stop being pulled toward 0 and the ternary codes settle).
 */
package bitnut.train;

public final class Schedule {
    private Schedule() { }

    public static double lr(TrainConfig c, long step) {
        long T = c.maxSteps();
        if (step < c.warmupSteps()) return c.lr() * (step + 1) / c.warmupSteps();
        if (c.schedule().equals(TrainConfig.COSINE)) {
            if (step >= T) return c.minLr();
            double ratio = (step - c.warmupSteps()) / (double) Math.max(1, T - c.warmupSteps());
            return c.minLr() + 0.5 * (1 + Math.cos(Math.PI * ratio)) * (c.lr() - c.minLr());
        }
        double remaining = Math.max(0, 1.0 - step / (double) T);
        return (step < T / 2 ? c.lr() : c.lr2()) * remaining;
    }

    public static double weightDecay(TrainConfig c, long step) {
        if (c.schedule().equals(TrainConfig.TWO_STAGE) && step >= c.maxSteps() / 2) return 0;
        return c.weightDecay();
    }
}
