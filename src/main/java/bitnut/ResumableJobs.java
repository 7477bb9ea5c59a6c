package bitnut;

/**
 * THE list of resumable job kinds: every stage whose jobs can continue after the process died
 * registers its resumer here (one line each), so that Resume works in the Tasks view and in
 * {@code bitnut tasks resume ID} no matter which classes happen to be loaded yet. Called at start by
 * {@link Main} (CLI) and {@link bitnut.ui.WorkbenchApp} before any job history is read.
 */
public final class ResumableJobs {
    private ResumableJobs() { }

    /** Idempotent. */
    public static void registerAll() {
        bitnut.corpus.HubDownloadJob.register();
        bitnut.corpus.ShardBuilder.register();
        bitnut.synth.SynthJobs.register();
        bitnut.finetune.FinetuneJob.register();
    }
}
