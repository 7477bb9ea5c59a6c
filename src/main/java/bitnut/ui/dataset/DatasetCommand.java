package bitnut.ui.dataset;

import bitnut.dataset.DatasetStore;
import bitnut.dataset.Example;
import bitnut.dataset.ExampleFilter;
import bitnut.dataset.ExampleStatus;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * An undoable change to the dataset (Scene Builder's editor pattern: every edit is a command object
 * with execute/undo/redo/description). Commands run against the store's writer and complete after
 * the commit; edits carry the version they expect, so an undo never overwrites someone else's change
 * (it fails with a VersionConflictException instead).
 */
public sealed interface DatasetCommand {
    String description();

    CompletableFuture<?> execute(DatasetStore store);

    CompletableFuture<?> undo(DatasetStore store);

    default CompletableFuture<?> redo(DatasetStore store) { return execute(store); }

    /** Text edit of one example. */
    final class Edit implements DatasetCommand {
        private final long id;
        private final String beforePrompt, beforeResponse, afterPrompt, afterResponse;
        private long version;

        public Edit(Example before, String prompt, String response) {
            this.id = before.id();
            this.version = before.version();
            this.beforePrompt = before.prompt();
            this.beforeResponse = before.response();
            this.afterPrompt = prompt;
            this.afterResponse = response;
        }

        @Override public String description() { return "edit #" + id; }

        @Override public CompletableFuture<?> execute(DatasetStore s) {
            return s.edit(id, version, afterPrompt, afterResponse).thenApply(e -> { version = e.version(); return e; });
        }

        @Override public CompletableFuture<?> undo(DatasetStore s) {
            return s.edit(id, version, beforePrompt, beforeResponse).thenApply(e -> { version = e.version(); return e; });
        }
    }

    /** Status change of a set of examples, or of every example matching a filter. */
    final class SetStatus implements DatasetCommand {
        private final List<Long> ids;
        private final ExampleFilter filter;
        private final ExampleStatus status;
        private final String what;
        private Map<Long, ExampleStatus> before = Map.of();

        /** On explicit ids (one example, or a table selection). */
        public SetStatus(List<Long> ids, ExampleStatus status) {
            this.ids = List.copyOf(ids);
            this.filter = null;
            this.status = status;
            this.what = ids.size() == 1 ? "#" + ids.getFirst() : ids.size() + " selected";
        }

        /** On everything the filter matches when it runs. */
        public SetStatus(ExampleFilter filter, ExampleStatus status, long expectedCount) {
            this.ids = null;
            this.filter = filter;
            this.status = status;
            this.what = expectedCount + " matching";
        }

        @Override public String description() { return status.dbName().replace('_', '-') + " " + what; }

        @Override public CompletableFuture<?> execute(DatasetStore s) {
            CompletableFuture<Map<Long, ExampleStatus>> f;
            if (filter != null) {
                f = s.setStatusWhere(filter, status);
            } else {
                Map<Long, ExampleStatus> changes = new LinkedHashMap<>();
                for (long id : ids) changes.put(id, status);
                f = s.setStatuses(changes);
            }
            return f.thenApply(b -> { before = b; return b; });
        }

        @Override public CompletableFuture<?> undo(DatasetStore s) { return s.setStatuses(before); }

        /** Redo touches exactly the rows the first run changed (not whatever the filter matches now). */
        @Override public CompletableFuture<?> redo(DatasetStore s) {
            Map<Long, ExampleStatus> again = new LinkedHashMap<>();
            for (long id : before.keySet()) again.put(id, status);
            return s.setStatuses(again);
        }

        public int changed() { return before.size(); }
    }

    /** Brings an example back to an earlier revision (a new version; the history stays append-only). */
    final class Restore implements DatasetCommand {
        private final long id;
        private final long fromVersion;
        private final long toVersion;
        private long version;

        public Restore(Example current, long toVersion) {
            this.id = current.id();
            this.fromVersion = current.version();
            this.version = current.version();
            this.toVersion = toVersion;
        }

        @Override public String description() { return "restore #" + id + " to v" + toVersion; }

        @Override public CompletableFuture<?> execute(DatasetStore s) {
            return s.restore(id, version, toVersion).thenApply(e -> { version = e.version(); return e; });
        }

        @Override public CompletableFuture<?> undo(DatasetStore s) {
            return s.restore(id, version, fromVersion).thenApply(e -> { version = e.version(); return e; });
        }
    }
}
