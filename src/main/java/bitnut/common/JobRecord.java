package bitnut.common;

import java.util.Map;

/**
 * A job as the history keeps it: {@code tasks/<id>/job.json} in the workspace (the log beside it in
 * {@code log.txt}). Times are epoch milliseconds (0 = not yet). {@code pid}/{@code processStart}
 * name the process that ran it, so a later start can tell a job whose process died (INTERRUPTED)
 * from one another live process is still running. Layout: docs/formats.md.
 */
public record JobRecord(
        String id,
        String kind,
        String title,
        Lane lane,
        JobState state,
        boolean pausable,
        Map<String, Object> spec,
        long submittedAt,
        long startedAt,
        long finishedAt,
        double fraction,
        String phase,
        /** one-line summary the job returned (SUCCEEDED) */
        String result,
        /** what went wrong (FAILED) or why it stopped (INTERRUPTED) */
        String error,
        long pid,
        long processStart,
        /** id of the interrupted job this one continues, or null */
        String resumedFrom,
        /** id of the job that continued this interrupted one, or null */
        String resumedBy) {

    public JobRecord {
        spec = spec == null ? Map.of() : spec;
        phase = phase == null ? "" : phase;
    }

    public JobRecord withState(JobState newState, String newError) {
        return new JobRecord(id, kind, title, lane, newState, pausable, spec, submittedAt, startedAt,
                finishedAt, fraction, phase, result, newError, pid, processStart, resumedFrom, resumedBy);
    }

    public JobRecord withResumedBy(String newResumedBy) {
        return new JobRecord(id, kind, title, lane, state, pausable, spec, submittedAt, startedAt,
                finishedAt, fraction, phase, result, error, pid, processStart, resumedFrom, newResumedBy);
    }
}
