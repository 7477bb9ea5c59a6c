package bitnut.common;

/** Life cycle of a job as the executor and the persisted history see it. */
public enum JobState {
    QUEUED, RUNNING, PAUSED, SUCCEEDED, FAILED, CANCELLED,
    /** The process died while the job was running (found in the history at the next start). */
    INTERRUPTED;

    public boolean finished() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED || this == INTERRUPTED;
    }
}
