package bitnut.common;

import java.util.Map;

/**
 * A unit of long work: one for every stage (train a tokenizer, build shards, pretrain, ...).
 * The same object runs under the workbench's executor, the CLI and tests.
 *
 * <p>A job reports through its {@link JobContext} and must call {@link JobContext#checkpoint()}
 * often (every few hundred milliseconds of work): that is where cancel and pause take effect.
 * On cancel, {@code checkpoint()} throws {@link JobCancelledException}; the job cleans up in
 * {@code finally} blocks and lets it propagate.
 */
public interface Job {

    /** Stable kind id ("tokenizer.train", "pretrain", ...): the key to recreate the job on resume. */
    String kind();

    /** Short human title shown in the Tasks view ("Train tokenizer (32768) on corpus/"). */
    String title();

    Lane lane();

    /** Does the work; returns a one-line summary of the result for the history. */
    String run(JobContext ctx) throws Exception;

    /** True when {@link JobContext#checkpoint()} may block while the user has paused the job. */
    default boolean pausable() { return false; }

    /**
     * Parameters (JSON-able: strings, numbers, booleans, lists, maps) saved with the history.
     * A kind registered in {@link JobKinds} recreates the job from them to resume it after a crash.
     */
    default Map<String, Object> spec() { return Map.of(); }
}
