package bitnut.dataset;

/**
 * One row of the append-only {@code revisions} table: the state of an example right after a change.
 * Version 1 is the state at insertion; every edit, status change, answer or revert adds one row.
 *
 * @param action what made this version: insert, import, answer, edit, status, revert
 */
public record Revision(long exampleId, long version, String prompt, String response, ExampleStatus status,
                       String action, long createdMillis) { }
