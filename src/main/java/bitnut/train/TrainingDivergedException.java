package bitnut.train;

/** A NaN or infinite loss or gradient: the step was not applied, the last checkpoint stays the last good one. */
public final class TrainingDivergedException extends RuntimeException {
    private final long step;

    public TrainingDivergedException(long step, String what) {
        super(what + " at step " + step + "; the update was not applied and the last checkpoint is the last good one. "
                + "HINT: lower the learning rate (lr/lr2), raise warmup_steps or keep grad_clip at 1.0, then resume.");
        this.step = step;
    }

    public long step() { return step; }
}
