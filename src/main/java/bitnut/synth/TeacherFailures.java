package bitnut.synth;

/**
 * The failure policy both synth jobs share. A failed request is logged and counted; the job
 * carries on (resume retries it) unless the error cannot be fixed by retrying, or
 * {@link #MAX_CONSECUTIVE} requests in a row failed (the teacher is down, not flaky).
 */
final class TeacherFailures {
    /** This many failed requests in a row stop the job. */
    static final int MAX_CONSECUTIVE = 5;

    private int total, consecutive;
    private String lastError = "";

    /** Counts a failed request of {@code units} work items; throws when the job must stop. */
    void failed(Exception error, int units) throws Exception {
        total += units;
        consecutive++;
        lastError = error.getMessage();
        if (error instanceof TeacherException te && !te.retryable()) throw te;
        if (!(error instanceof TeacherException)) throw error;
        if (consecutive >= MAX_CONSECUTIVE) {
            throw new TeacherException(consecutive + " requests in a row failed; stopping (resume continues). Last: "
                    + lastError, true);
        }
    }

    void succeeded() { consecutive = 0; }

    int total() { return total; }

    /** At the end of a run: a run where nothing succeeded is an error, not a summary. */
    void requireSomeSuccess(int succeeded, String runId) throws TeacherException {
        if (total > 0 && succeeded == 0) {
            throw new TeacherException("every request failed (" + total + "); nothing stored. Last: " + lastError
                    + " HINT: check the teacher's base URL and that it is running, then resume run " + runId, true);
        }
    }
}
